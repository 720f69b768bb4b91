import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/** Brute-force protection with DynamoDB counters (Keycloak has none: keycloak#30077). */
const TOKEN = '/realms/demo/protocol/openid-connect/token';
let stack: TestStack;
let clock = 1_800_000_000 - (1_800_000_000 % 60) + 5; // 5 s into a one-minute window

async function attempt(secret: string, sourceIp: string, clientId = 'full-scope-client') {
  const handler = httpHandler((r) => tokenEndpoint(stack.runtime, r, tokenGrants), { noStore: true, log: () => undefined });
  const res = await handler(
    apiEvent({ path: TOKEN, sourceIp, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) }, body: 'grant_type=client_credentials' }),
  );
  return { status: res.statusCode!, headers: res.headers as Record<string, string>, body: JSON.parse(res.body!) };
}

before(async () => {
  stack = await freshStack({ now: () => clock, authFailureLimits: [30, 10] });
});

describe('failed client authentication is throttled per source and per client per source', () => {
  it('past 10 failures from one address for one client, that pair gets 429 with Retry-After, even with the right secret', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await attempt('wrong', '203.0.113.7')).status, 401);
    const blocked = await attempt('wrong', '203.0.113.7');
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error, 'too_many_requests');
    assert.equal(blocked.headers['Retry-After'], '55');
    assert.equal((await attempt('full-secret', '203.0.113.7')).status, 429);
  });

  it('the real client, from its own address, is not locked out by the attacker', async () => {
    assert.equal((await attempt('full-secret', '198.51.100.20')).status, 200);
  });

  it('one address failing across many clients is stopped past 30 failures', async () => {
    for (let i = 0; i < 30; i++) assert.equal((await attempt('wrong', '203.0.113.99', `made-up-${i}`)).status, 401);
    assert.equal((await attempt('wrong', '203.0.113.99', 'made-up-31')).status, 429);
    assert.equal((await attempt('full-secret', '203.0.113.99')).status, 429);
  });

  it('the counters expire with their window', async () => {
    clock += 60;
    assert.equal((await attempt('full-secret', '203.0.113.7')).status, 200);
  });

  it('a successful grant costs no extra DynamoDB request for the protection', async () => {
    await attempt('full-secret', '198.51.100.20');
    stack.resetCounts();
    assert.equal((await attempt('full-secret', '198.51.100.20')).status, 200);
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 1, SignCommand: 1 });
  });
});
