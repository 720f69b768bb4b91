import type { ClientsTable } from './store/clientsTable.js';
import type { ClientRecord } from './store/model.js';

const MAX_ENTRIES = 10_000;

/**
 * Per-container cache of client records, unknown clients included, with a bounded lifetime
 * (CLIENT_CACHE_TTL_SECONDS; 0 turns it off). Each entry remembers the realm version it was read
 * at, and a request that knows the realm's current version (from the realm cache, which checks it
 * every REALM_CACHE_TTL_SECONDS) re-reads a client read under another version: every write of a
 * realm's items bumps its version (lib/store/clientsTable.ts). A disabled client, a rotated secret
 * or a changed role mapping therefore takes effect within the shorter of the two TTLs; in the
 * local stack (realm TTL 0) on the next request. A warm grant reads nothing from DynamoDB:
 * measured with `npm run bench`, one SDK call costs more CPU than an RS256 signature.
 */
export class ClientCache {
  private readonly entries = new Map<string, { expires: number; version: number | undefined; client: Promise<ClientRecord | undefined> }>();

  constructor(
    private readonly table: ClientsTable,
    private readonly ttlSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Puts a realm's clients in the cache, read at init (PRELOAD_REALMS); nothing when caching is off. */
  /** `version`: the realm's version read before the clients were. */
  prime(realm: string, clients: ClientRecord[], version: number | undefined): void {
    if (this.ttlSeconds === 0) return;
    const expires = this.nowMs() + this.ttlSeconds * 1000;
    for (const client of clients.slice(0, MAX_ENTRIES - this.entries.size)) {
      this.entries.set(`${realm}\u0000${client.clientId}`, { expires, version, client: Promise.resolve(client) });
    }
  }

  /** `realmVersion`: the realm's version as this request knows it, read before the client is. */
  get(realm: string, clientId: string, realmVersion?: number): Promise<ClientRecord | undefined> {
    if (this.ttlSeconds === 0) return this.table.getClient(realm, clientId);
    const key = `${realm}\u0000${clientId}`;
    const now = this.nowMs();
    const cached = this.entries.get(key);
    if (cached && cached.expires > now && cached.version === realmVersion) return cached.client;
    const client = this.table.getClient(realm, clientId);
    if (!cached && this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { expires: now + this.ttlSeconds * 1000, version: realmVersion, client });
    client.catch(() => this.entries.delete(key)); // a failed read is not remembered
    return client;
  }
}
