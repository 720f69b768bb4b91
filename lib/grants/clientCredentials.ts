import { unauthorizedClient } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import type { ClientRecord } from '../store/model.js';
import type { SessionRecord } from '../store/sessionsTable.js';
import { newRefreshToken, newSessionId } from '../tokens/refreshToken.js';
import { resolveScope } from '../tokens/scope.js';
import { refreshExpiresIn, sessionTimeouts, usesRefreshTokens } from '../tokens/sessionPolicy.js';
import { issueTokens, type IssueInput } from '../tokens/tokenResponse.js';
import type { Grant } from './grant.js';

/**
 * `grant_type=client_credentials` (RFC 6749 §4.4): the client gets a token for its service
 * account. Checks in Keycloak's order (ClientCredentialsGrantType): public client, service
 * accounts off, then scope. Clients with `client_credentials.use_refresh_token` get a stored
 * session and a refresh token; the others stay stateless and nothing is written.
 */
export const clientCredentials: Grant = {
  parameters: new Set(['scope']),

  async handle({ runtime, realm, request, form, issuer, client: { client } }) {
    if (client.publicClient) throw unauthorizedClient('Public client not allowed to retrieve service account');
    if (!client.serviceAccountsEnabled || !client.serviceAccount) {
      throw unauthorizedClient('Client not enabled to retrieve service account');
    }
    const scope = resolveScope(form.get('scope'), client, realm.clientScopes);
    const now = runtime.now();
    const session = usesRefreshTokens(client) ? await startSession(runtime, realm.settings, client, form.get('scope') ?? '', now) : undefined;
    const { response } = await issueTokens({ realm, issuer, client, scope, issuedAt: now, sourceIp: request.sourceIp, session });
    return response;
  },
};

/**
 * Stores the session before any token exists, so no token is ever handed out for a session that
 * was not stored. Should signing fail afterwards, the stored session grants nothing: its refresh
 * token was never sent and only its hash is kept.
 */
async function startSession(
  runtime: Runtime,
  settings: IssueInput['realm']['settings'],
  client: ClientRecord,
  requestedScope: string,
  now: number,
): Promise<IssueInput['session']> {
  const timeouts = sessionTimeouts(settings, client);
  const id = newSessionId();
  const refresh = newRefreshToken(id);
  const session: SessionRecord = {
    id,
    realm: client.realm,
    clientId: client.clientId,
    started: now,
    lastRefresh: now,
    expiresAt: now + timeouts.max,
    requestedScope,
    nextTokenHash: refresh.hash,
    nextTokenIssuedAt: now,
    currentTokenUses: 0,
    previousTokenHashes: [],
    version: 1,
  };
  await runtime.sessions.create(session);
  return { id, refreshToken: refresh.token, refreshExpiresIn: refreshExpiresIn(timeouts, now, now, now), expiresAt: session.expiresAt };
}
