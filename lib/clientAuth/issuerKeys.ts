import { createHash } from 'node:crypto';
import { exportJWK, importJWK, importSPKI, type JWK, type JSONWebKeySet } from 'jose';

type KeyObjectLike = Awaited<ReturnType<typeof importJWK>>;
import { identityProviderType, type IdentityProvider, type KeySource } from '../model/identityProvider.js';
import { fetchDocument, type FetchLimits } from './guardedRequest.js';

/** Thrown when an identity provider's keys cannot be had; the caller answers invalid_client. */
export class IssuerKeysUnavailable extends Error {}

export interface IssuerKeysOptions extends FetchLimits {
  /** An unknown `kid` refetches, at most this often per IdP (Keycloak's `minTimeBetweenRequests`, 10 s). */
  minRefetchIntervalMs: number;
  /** A key set is trusted this long before it is fetched again (Keycloak's `maxCacheTime`, 24 h), unless a SPIFFE refresh hint says less. */
  maxCacheMs: number;
}

export const DEFAULT_ISSUER_KEYS_OPTIONS: IssuerKeysOptions = {
  timeoutMs: 2000,
  maxBytes: 64 * 1024,
  allowLoopbackHttp: false,
  minRefetchIntervalMs: 10_000,
  maxCacheMs: 24 * 3600_000,
};

/** Keycloak accepts JWKs without `use`; SPIFFE bundles mark theirs `jwt-svid` (SpiffeBundleEndpointLoader). */
const SIGNING_USES = new Set([undefined, 'sig', 'jwt-svid']);

interface Entry {
  keys: JWK[];
  fetchedAt: number;
  expiresAt: number;
  loading?: Promise<void>;
}

/**
 * Identity providers' verification keys, one cache entry per IdP and key source in the container
 * (Keycloak's PublicKeyStorageProvider per IdP): fetched from the admin-configured place only
 * (OIDC `jwksUrl`, Kubernetes discovery under the configured issuer, the SPIFFE bundle endpoint),
 * never from a URL in the request, under the URL and address rules of lib/clientAuth/jwksUrl.ts.
 * A `kid` the cached set lacks refetches at most once per `minRefetchIntervalMs`; concurrent
 * loads of one IdP share one fetch. An IdP's update changes its key source, hence its entry.
 */
export class IssuerKeys {
  private readonly entries = new Map<string, Entry>();
  /** Fetches made, for tests and the bench (a warm grant makes none). */
  fetches = 0;

  constructor(
    private readonly options: IssuerKeysOptions = DEFAULT_ISSUER_KEYS_OPTIONS,
    private readonly nowMs: () => number = Date.now,
    private readonly fetchDoc: (url: string, limits: FetchLimits, accept: string) => Promise<unknown> = fetchDocument,
  ) {}

  /** The JWKs that may have signed an assertion with this header (by `kid` when it has one, and `alg`). */
  async candidates(realm: string, idp: IdentityProvider, header: { kid?: string; alg: string }): Promise<JWK[]> {
    const source = identityProviderType(idp)?.keySource(idp.config) ?? { kind: 'none' };
    if (source.kind === 'none') throw new IssuerKeysUnavailable('the identity provider has no key source configured');
    if (source.kind === 'static') return [await staticJwk(source, header.alg)];
    const key = `${realm}\u0000${idp.internalId}\u0000${JSON.stringify(source)}`;
    let entry = this.entries.get(key);
    const now = this.nowMs();
    if (!entry || now >= entry.expiresAt) entry = await this.load(key, source);
    let found = matching(entry.keys, header);
    if (found.length === 0 && header.kid !== undefined && now - entry.fetchedAt >= this.options.minRefetchIntervalMs) {
      // The issuer rotated its keys since we fetched them.
      entry = await this.load(key, source);
      found = matching(entry.keys, header);
    }
    return found;
  }

  private async load(key: string, source: Exclude<KeySource, { kind: 'none' } | { kind: 'static' }>): Promise<Entry> {
    const current = this.entries.get(key);
    if (current?.loading) {
      await current.loading;
      return this.entries.get(key)!;
    }
    const loading = this.fetchKeys(source).then(({ keys, ttlMs }) => {
      const now = this.nowMs();
      if (this.entries.size >= 1000 && !this.entries.has(key)) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { keys, fetchedAt: now, expiresAt: now + Math.min(ttlMs, this.options.maxCacheMs) });
    });
    if (current) current.loading = loading;
    else this.entries.set(key, { keys: [], fetchedAt: 0, expiresAt: 0, loading });
    try {
      await loading;
    } catch (err) {
      const failed = this.entries.get(key);
      if (failed) delete failed.loading;
      if (failed && failed.fetchedAt === 0) this.entries.delete(key);
      throw new IssuerKeysUnavailable(`identity provider keys could not be loaded: ${(err as Error).message}`);
    }
    return this.entries.get(key)!;
  }

  private async fetchKeys(source: Exclude<KeySource, { kind: 'none' } | { kind: 'static' }>): Promise<{ keys: JWK[]; ttlMs: number }> {
    this.fetches++;
    switch (source.kind) {
      case 'jwks':
        return { keys: jwkSet(await this.fetchDoc(source.url, this.options, 'application/jwk-set+json, application/json')), ttlMs: this.options.maxCacheMs };
      case 'discovery': {
        // KubernetesJwksEndpointLoader: the configured issuer's discovery document names its JWKS. No
        // bearer token is ever attached: a realm admin must not be able to send ours anywhere.
        const discovery = await this.fetchDoc(`${source.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, this.options, 'application/json');
        const jwksUri = typeof discovery === 'object' && discovery !== null ? (discovery as Record<string, unknown>).jwks_uri : undefined;
        if (typeof jwksUri !== 'string') throw new Error('the discovery document has no jwks_uri');
        this.fetches++;
        return { keys: jwkSet(await this.fetchDoc(jwksUri, this.options, 'application/jwk-set+json, application/json')), ttlMs: this.options.maxCacheMs };
      }
      case 'spiffe-bundle': {
        const bundle = await this.fetchDoc(source.url, this.options, 'application/json');
        const hint = Number((bundle as Record<string, unknown> | null)?.spiffe_refresh_hint);
        return { keys: jwkSet(bundle), ttlMs: Number.isFinite(hint) && hint > 0 ? hint * 1000 : this.options.maxCacheMs };
      }
    }
  }
}

function jwkSet(document: unknown): JWK[] {
  const keys = (document as JSONWebKeySet | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('not a JWK set');
  return keys.filter((key): key is JWK => typeof key === 'object' && key !== null && typeof key.kty === 'string' && SIGNING_USES.has(key.use));
}

function matching(keys: JWK[], header: { kid?: string; alg: string }): JWK[] {
  return keys.filter((key) => (header.kid === undefined || key.kid === header.kid) && (key.alg === undefined || key.alg === header.alg) && ktyFits(key.kty!, header.alg));
}

/** The key type each JWS algorithm family needs (RFC 7518 §3, RFC 8037). */
function ktyFits(kty: string, alg: string): boolean {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return kty === 'RSA';
  if (alg.startsWith('ES')) return kty === 'EC';
  if (alg === 'EdDSA') return kty === 'OKP';
  return false;
}

const staticKeys = new Map<string, JWK>();

/** OIDC `publicKeySignatureVerifier`: a PEM public key (or a JWK as JSON) the admin pasted. */
async function staticJwk(source: Extract<KeySource, { kind: 'static' }>, alg: string): Promise<JWK> {
  const id = `${createHash('sha256').update(source.pem).digest('base64url')}\u0000${alg}`;
  const cached = staticKeys.get(id);
  if (cached) return cached;
  let jwk: JWK;
  try {
    jwk = source.pem.trim().startsWith('{') ? (JSON.parse(source.pem) as JWK) : { ...(await toJwk(source.pem, alg)), ...(source.kid ? { kid: source.kid } : {}) };
  } catch (err) {
    throw new IssuerKeysUnavailable(`the identity provider's validating public key is unusable: ${(err as Error).message}`);
  }
  if (staticKeys.size > 100) staticKeys.clear();
  staticKeys.set(id, jwk);
  return jwk;
}

async function toJwk(pem: string, alg: string): Promise<JWK> {
  const body = pem.includes('BEGIN') ? pem : `-----BEGIN PUBLIC KEY-----\n${pem.replace(/\s+/g, '')}\n-----END PUBLIC KEY-----`;
  return exportJWK(await importSPKI(body, alg, { extractable: true }));
}

/** Imports a JWK for one algorithm, cached by the key's own text. */
const imported = new Map<string, Promise<KeyObjectLike>>();
export function importedKey(jwk: JWK, alg: string): Promise<KeyObjectLike> {
  const id = `${alg}\u0000${JSON.stringify(jwk)}`;
  let key = imported.get(id);
  if (!key) {
    if (imported.size >= 1000) imported.delete(imported.keys().next().value!);
    key = importJWK(jwk, alg) as Promise<KeyObjectLike>;
    imported.set(id, key);
    key.catch(() => imported.delete(id));
  }
  return key;
}
