import { OAuthError } from '../http/errors.js';
import { resolveScope } from '../tokens/scope.js';
import { sessionTimeouts, usesRefreshTokens } from '../tokens/sessionPolicy.js';
import { tokenRealm } from '../tokens/tokenContext.js';
import { buildTokens } from '../tokens/tokenResponse.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { requireClient } from './lookup.js';

/**
 * What a client's client-credentials grant would put in its tokens, built by the token endpoint's
 * own buildTokens (lib/tokens/tokenResponse.ts) but never signed (Keycloak's admin console "Client scopes → Evaluate" tab).
 * Random and time-based values (`jti`, `iat`, `exp`, a session id) are illustrative.
 */
export interface TokenPreview {
  clientId: string;
  scope: string;
  accessToken: Record<string, unknown>;
  /** Only when `openid` is asked for; without `at_hash`, which hashes a signed access token. */
  idToken?: Record<string, unknown>;
  /** Members token-response mappers add to the token endpoint's JSON. */
  tokenResponse: Record<string, unknown>;
}

export interface PreviewOptions {
  scope?: string;
  /** The issuer the tokens would name (default `http://localhost:3000/realms/<realm>`, the local stack). */
  issuer?: string;
  /** The caller's address, for the clientHost and clientAddress notes. */
  sourceIp?: string;
}

export async function previewToken(ctx: AdminContext, realm: string, clientId: string, options: PreviewOptions = {}): Promise<TokenPreview> {
  const data = await ctx.table.loadRealm(realm);
  if (!data) throw new AdminError(`realm '${realm}' does not exist`);
  const client = await requireClient(ctx.table, realm, clientId);
  if (client.publicClient || !client.serviceAccountsEnabled || !client.serviceAccount) {
    throw new AdminError(`client '${clientId}' cannot use the client credentials grant (it needs service accounts and to be confidential)`);
  }
  const model = tokenRealm(data);
  let scope;
  try {
    scope = resolveScope(options.scope, client, model.clientScopes);
  } catch (err) {
    if (err instanceof OAuthError) throw new AdminError(`${err.error}: ${err.description ?? ''}`);
    throw err;
  }
  const now = ctx.now();
  const built = buildTokens({
    realm: model,
    issuer: options.issuer ?? `http://localhost:3000/realms/${encodeURIComponent(realm)}`,
    client,
    scope,
    issuedAt: now,
    sourceIp: options.sourceIp ?? '127.0.0.1',
    // A session as the grant would start it: its end bounds the access token's lifespan there too.
    ...(usesRefreshTokens(client) ? { session: { id: '00000000-0000-0000-0000-000000000000', expiresAt: now + sessionTimeouts(data.settings, client).max } } : {}),
  });
  const idToken = built.idToken && withoutAtHash(built.idToken(''));
  return { clientId, scope: built.scope, accessToken: built.accessToken, ...(idToken ? { idToken } : {}), tokenResponse: built.tokenResponse };
}

/** `at_hash` hashes a signed access token, and a preview signs nothing. */
function withoutAtHash({ at_hash: _hash, ...claims }: Record<string, unknown>): Record<string, unknown> {
  return claims;
}
