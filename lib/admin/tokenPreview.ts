import { OAuthError } from '../http/errors.js';
import { accessTokenClaims, accessTokenLifespan } from '../tokens/accessToken.js';
import { ClaimWriter } from '../tokens/claimWriter.js';
import { idTokenClaims } from '../tokens/idToken.js';
import { resolveScope } from '../tokens/scope.js';
import { usesRefreshTokens } from '../tokens/sessionPolicy.js';
import { clientCredentialsNotes, runMappers, tokenContext, tokenRealm } from '../tokens/tokenContext.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { requireClient } from './lookup.js';

/**
 * What a client's client-credentials grant would put in its tokens, built by the same code as the
 * token endpoint but never signed (Keycloak's admin console "Client scopes → Evaluate" tab).
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
  const tokens = tokenContext(model, client, scope, clientCredentialsNotes(client.clientId, options.sourceIp ?? '127.0.0.1'));
  const now = ctx.now();
  const accessToken = accessTokenClaims(tokens, {
    issuer: options.issuer ?? `http://localhost:3000/realms/${encodeURIComponent(realm)}`,
    issuedAt: now,
    lifespan: accessTokenLifespan(client, data.settings.accessTokenLifespan),
    ...(usesRefreshTokens(client) ? { sessionId: '00000000-0000-0000-0000-000000000000' } : {}),
  });
  let idToken: Record<string, unknown> | undefined;
  if (tokens.openid) {
    const { at_hash: _hash, ...claims } = idTokenClaims(tokens, accessToken, '');
    idToken = claims;
  }
  const response = new ClaimWriter('tokenResponse', {});
  runMappers(tokens, 'tokenResponse', response);
  return { clientId, scope: tokens.scope, accessToken, ...(idToken ? { idToken } : {}), tokenResponse: response.result([]) };
}
