import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogWriter } from '../../lib/logWriter.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { Observability } from '../../lib/observability.js';
import { createRuntime, preloadRealms } from '../../lib/runtime.js';
import { basicGrant } from '../support/events.js';
import { countingClients, freshStack } from '../support/localAws.js';

/**
 * PRELOAD_REALMS (issue 13, target 3): a container that preloads a realm at init answers its first
 * grant with no DynamoDB or KMS call. Counted on the SDK clients, against DynamoDB Local and the
 * local KMS, with envelope signing and the deployed client cache (30 s), for a client without
 * refresh tokens (a client with them writes its session: that is the grant, not loading).
 */
async function coldContainer(preload: string[]) {
  const stack = await freshStack({ signingMode: 'envelope' });
  // A new container on the same tables: its own (counting) SDK clients and empty caches.
  const { dynamodb, kms, counts, reset } = countingClients();
  const runtime = createRuntime({
    config: { ...stack.runtime.config, clientCacheTtlSeconds: 30, preloadRealms: preload },
    dynamodb,
    kms,
    observability: new Observability({ logger: new LogWriter({ logLevel: 'SILENT' }) }),
  });
  const handler = httpHandler((request) => tokenEndpoint(runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  return { runtime, handler, counts, resetCounts: reset, kms };
}

describe('PRELOAD_REALMS: a warm first request', () => {
  it('loads the realm, its clients and unwraps its envelope keys at init; the first grant then calls nothing', async () => {
    const container = await coldContainer(['demo']);
    container.resetCounts();
    await preloadRealms(container.runtime, { signsTokens: true, authenticatesClients: true });
    // The realm's version (GetItem), the realm's three ranged Queries (settings, roles, scopes, keys,
    // wrapped pepper: ClientsTable.loadRealm), one for its clients; Decrypt for each active envelope key (RS256, ES256), the pepper
    // and the refresh-token key.
    assert.deepEqual(container.counts, { GetItemCommand: 1, QueryCommand: 4, DecryptCommand: 4 });

    container.resetCounts();
    const first = await basicGrant(container.handler, 'demo', 'full-scope-client', 'full-secret');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(container.counts, {});
  });

  it('without preloading, the first grant reads the realm and the client and unwraps the key (what preloading moves to init)', async () => {
    const container = await coldContainer([]);
    await preloadRealms(container.runtime, { signsTokens: true, authenticatesClients: true });
    assert.deepEqual(container.counts, {});
    const first = await basicGrant(container.handler, 'demo', 'full-scope-client', 'full-secret');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // The realm's version, the realm (three ranged Queries, with its wrapped pepper) and the client; the pepper and the RS256 key unwrapped.
    assert.deepEqual(container.counts, { QueryCommand: 3, GetItemCommand: 2, DecryptCommand: 2 });
  });

  it('a realm that does not exist, or a failing preload, leaves init alive and the first request to load lazily', async () => {
    const container = await coldContainer(['no-such-realm', 'demo']);
    container.kms.middlewareStack.add(
      (() => async () => {
        throw Object.assign(new Error('KMS is down'), { name: 'KMSInternalException', $fault: 'server' });
      }) as never,
      { step: 'initialize', name: 'failKms' },
    );
    await preloadRealms(container.runtime, { signsTokens: true, authenticatesClients: true }); // resolves: only logged
    container.kms.middlewareStack.remove('failKms');
    container.resetCounts();
    const first = await basicGrant(container.handler, 'demo', 'full-scope-client', 'full-secret');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // The realm and clients were loaded; the pepper and key unwraps failed at init and are retried now.
    assert.deepEqual(container.counts, { DecryptCommand: 2 });
  });
});
