import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import type { RealmSettings } from '../../lib/model/stored.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * Parallel refreshes of one token against DynamoDB Local. Without rotation nothing is decided by
 * a race, so every one of them must succeed; with rotation, exactly the allowed number do (see
 * also sessions.test.ts for the 20-concurrent single-use case).
 */
const OIDC = '/realms/demo/protocol/openid-connect';
const PRODUCT = { authorization: basic('product-sa-client', 'password') };
let stack: TestStack;

async function token(body: string) {
  // 50 requests at once on two shared cores can outlast the 8 s per-request budget; what is tested here is
  // who wins, not how fast, so the budget is out of the way.
  const handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined, budgetMs: 60_000 });
  const res = await handler(apiEvent({ path: `${OIDC}/token`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...PRODUCT }, body }));
  return { status: res.statusCode!, body: JSON.parse(res.body!) };
}
const refresh = (rt: string) => token(`grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`);

async function setRealm(changes: Partial<RealmSettings>) {
  const data = (await stack.table.loadRealm('demo'))!;
  await stack.table.putItem('demo', { kind: 'settings', ...data.settings, ...changes });
}

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
});

describe('parallel refreshes of one token', () => {
  it('revokeRefreshToken off: 50 in parallel all succeed, in the same session, and write only the time of use', async () => {
    await setRealm({ revokeRefreshToken: false });
    const first = (await token('grant_type=client_credentials')).body;
    stack.resetCounts();
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh(first.refresh_token)));
    const statuses = results.map((r) => r.status);
    console.log(`# 50 parallel refreshes, rotation off: ${statuses.filter((s) => s === 200).length} × 200`);
    assert.deepEqual(statuses, Array(50).fill(200), JSON.stringify(results.find((r) => r.status !== 200)?.body));
    assert.ok(results.every((r) => r.body.session_state === first.session_state));
    // The same credential each time: each answer is a JWT around it with a fresh `exp` (docs/refresh-tokens.md).
    const credential = (rt: string) => `${decodeJwt(rt).sid}.${decodeJwt(rt).jti}`;
    assert.ok(results.every((r) => credential(r.body.refresh_token) === credential(first.refresh_token)));
    // One session read and one use recorded per refresh: no retries, no replaced session.
    assert.equal(stack.counts.UpdateItemCommand, 50);
    assert.equal(stack.counts.PutItemCommand, undefined);
    // Nothing rotated: the first token and every one handed out still work.
    assert.equal((await refresh(first.refresh_token)).status, 200);
    assert.equal((await refresh(results[49]!.body.refresh_token)).status, 200);
  });

  it('revokeRefreshToken on with refreshTokenMaxReuse 3: of 50 in parallel, exactly 1 + 3 succeed', async () => {
    await setRealm({ revokeRefreshToken: true, refreshTokenMaxReuse: 3 });
    try {
      const first = (await token('grant_type=client_credentials')).body;
      const results = await Promise.all(Array.from({ length: 50 }, () => refresh(first.refresh_token)));
      const ok = results.filter((r) => r.status === 200).length;
      console.log(`# 50 parallel refreshes, rotation on, max reuse 3: ${ok} × 200`);
      assert.equal(ok, 4, JSON.stringify(results.filter((r) => r.status !== 200).map((r) => r.body.error_description)));
      const others = results.filter((r) => r.status !== 200);
      assert.ok(others.every((r) => r.status === 400 && r.body.error === 'invalid_grant'), JSON.stringify(others.find((r) => r.status !== 400)));
    } finally {
      await setRealm({ revokeRefreshToken: true, refreshTokenMaxReuse: 0 });
    }
  });
});
