import { unauthorizedClient } from '../http/errors.js';
import type { ClientRecord, ServiceAccountUser } from '../model/stored.js';
import type { SessionRecord } from '../store/sessionsTable.js';
import type { RealmContext } from '../realmContext.js';
import { newRefreshToken, newSessionId, refreshTokenFor } from '../tokens/refreshToken.js';
import { resolveScope, type ResolvedScope } from '../tokens/scope.js';
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
    const session = usesRefreshTokens(client) ? await newSession(realm, issuer, client, client.serviceAccount, scope, form.get('scope') ?? '', request.sourceIp, now) : undefined;
    const issued = await issueTokens({ realm, issuer, client, scope, issuedAt: now, sourceIp: request.sourceIp, session: session?.issued });
    // Signed first, stored second, returned last: if signing fails nothing is written; if the write
    // fails the signed tokens are dropped. No token is ever returned whose session was not stored.
    if (session) await runtime.sessions.create(session.record);
    return issued;
  },
};

async function newSession(
  realm: RealmContext,
  issuer: string,
  client: ClientRecord,
  user: ServiceAccountUser,
  scope: ResolvedScope,
  requestedScope: string,
  ipAddress: string,
  now: number,
) {
  const timeouts = sessionTimeouts(realm.settings, client);
  const id = newSessionId();
  const refresh = newRefreshToken(id);
  const record: SessionRecord = {
    id,
    realm: client.realm,
    clientId: client.clientId,
    clientUuid: client.id,
    userId: user.id,
    ipAddress,
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
  const expiresIn = refreshExpiresIn(timeouts, now, now, now);
  const refreshToken = await refreshTokenFor(realm, { issuer, client, sessionId: id, credential: refresh.token, scope: scope.scope, issuedAt: now, expiresIn });
  const issued: IssueInput['session'] = { id, refreshToken, refreshExpiresIn: expiresIn, expiresAt: record.expiresAt };
  return { record, issued };
}
