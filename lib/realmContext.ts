import { LoadingCache } from './cache.js';
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
  private readonly entries: LoadingCache<string, RealmContext | undefined>;

  constructor(
    private readonly table: ClientsTable,
    private readonly signers: SignerCache,
    ttlSeconds: number,
    /** Unwrap envelope keys when a realm loads: only in functions that sign (see RuntimeOverrides.signsTokens). */
    private readonly options: { warmSigners: boolean } = { warmSigners: false },
    nowMs: () => number = Date.now,
  ) {
    this.entries = new LoadingCache({ maxEntries: 1000, ttlMs: ttlSeconds * 1000, nowMs });
  }

  async get(realm: string): Promise<RealmContext> {
    // A name no realm can have is a 404 without a read.
    if (!mayNameStoredRealm(realm)) throw realmNotFound();
    const context = await this.entries.get(realm, () => this.load(realm));
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
