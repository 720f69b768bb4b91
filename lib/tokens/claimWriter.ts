import { isDeepStrictEqual } from 'node:util';
import { claimPath } from '../model/claimPath.js';
import { isForbiddenKey } from '../model/userKeys.js';
import type { ClaimWrite, TokenKind } from './mappers/types.js';
import { mayWrite, type ClaimAuthor } from './reservedClaims.js';

type Json = Record<string, unknown>;

/**
 * Claims that are fields of Keycloak's token classes: a mapper path starting with one of them
 * sets the field (for `aud`, the whole audience) and must be that one component
 * (OIDCAttributeMapperHelper.mapClaim's tokenPropertySetters).
 */
const FIELD_CLAIMS = new Set(['sub', 'azp', 'acr', 'auth_time', 'aud']);
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
    const aud = base.aud;
    // Null prototypes all the way down: no key, whatever a stored mapper says, reaches Object.prototype (issue 17 F1).
    this.claims = container();
    for (const key of Object.keys(base)) if (key !== 'aud') this.claims[key] = base[key];
    this.audience = aud === undefined ? [] : Array.isArray(aud) ? aud.map(String) : [String(aud)];
  }

  /** Keycloak's JsonWebToken.addAudience: appended once, in order. */
  addAudience(value: string): void {
    if (!this.audience.includes(value)) this.audience.push(value);
  }

  /** One claim write of a mapper of type `author`; a write the rules refuse is dropped, as Keycloak drops refused claims with a warning. */
  write(write: Extract<ClaimWrite, { kind: 'claim' }>, author: ClaimAuthor): void {
    if (write.value === undefined) return;
    const path = claimPath(write.name);
    const head = path[0];
    // Refused at write time; a path stored before that rule, or straight into the table, is still never followed.
    if (head === undefined || path.some(isForbiddenKey)) return;
    if (!mayWrite(author, head)) return;
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
      if (!isObject(child)) parent[key] = container();
      parent = parent[key] as Json;
    }
    const key = path[path.length - 1]!;
    parent[key] = merged(parent[key], write);
  }

  /** The claims with `aud` in place and Keycloak's field order first (exp, iat, jti, iss, aud, sub, typ, azp, …). */
  result(order: readonly string[]): Json {
    const aud = this.audience.length === 0 ? undefined : this.audience.length === 1 ? this.audience[0] : [...this.audience];
    const valueOf = (key: string) => (key === 'aud' && aud !== undefined ? aud : this.claims[key]);
    // Built once as entries, without an intermediate Map or a search of `order` per claim: this runs
    // for every token, and `npm run bench` profiled the earlier form at a tenth of a grant's claims.
    const entries: [string, unknown][] = [];
    for (const key of order) {
      const value = valueOf(key);
      if (value !== undefined) entries.push([key, plain(value)]);
    }
    const ordered = orderSet(order);
    // The claims are a null-prototype object: for…in sees only its own keys.
    for (const key in this.claims) {
      const value = valueOf(key);
      if (!ordered.has(key) && value !== undefined) entries.push([key, plain(value)]);
    }
    if (aud !== undefined && !ordered.has('aud') && this.claims.aud === undefined) entries.push(['aud', aud]);
    // Object.fromEntries defines own properties, so even a `__proto__` key would stay data.
    return Object.fromEntries(entries) as Json;
  }
}

/** Each claim order (a module constant) as a set, made once. */
const orderSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function orderSet(order: readonly string[]): ReadonlySet<string> {
  let set = orderSets.get(order);
  if (!set) orderSets.set(order, (set = new Set(order)));
  return set;
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

function container(): Json {
  return Object.create(null) as Json;
}

/** The writer's null-prototype containers as ordinary objects (what every reader and deepEqual expects). */
function plain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(plain);
  const entries: [string, unknown][] = [];
  for (const key of Object.keys(value)) entries.push([key, plain((value as Json)[key])]);
  return Object.fromEntries(entries);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
