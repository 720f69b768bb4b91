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
  private readonly entries = new Map<string, { expires: number; client: Promise<ClientRecord | undefined> }>();

  constructor(
    private readonly table: ClientsTable,
    private readonly ttlSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Puts a realm's clients in the cache, read at init (PRELOAD_REALMS); nothing when caching is off. */
  prime(realm: string, clients: ClientRecord[]): void {
    if (this.ttlSeconds === 0) return;
    const expires = this.nowMs() + this.ttlSeconds * 1000;
    for (const client of clients.slice(0, MAX_ENTRIES - this.entries.size)) {
      this.entries.set(`${realm}\u0000${client.clientId}`, { expires, client: Promise.resolve(client) });
    }
  }

  get(realm: string, clientId: string): Promise<ClientRecord | undefined> {
    if (this.ttlSeconds === 0) return this.table.getClient(realm, clientId);
    const key = `${realm}\u0000${clientId}`;
    const now = this.nowMs();
    const cached = this.entries.get(key);
    if (cached && cached.expires > now) return cached.client;
    const client = this.table.getClient(realm, clientId);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { expires: now + this.ttlSeconds * 1000, client });
    client.catch(() => this.entries.delete(key)); // a failed read is not remembered
    return client;
  }
}
