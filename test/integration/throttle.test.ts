import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LogWriter } from '../../lib/logWriter.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { Observability } from '../../lib/observability.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import { apiEvent, basic } from '../support/events.js';
import { countingClients, freshStack, type TestStack } from '../support/localAws.js';

/**
 * Brute-force protection with DynamoDB counters (Keycloak has none: keycloak#30077): 10 failures
 * per sliding minute for one client from one address, 30 from one address whatever the client.
 */
const TOKEN = '/realms/demo/protocol/openid-connect/token';
const WINDOW = 60;
let stack: TestStack;
let clock = 1_800_000_000 - (1_800_000_000 % WINDOW) + 5; // 5 s into a one-minute window

async function attempt(secret: string, sourceIp: string, clientId = 'full-scope-client', runtime: Runtime = stack.runtime) {
  const handler = httpHandler((r) => tokenEndpoint(runtime, r, tokenGrants), { noStore: true, log: () => undefined });
  const res = await handler(
    apiEvent({ path: TOKEN, sourceIp, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) }, body: 'grant_type=client_credentials' }),
  );
  return { status: res.statusCode!, headers: res.headers as Record<string, string>, body: JSON.parse(res.body!) };
}

/** A second container: its own SDK clients and memory, the same tables. */
function secondRuntime() {
  const clients = countingClients();
  const runtime = createRuntime({
    config: stack.runtime.config,
    dynamodb: clients.dynamodb,
    kms: clients.kms,
    now: () => clock,
    observability: new Observability({ logger: new LogWriter({ logLevel: 'SILENT' }) }),
  });
  return { runtime, counts: clients.counts };
}

async function storedCounts(sourceIp: string) {
  const doc = DynamoDBDocumentClient.from(stack.dynamodb);
  const out = await doc.send(new GetCommand({ TableName: stack.runtime.config.sessionsTable, Key: { pk: `THROTTLE#demo#${sourceIp}#${Math.floor(clock / WINDOW)}` } }));
  return out.Item;
}

before(async () => {
  stack = await freshStack({ now: () => clock, authFailureLimits: [30, 10] });
});

describe('failed client authentication is throttled per client and source, and per source', () => {
  it('past 10 failures for one client from one address, that pair gets 429 with Retry-After, even with the right secret', async () => {
    stack.resetCounts();
    for (let i = 0; i < 10; i++) assert.equal((await attempt('wrong', '203.0.113.7')).status, 401);
    const blocked = await attempt('wrong', '203.0.113.7');
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error, 'too_many_requests');
    // Sliding window: 11 failures in this window weigh 9 (one under the limit) after 60 * 2/11 s of the next.
    assert.equal(blocked.headers['Retry-After'], String(WINDOW - 5 + Math.ceil(WINDOW * (1 - 9 / 11))));
    assert.equal((await attempt('full-secret', '203.0.113.7')).status, 429);
    assert.equal(stack.counts.UpdateItemCommand, 11, 'one write per failure; none for the refused attempt that was not checked');
    assert.equal((await storedCounts('203.0.113.7'))?.n, 11);
  });

  it('a second runtime on the same tables refuses after the first one’s failures, counting one write per failure', async () => {
    const other = secondRuntime();
    const refused = await attempt('wrong', '203.0.113.7', 'full-scope-client', other.runtime);
    assert.equal(refused.status, 429, 'its first failure for that pair is counted and refused');
    assert.equal(other.counts.UpdateItemCommand, 1);
    assert.equal((await storedCounts('203.0.113.7'))?.n, 12);
    // Now it knows: the pair is refused before any secret is checked, and nothing more is written.
    assert.equal((await attempt('full-secret', '203.0.113.7', 'full-scope-client', other.runtime)).status, 429);
    assert.equal(other.counts.UpdateItemCommand, 1);
  });

  it('the real client, from its own address, is not locked out by the attacker', async () => {
    assert.equal((await attempt('full-secret', '198.51.100.20')).status, 200);
  });

  it('one address failing across many client ids is stopped past 30 failures, but a client with its right secret behind it is not', async () => {
    for (let i = 0; i < 30; i++) assert.equal((await attempt('wrong', '203.0.113.99', `made-up-${i}`)).status, 401);
    assert.equal((await attempt('wrong', '203.0.113.99', 'made-up-31')).status, 429);
    assert.equal((await attempt('wrong', '203.0.113.99', 'full-scope-client')).status, 429, 'a wrong secret of a real client looks the same');
    assert.equal((await attempt('full-secret', '203.0.113.99')).status, 200, 'the honest client behind the same NAT still gets its token');
    const other = secondRuntime();
    assert.equal((await attempt('wrong', '203.0.113.99', 'made-up-32', other.runtime)).status, 429, 'another container refuses too');
    assert.equal((await attempt('full-secret', '203.0.113.99', 'full-scope-client', other.runtime)).status, 200);
  });

  it('a window boundary does not double the allowance', async () => {
    clock = clock - (clock % WINDOW) + WINDOW + 55; // 55 s into a fresh window
    const source = '203.0.113.150';
    let through = 0;
    for (let i = 0; i < 40; i++) if ((await attempt('wrong', source, `boundary-${i}`)).status === 401) through++;
    clock += 7; // 2 s into the next window
    for (let i = 40; i < 80; i++) if ((await attempt('wrong', source, `boundary-${i}`)).status === 401) through++;
    // Fixed windows would let 30 + 30 through in these 7 s. The sliding estimate still weighs the previous
    // window's 40 counted failures (refused ones count too) at 58/60: nothing more gets through.
    assert.equal(through, 30);
  });

  it('the counters expire as the window slides', async () => {
    clock += 2 * WINDOW;
    assert.equal((await attempt('full-secret', '203.0.113.7')).status, 200);
    assert.equal((await attempt('wrong', '203.0.113.99', 'made-up-0')).status, 401);
  });

  it('a successful grant costs no extra DynamoDB request for the protection', async () => {
    await attempt('full-secret', '198.51.100.20');
    stack.resetCounts();
    assert.equal((await attempt('full-secret', '198.51.100.20')).status, 200);
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 1, SignCommand: 1 });
  });
});
