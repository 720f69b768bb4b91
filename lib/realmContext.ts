import { FreshReads, LoadingCache } from './cache.js';
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
  /**
   * The realm's version when it was read (ClientsTable.realmVersion): the client cache keeps its
   * entries under it. Absent where a cache does not track versions (the admin function's).
   */
  version?: number;
  keys: KeyRing;
  /** The realm's wrapped client-secret pepper, if it has one (lib/clientAuth/secretPepper.ts). */
  pepperCiphertext?: string;
  /** Signs and verifies the realm's JWT refresh tokens; absent until the realm has its key. */
  refreshKey?: RefreshTokenKey;
  /** Identity providers and federated clients, for `federated-jwt` client authentication. */
  federation?: Federation;
}

/**
 * How long a container may keep a realm whose version has not moved before it reads the whole
 * realm again anyway: a backstop for a write whose version bump never landed (the writer crashed
 * between the two) or a writer that does not bump (an older CLI during an upgrade).
 */
export const REALM_RELOAD_BACKSTOP_SECONDS = 900;

interface Loaded {
  version: number;
  loadedAt: number;
  context: RealmContext | undefined;
}

/**
 * Per-container cache of realm contexts. Within REALM_CACHE_TTL_SECONDS of its last check a realm
 * is used as it is; after that one small GetItem reads the realm's version, and only a version
 * that moved (or the backstop's age) costs the realm's paginated Query. With a TTL of 0, as in the
 * local stack, every request reads the version, so an admin change shows on the next request for
 * one GetItem instead of a whole realm. Concurrent misses share one load. Unknown realms are
 * cached too, so a flood of requests for made-up realm names costs one version read per name and
 * TTL.
 */
export class RealmCache {
  private readonly entries: LoadingCache<string, Loaded>;
  /** Concurrent requests share a version read begun after they arrived (lib/cache.ts FreshReads). */
  private readonly versions: FreshReads<string, number>;

  constructor(
    private readonly table: ClientsTable,
    private readonly signers: SignerCache,
    private readonly ttlSeconds: number,
    /** Unwrap envelope keys when a realm loads: only in functions that sign (see RuntimeOverrides.signsTokens). */
    private readonly options: { warmSigners: boolean } = { warmSigners: false },
    private readonly nowMs: () => number = Date.now,
  ) {
    this.entries = new LoadingCache({ maxEntries: 1000, ttlMs: ttlSeconds * 1000, nowMs });
    this.versions = new FreshReads((realm) => this.table.realmVersion(realm));
  }

  async get(realm: string): Promise<RealmContext> {
    // A name no realm can have is a 404 without a read.
    if (!mayNameStoredRealm(realm)) throw realmNotFound();
    const { context } = await this.entries.get(realm, (expired) => (expired ? this.revalidate(realm, expired) : this.load(realm)));
    if (!context || !context.settings.enabled) throw realmNotFound();
    return context;
  }

  /** The realm as held, when its version has not moved and it is younger than the backstop; else read again. */
  private async revalidate(realm: string, expired: Promise<Loaded>): Promise<Loaded> {
    const [held, version] = await Promise.all([expired, this.versions.get(realm)]);
    const backstopMs = Math.max(REALM_RELOAD_BACKSTOP_SECONDS, this.ttlSeconds) * 1000;
    if (version === held.version && this.nowMs() < held.loadedAt + backstopMs) return held;
    return this.load(realm, version);
  }

  /** The version first, then the realm: a write landing in between makes the next check reload, never hides. */
  private async load(realm: string, knownVersion?: number): Promise<Loaded> {
    const version = knownVersion ?? (await this.versions.get(realm));
    const loadedAt = this.nowMs();
    const data = await this.table.loadRealm(realm);
    if (!data) return { version, loadedAt, context: undefined };
    const context = {
      ...tokenRealm(data),
      version,
      keys: new KeyRing(realm, data.keys, this.signers),
      pepperCiphertext: data.pepperCiphertext,
      federation: { identityProviders: data.identityProviders ?? [], links: data.federatedLinks ?? [] },
      ...(data.refreshKey ? { refreshKey: this.signers.refreshKey(realm, data.refreshKey) } : {}),
    };
    if (this.options.warmSigners) context.keys.warm();
    return { version, loadedAt, context };
  }
}
