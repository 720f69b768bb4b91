import { LoadingCache } from './cache.js';
import type { ClientsTable } from './store/clientsTable.js';
import type { ClientRecord } from './store/model.js';

const MAX_ENTRIES = 10_000;

/**
 * Per-container cache of client records, unknown clients included, with a bounded lifetime
 * (CLIENT_CACHE_TTL_SECONDS; 0 in the local stack, so every change shows on the next request).
 * A warm grant then reads nothing from DynamoDB: measured with `npm run bench`, one SDK call costs
 * more CPU than an RS256 signature. A disabled client, a rotated secret or a changed role mapping
 * therefore takes effect within the TTL, as Keycloak's own client cache does between nodes.
 */
export class ClientCache {
  private readonly entries: LoadingCache<string, ClientRecord | undefined>;

  constructor(
    private readonly table: ClientsTable,
    private readonly ttlSeconds: number,
    nowMs: () => number = Date.now,
  ) {
    this.entries = new LoadingCache({ maxEntries: MAX_ENTRIES, ttlMs: ttlSeconds * 1000, nowMs });
  }

  /** Puts a realm's clients in the cache, read at init (PRELOAD_REALMS); nothing when caching is off. */
  prime(realm: string, clients: ClientRecord[]): void {
    if (this.ttlSeconds === 0) return;
    for (const client of clients) this.entries.prime(`${realm}\u0000${client.clientId}`, client);
  }

  get(realm: string, clientId: string): Promise<ClientRecord | undefined> {
    if (this.ttlSeconds === 0) return this.table.getClient(realm, clientId);
    return this.entries.get(`${realm}\u0000${clientId}`, () => this.table.getClient(realm, clientId));
  }
}
