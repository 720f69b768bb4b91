import { BoundedMap } from '../cache.js';
import { invalidScope } from '../http/errors.js';
import type { ClientRecord, ClientScope } from '../model/stored.js';

export interface ResolvedScope {
  /** The client scopes in effect: the client's defaults plus the optional ones requested. */
  clientScopes: ClientScope[];
  /** The `scope` claim and response field (Keycloak: openid if asked, then scopes included in token scope). */
  scope: string;
  openid: boolean;
}

/**
 * Checks a `scope` parameter against the client's default and optional client scopes
 * (Keycloak's TokenManager.isValidScope): `openid` is always allowed; any other name must be one of
 * the client's scopes, else `invalid_scope "Invalid scopes: <scope>"`.
 */
export function resolveScope(requested: string | undefined, client: ClientRecord, realmScopes: Map<string, ClientScope>): ResolvedScope {
  let memo = resolved.get(client);
  if (!memo || memo.realmScopes !== realmScopes) resolved.set(client, (memo = { realmScopes, byRequest: new BoundedMap(MAX_REQUESTS_PER_CLIENT) }));
  const key = requested ?? '';
  let scope = memo.byRequest.get(key);
  if (!scope) {
    scope = resolveAfresh(requested, client, realmScopes);
    Object.freeze(scope.clientScopes);
    memo.byRequest.set(key, Object.freeze(scope));
  }
  return scope;
}

/**
 * Each client's resolved scopes by `scope` parameter, kept with the client record and the realm's
 * scopes they were resolved against (both replaced, never changed, when their data changes): a
 * warm grant asks the same thing each time, and resolving it was a few sets and arrays per grant.
 * Only a valid parameter is kept, at most this many per client (the parameter is the caller's).
 */
const resolved = new WeakMap<ClientRecord, { realmScopes: Map<string, ClientScope>; byRequest: Map<string, ResolvedScope> }>();
const MAX_REQUESTS_PER_CLIENT = 64;

function resolveAfresh(requested: string | undefined, client: ClientRecord, realmScopes: Map<string, ClientScope>): ResolvedScope {
  const names = (requested ?? '').split(' ').filter((name) => name !== '');
  const optional = new Set(client.optionalClientScopes);
  const defaults = new Set(client.defaultClientScopes);
  for (const name of names) {
    if (name !== 'openid' && !optional.has(name) && !defaults.has(name)) throw invalidScope(`Invalid scopes: ${requested}`);
  }
  return scopesNamed(names, client, realmScopes);
}

/**
 * The client scopes in effect for these names, without checking them (introspection rebuilds a
 * token from its own `scope`): the client's defaults plus the optional ones named.
 */
export function scopesNamed(names: string[], client: ClientRecord, realmScopes: Map<string, ClientScope>): ResolvedScope {
  const openid = names.includes('openid');
  const defaults = new Set(client.defaultClientScopes);
  const inEffect = [...client.defaultClientScopes, ...client.optionalClientScopes.filter((name) => names.includes(name) && !defaults.has(name))];
  const clientScopes = inEffect.flatMap((name) => realmScopes.get(name) ?? []);
  return { clientScopes, scope: scopeClaim(openid, clientScopes), openid };
}

/**
 * The `scope` claim: `openid` first when asked for, then the scopes in effect whose attribute
 * `include.in.token.scope` is not "false". Scopes that fail the permission filter are left out
 * by the caller first (lib/tokens/tokenContext.ts).
 */
export function scopeClaim(openid: boolean, scopes: readonly ClientScope[]): string {
  return [...(openid ? ['openid'] : []), ...scopes.filter((s) => s.includeInTokenScope).map((s) => s.name)].join(' ');
}
