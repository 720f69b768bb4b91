import type { ClientRecord } from '../model/stored.js';
import { ACCESS_TOKEN_ORDER } from './accessToken.js';
import { ClaimWriter } from './claimWriter.js';
import { scopesNamed } from './scope.js';
import { runMappers, tokenContext, type TokenRealm } from './tokenContext.js';

/** What Keycloak's AccessTokenIntrospectionProvider copies from the token before running the mappers again. */
const COPIED = ['exp', 'iat', 'jti', 'iss', 'aud', 'sub', 'typ', 'azp', 'nonce', 'sid', 'scope', 'cnf'] as const;

/**
 * The introspection response of an active access token (keycloak-mappers.md §8): rebuilt, not
 * copied. The token's own fields, then every mapper flagged for introspection, run on current
 * data with the client's default scopes and the optional ones the token's `scope` names; then
 * `client_id`, `username`, `token_type` and `active`. A session-less token has no session notes
 * here (Keycloak makes a fresh transient session), so `clientHost`/`clientAddress` do not come back;
 * a session-bound one keeps the notes that do not depend on the caller (`client_id`, `clientId`).
 * A lightweight token introspects in full: that is what it is for.
 */
export function introspectionClaims(realm: TokenRealm, owner: ClientRecord, token: Record<string, unknown>): Record<string, unknown> {
  const named = typeof token.scope === 'string' ? token.scope.split(' ').filter((name) => name !== '') : [];
  const notes: Record<string, string> = typeof token.sid === 'string' ? { client_id: owner.clientId, clientId: owner.clientId } : {};
  const ctx = tokenContext(realm, owner, scopesNamed(named, owner, realm.clientScopes), notes);
  const base: Record<string, unknown> = {};
  for (const key of COPIED) if (token[key] !== undefined) base[key] = token[key];
  const writer = new ClaimWriter('introspection', base);
  runMappers(ctx, 'introspection', writer);
  const claims = writer.result(ACCESS_TOKEN_ORDER);
  if (claims.scope === '') delete claims.scope;
  return {
    ...claims,
    client_id: token.azp,
    username: typeof claims.preferred_username === 'string' ? claims.preferred_username : ctx.user.username,
    token_type: token.typ,
    active: true,
  };
}
