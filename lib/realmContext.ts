import { mayNameStoredRealm } from './admin/realmName.js';
import type { Federation } from './clientAuth/method.js';
import { realmNotFound } from './http/errors.js';
import { KeyRing, type SignerCache } from './signing/keyRing.js';
import type { RefreshTokenKey } from './signing/refreshKey.js';
import type { ClientsTable } from './store/clientsTable.js';
import { tokenRealm, type TokenRealm } from './tokens/tokenContext.js';

/**
 * A realm's rarely-changing data, indexed for the grants: roles, client scopes with their
 * protocol mappers compiled, groups, and signing keys.
 */
export interface RealmContext extends TokenRealm {
  keys: KeyRing;
  /** The realm's wrapped client-secret pepper, if it has one (lib/clientAuth/secretPepper.ts). */
  pepperCiphertext?: string;
  /** Signs and verifies the realm's JWT refresh tokens; absent until the realm has its key. */
  refreshKey?: RefreshTokenKey;
  /** Identity providers and federated clients, for `federated-jwt` client authentication. */
  federation?: Federation;
}

/**
 * Per-container cache of realm contexts with a bounded lifetime (REALM_CACHE_TTL_SECONDS).
 * A miss costs one paginated Query; concurrent misses share it. Unknown realms are cached too,
 * so a flood of requests for made-up realms costs one read per realm name and lifetime.
 */
export class RealmCache {
  private readonly entries = new Map<string, { expires: number; context: Promise<RealmContext | undefined> }>();

  constructor(
    private readonly table: ClientsTable,
    private readonly signers: SignerCache,
    private readonly ttlSeconds: number,
    /** Unwrap envelope keys when a realm loads: only in functions that sign (see RuntimeOverrides.signsTokens). */
    private readonly options: { warmSigners: boolean } = { warmSigners: false },
    private readonly nowMs: () => number = Date.now,
  ) {}

  async get(realm: string): Promise<RealmContext> {
    // A name no realm can have is a 404 without a read.
    if (!mayNameStoredRealm(realm)) throw realmNotFound();
    const now = this.nowMs();
    let entry = this.entries.get(realm);
    if (!entry || entry.expires <= now) {
      entry = { expires: now + this.ttlSeconds * 1000, context: this.load(realm) };
      if (this.entries.size >= 1000) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(realm, entry);
      // A failed load must not be cached: the next request tries again.
      entry.context.catch(() => this.entries.delete(realm));
    }
    const context = await entry.context;
    if (!context || !context.settings.enabled) throw realmNotFound();
    return context;
  }

  private async load(realm: string): Promise<RealmContext | undefined> {
    const data = await this.table.loadRealm(realm);
    if (!data) return undefined;
    const context = {
      ...tokenRealm(data),
      keys: new KeyRing(realm, data.keys, this.signers),
      pepperCiphertext: data.pepperCiphertext,
      federation: { identityProviders: data.identityProviders ?? [], links: data.federatedLinks ?? [] },
      ...(data.refreshKey ? { refreshKey: this.signers.refreshKey(realm, data.refreshKey) } : {}),
    };
    if (this.options.warmSigners) context.keys.warm();
    return context;
  }
}
