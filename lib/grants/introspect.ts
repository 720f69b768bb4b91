import { OAuthError, invalidRequest } from '../http/errors.js';
import type { HttpRequest } from '../http/request.js';
import { json, type HttpResponse } from '../http/response.js';
import type { RealmContext } from '../realmContext.js';
import type { AuditRecord } from '../observability.js';
import { issuerFor, issuersFor, type Runtime } from '../runtime.js';
import type { ClientRecord, RealmSettings } from '../model/stored.js';
import type { SessionRecord } from '../store/sessionsTable.js';
import { activeAccessToken } from '../tokens/activeAccessToken.js';
import { sessionBelongsTo } from '../tokens/clientBinding.js';
import { hashRefreshToken, isRefreshTokenShaped, readRefreshToken } from '../tokens/refreshToken.js';
import { tokenGeneration } from '../tokens/rotation.js';
import { refreshExpiresIn, sessionTimeouts } from '../tokens/sessionPolicy.js';
import { introspectionClaims } from '../tokens/introspection.js';
import { notBeforePolicy } from '../tokens/tokenResponse.js';
import { clientRequest } from './clientRequest.js';

/** RFC 7662 §2.2: for anything not active, exactly this and nothing more. */
const INACTIVE = { active: false } as const;

/**
 * Token introspection (RFC 7662), for confidential clients. An access token is active by the one
 * check the Admin API's bearer authentication also uses (lib/tokens/activeAccessToken.ts). A
 * refresh token is active while its signature (JWT) and expiry hold, its session is alive, belongs
 * to the client as it exists now (lib/tokens/clientBinding.ts) and would still accept it.
 */
export async function introspect(runtime: Runtime, request: HttpRequest): Promise<HttpResponse> {
  const audit = runtime.observability.audit('INTROSPECT_TOKEN', request);
  return audit.around(() => inspect(runtime, request, audit));
}

async function inspect(runtime: Runtime, request: HttpRequest, audit: AuditRecord): Promise<HttpResponse> {
  const { realm, form, client } = await clientRequest(runtime, request, audit);
  // Keycloak's TokenIntrospectionEndpoint.authorizeClient: a public client may not introspect
  // (403), and that is decided before the token is even looked for.
  if (client.client.publicClient) throw new OAuthError(403, 'invalid_request', 'Client not allowed.');
  const token = form.get('token');
  if (!token) throw invalidRequest('Token not provided.');
  const body = isRefreshTokenShaped(token) ? await refreshTokenInfo(runtime, realm, request, token) : await accessTokenInfo(runtime, realm, request, token);
  return json(200, body ?? INACTIVE);
}

async function accessTokenInfo(runtime: Runtime, realm: RealmContext, request: HttpRequest, token: string) {
  const active = await activeAccessToken(runtime.tokenReads, realm, token, issuersFor(runtime, request, request.realm), runtime.now());
  return active && introspectionClaims(realm, active.client, active.claims);
}

async function refreshTokenInfo(runtime: Runtime, realm: RealmContext, request: HttpRequest, token: string) {
  const now = runtime.now();
  const presented = await readRefreshToken(realm, token, issuersFor(runtime, request, request.realm));
  if (!presented || (presented.claims && presented.claims.exp <= now)) return undefined;
  const session = await runtime.sessions.get(presented.sessionId);
  if (!session || session.realm !== request.realm) return undefined;
  const generation = tokenGeneration(session, hashRefreshToken(presented.credential));
  if (!stillAccepted(generation, session, realm.settings)) return undefined;
  const owner = await runtime.clients.getClient(request.realm, session.clientId);
  if (!isUsable(owner) || !sessionBelongsTo(session, owner) || !sessionAlive(realm, owner, session, now)) return undefined;
  const issuedAt = generation === 'next' ? session.nextTokenIssuedAt : (session.currentTokenIssuedAt ?? session.started);
  if (issuedAt < notBeforePolicy(realm, owner)) return undefined;
  const holder = { client_id: owner.clientId, username: owner.serviceAccount?.username, token_type: 'Refresh', active: true };
  // A JWT answers with its own claims, as Keycloak's introspection does.
  if (presented.claims) return { ...presented.claims, ...holder };
  // An opaque token (issued before refresh tokens were JWTs) gets the claims its JWT would carry.
  const issuer = issuerFor(runtime, request, request.realm);
  const timeouts = sessionTimeouts(realm.settings, owner);
  return {
    exp: now + refreshExpiresIn(timeouts, session.started, session.lastRefresh, now),
    iat: issuedAt,
    jti: presented.credential.slice(presented.credential.indexOf('.') + 1),
    iss: issuer,
    aud: issuer,
    sub: owner.serviceAccount?.id,
    typ: 'Refresh',
    azp: owner.clientId,
    sid: session.id,
    scope: session.requestedScope,
    ...holder,
  };
}

/**
 * Whether a refresh with this credential would be accepted (the rules of lib/tokens/rotation.ts):
 * without rotation any credential of the session; with `revokeRefreshToken` the newest one, and
 * the one last used only while it has reuses left. A spent token is inactive.
 */
function stillAccepted(generation: ReturnType<typeof tokenGeneration>, session: SessionRecord, settings: RealmSettings): boolean {
  if (!generation) return false;
  if (!settings.revokeRefreshToken || generation === 'next') return true;
  return generation === 'current' && session.currentTokenUses <= settings.refreshTokenMaxReuse;
}

function isUsable(client: ClientRecord | undefined): client is ClientRecord {
  return client !== undefined && client.enabled;
}

function sessionAlive(realm: RealmContext, client: ClientRecord, session: { started: number; lastRefresh: number; expiresAt: number }, now: number): boolean {
  return refreshExpiresIn(sessionTimeouts(realm.settings, client), session.started, session.lastRefresh, now) > 0 && now < session.expiresAt;
}
