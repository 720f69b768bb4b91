import { OAuthError, invalidRequest } from '../http/errors.js';
import type { HttpRequest } from '../http/request.js';
import { json, type HttpResponse } from '../http/response.js';
import type { RealmContext } from '../realmContext.js';
import type { AuditRecord } from '../observability.js';
import { issuersFor, type Runtime } from '../runtime.js';
import type { ClientRecord } from '../store/model.js';
import { hashRefreshToken, sessionIdOf } from '../tokens/refreshToken.js';
import { tokenGeneration } from '../tokens/rotation.js';
import { refreshExpiresIn, sessionTimeouts } from '../tokens/sessionPolicy.js';
import { introspectionClaims } from '../tokens/introspection.js';
import { notBeforePolicy } from '../tokens/tokenResponse.js';
import { verifyAccessToken } from '../tokens/verifyAccessToken.js';
import { clientRequest } from './clientRequest.js';

/** RFC 7662 §2.2: for anything not active, exactly this and nothing more. */
const INACTIVE = { active: false } as const;

/**
 * Token introspection (RFC 7662), for confidential clients. An access token is active when its
 * signature and issuer are ours, it has not expired or been revoked, its client exists and is
 * enabled, it was issued at or after the not-before (the later of realm and client), and, when it
 * names a session (`sid`), that session is still alive. A refresh token is active while its
 * session is and it is the session's current token.
 */
export async function introspect(runtime: Runtime, request: HttpRequest): Promise<HttpResponse> {
  const audit = runtime.observability.audit('INTROSPECT_TOKEN', {});
  return audit.around(() => inspect(runtime, request, audit));
}

async function inspect(runtime: Runtime, request: HttpRequest, audit: AuditRecord): Promise<HttpResponse> {
  const { realm, form, client } = await clientRequest(runtime, request, audit, (form) => {
    if (!form.get('token')) throw invalidRequest('Token not provided.');
  });
  // Keycloak's TokenIntrospectionEndpoint refuses public clients.
  if (client.client.publicClient) throw new OAuthError(401, 'invalid_request', 'Client not allowed.');
  const token = form.get('token')!;
  const body = sessionIdOf(token) ? await refreshTokenInfo(runtime, realm, request, token) : await accessTokenInfo(runtime, realm, request, token);
  return json(200, body ?? INACTIVE);
}

async function accessTokenInfo(runtime: Runtime, realm: RealmContext, request: HttpRequest, token: string) {
  const now = runtime.now();
  const claims = await verifyAccessToken(realm, token, issuersFor(runtime, request, request.realm), now);
  if (!claims || typeof claims.azp !== 'string' || typeof claims.jti !== 'string') return undefined;
  const [owner, revoked, session] = await Promise.all([
    runtime.clients.getClient(request.realm, claims.azp),
    runtime.sessions.isAccessTokenRevoked(request.realm, claims.jti, now),
    typeof claims.sid === 'string' ? runtime.sessions.get(claims.sid) : undefined,
  ]);
  if (!isUsable(owner) || revoked) return undefined;
  if ((claims.iat ?? 0) < notBeforePolicy(realm, owner)) return undefined;
  if (typeof claims.sid === 'string' && (!session || !sessionAlive(realm, owner, session, now))) return undefined;
  return introspectionClaims(realm, owner, claims);
}

async function refreshTokenInfo(runtime: Runtime, realm: RealmContext, request: HttpRequest, token: string) {
  const now = runtime.now();
  const session = await runtime.sessions.get(sessionIdOf(token)!);
  if (!session || session.realm !== request.realm) return undefined;
  const generation = tokenGeneration(session, hashRefreshToken(token));
  if (generation !== 'next' && generation !== 'current') return undefined;
  const owner = await runtime.clients.getClient(request.realm, session.clientId);
  if (!isUsable(owner) || !sessionAlive(realm, owner, session, now)) return undefined;
  const issuedAt = generation === 'next' ? session.nextTokenIssuedAt : session.currentTokenIssuedAt!;
  if (issuedAt < notBeforePolicy(realm, owner)) return undefined;
  const timeouts = sessionTimeouts(realm.settings, owner);
  return {
    exp: now + refreshExpiresIn(timeouts, session.started, session.lastRefresh, now),
    iat: issuedAt,
    typ: 'Refresh',
    azp: owner.clientId,
    sid: session.id,
    sub: owner.serviceAccount?.id,
    scope: session.requestedScope,
    client_id: owner.clientId,
    username: owner.serviceAccount?.username,
    token_type: 'Refresh',
    active: true,
  };
}

function isUsable(client: ClientRecord | undefined): client is ClientRecord {
  return client !== undefined && client.enabled;
}

function sessionAlive(realm: RealmContext, client: ClientRecord, session: { started: number; lastRefresh: number; expiresAt: number }, now: number): boolean {
  return refreshExpiresIn(sessionTimeouts(realm.settings, client), session.started, session.lastRefresh, now) > 0 && now < session.expiresAt;
}
