import { isDeepStrictEqual } from 'node:util';
import { claimPath } from './mappers/claimName.js';
import type { ClaimWrite, TokenKind } from './mappers/types.js';

type Json = Record<string, unknown>;

/**
 * Claims that are fields of Keycloak's token classes: a mapper path starting with one of them
 * sets the field (for `aud`, the whole audience) and must be that one component
 * (OIDCAttributeMapperHelper.mapClaim).
 */
const FIELD_CLAIMS = new Set(['sub', 'azp', 'acr', 'auth_time', 'aud']);
/** Fields a mapper may not set: Keycloak refuses them with a warning. */
const REFUSED_CLAIMS = new Set(['jti', 'typ', 'iat', 'exp', 'iss', 'scope', 'nonce', 'session_state']);
/** Members of the token endpoint's own response that a token-response mapper cannot overwrite. */
const RESPONSE_MEMBERS = new Set([
  'access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type', 'id_token', 'not-before-policy', 'session_state', 'scope',
  'error', 'error_description',
]);

/**
 * A token (or token response) being built: its claims, and its audience kept as a list until the
 * end (Keycloak's StringOrArraySerializer: absent when empty, a string when one, else an array).
 */
export class ClaimWriter {
  readonly claims: Json;
  private audience: string[];

  constructor(
    readonly kind: TokenKind,
    base: Json,
  ) {
    const { aud, ...rest } = base;
    this.claims = rest;
    this.audience = aud === undefined ? [] : Array.isArray(aud) ? aud.map(String) : [String(aud)];
  }

  /** Keycloak's JsonWebToken.addAudience: appended once, in order. */
  addAudience(value: string): void {
    if (!this.audience.includes(value)) this.audience.push(value);
  }

  write(write: Extract<ClaimWrite, { kind: 'claim' }>): void {
    if (write.value === undefined) return;
    const path = claimPath(write.name);
    const head = path[0];
    if (head === undefined || REFUSED_CLAIMS.has(head)) return;
    if (this.kind === 'tokenResponse' && RESPONSE_MEMBERS.has(head)) return;
    if (FIELD_CLAIMS.has(head) && this.kind !== 'tokenResponse') {
      if (path.length !== 1) return;
      if (head === 'aud') this.audience = (Array.isArray(write.value) ? write.value : [write.value]).map(String);
      else this.claims[head] = write.value;
      return;
    }
    let parent = this.claims;
    for (const key of path.slice(0, -1)) {
      const child = parent[key];
      // A non-object in the way is replaced, as Keycloak's mapClaim does.
      if (!isObject(child)) parent[key] = {};
      parent = parent[key] as Json;
    }
    const key = path[path.length - 1]!;
    parent[key] = merged(parent[key], write);
  }

  /** The claims with `aud` in place and Keycloak's field order first (exp, iat, jti, iss, aud, sub, typ, azp, …). */
  result(order: readonly string[]): Json {
    const aud = this.audience.length === 0 ? undefined : this.audience.length === 1 ? this.audience[0] : [...this.audience];
    const all: Json = { ...this.claims, ...(aud === undefined ? {} : { aud }) };
    const out: Json = {};
    for (const key of order) if (all[key] !== undefined) out[key] = all[key];
    for (const [key, value] of Object.entries(all)) if (!(key in out) && value !== undefined) out[key] = value;
    return out;
  }
}

/**
 * Single-valued: the last writer wins. Multivalued: appended to what is there as a collection
 * without duplicates; `addAll` keeps duplicates (role mappers on a custom path extend the list).
 */
function merged(existing: unknown, write: Extract<ClaimWrite, { kind: 'claim' }>): unknown {
  if (!write.multivalued || existing === undefined) return write.value;
  const before = Array.isArray(existing) ? existing : [existing];
  const added = Array.isArray(write.value) ? write.value : [write.value];
  if (write.addAll) return [...before, ...added];
  const out = [...before];
  for (const value of added) if (!out.some((v) => isDeepStrictEqual(v, value))) out.push(value);
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
