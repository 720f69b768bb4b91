import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { RealmCache, REALM_RELOAD_BACKSTOP_SECONDS } from '../../lib/realmContext.js';
import { SignerCache } from '../../lib/signing/keyRing.js';
import { basic, apiEvent } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * The realm version (lib/store/clientsTable.ts): every write bumps it, and containers read it
 * instead of the whole realm once their cache time has passed. Against DynamoDB Local, counting
 * the SDK's commands.
 */
describe('realm version: caches on, admin changes still on the next request', () => {
  // The local stack's settings: the realm's version checked on every request, clients cached under it.
  let stack: TestStack;
  let handler: ReturnType<typeof httpHandler>;
  const grant = async (clientId = 'full-scope-client', secret = 'full-secret') => {
    const res = await handler(apiEvent({ path: TOKEN_PATH, headers: { ...FORM, authorization: basic(clientId, secret) }, body: 'grant_type=client_credentials' }));
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
  };

  before(async () => {
    stack = await freshStack({ signingMode: 'envelope', realmCacheTtlSeconds: 0, clientCacheTtlSeconds: 300 });
    handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { log: () => undefined });
  });

  it('a warm grant reads the realm version and nothing else', async () => {
    assert.equal((await grant()).status, 200);
    stack.resetCounts();
    assert.equal((await grant()).status, 200);
    // Before the version item the same grant cost the realm's Query and the client's GetItem.
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 1 });
  });

  it('concurrent grants share version reads, each begun after its grant arrived: 20 grants, at most 2 GetItems', async () => {
    assert.equal((await grant()).status, 200);
    stack.resetCounts();
    const answers = await Promise.all(Array.from({ length: 20 }, () => grant()));
    assert.deepEqual(answers.map((answer) => answer.status), Array(20).fill(200));
    // The first grant's read, and one shared by the 19 that arrived while it was under way (lib/cache.ts FreshReads).
    assert.ok(stack.counts.GetItemCommand! <= 2, `${stack.counts.GetItemCommand} GetItems`);
    assert.deepEqual(Object.keys(stack.counts), ['GetItemCommand']);
  });

  it('a write to the realm shows on the next grant, at the cost of one reload', async () => {
    const before = await grant();
    assert.equal(before.status, 200);
    assert.equal(decodeJwt(before.body.access_token).exp! - decodeJwt(before.body.access_token).iat!, 300);
    const settings = (await stack.table.loadRealm('demo'))!.settings;
    await stack.table.putItem('demo', { kind: 'settings', ...settings, accessTokenLifespan: 120 });
    stack.resetCounts();
    const after = await grant();
    assert.equal(after.status, 200);
    assert.equal(decodeJwt(after.body.access_token).exp! - decodeJwt(after.body.access_token).iat!, 120);
    // Version, the realm's load (three ranged Queries), and the client read again (its cached copy predates the new version).
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 2, QueryCommand: 3 });
  });

  it('a disabled client is refused on the next grant although its record was cached', async () => {
    assert.equal((await grant()).status, 200);
    const client = (await stack.table.getClient('demo', 'full-scope-client'))!;
    await stack.table.putClient({ ...client, enabled: false });
    assert.equal((await grant()).status, 401);
    await stack.table.putClient(client);
    assert.equal((await grant()).status, 200);
  });
});

describe('realm version: a deployed container past its realm cache time', () => {
  let stack: TestStack;
  before(async () => {
    stack = await freshStack();
  });

  it('reads one small item, not the realm, while the realm is unchanged; reloads when it moved', async () => {
    let nowMs = 1_000_000;
    const cache = new RealmCache(stack.table, new SignerCache(stack.kms), 60, { warmSigners: false }, () => nowMs);
    const first = await cache.get('demo');
    stack.resetCounts();
    nowMs += 61_000;
    assert.equal(await cache.get('demo'), first, 'the same context, kept');
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 1 });

    stack.resetCounts();
    nowMs += 30_000;
    await cache.get('demo');
    assert.deepEqual({ ...stack.counts }, {}, 'within the TTL of the last check: no read');

    await stack.table.putItem('demo', { kind: 'settings', ...first.settings, accessTokenLifespan: 90 });
    stack.resetCounts();
    nowMs += 61_000;
    const reloaded = await cache.get('demo');
    assert.equal(reloaded.settings.accessTokenLifespan, 90);
    assert.ok(reloaded.version! > first.version!);
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 1, QueryCommand: 3 });
  });

  it('reloads an unchanged realm after the backstop, in case a bump was lost', async () => {
    let nowMs = 1_000_000;
    const cache = new RealmCache(stack.table, new SignerCache(stack.kms), 60, { warmSigners: false }, () => nowMs);
    await cache.get('demo');
    stack.resetCounts();
    nowMs += REALM_RELOAD_BACKSTOP_SECONDS * 1000 + 1;
    await cache.get('demo');
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 1, QueryCommand: 3 });
  });

  it('a realm deleted and made again never shows an old version number', async () => {
    const v1 = await stack.table.realmVersion('demo');
    const settings = (await stack.table.loadRealm('demo'))!.settings;
    await stack.table.deleteItem('demo', { kind: 'settings' });
    await stack.table.putItem('demo', { kind: 'settings', ...settings });
    assert.equal(await stack.table.realmVersion('demo'), v1 + 2);
  });
});
