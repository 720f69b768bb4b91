import type { RealmContext } from '../realmContext.js';
import type { ClientRecord, ServiceAccountUser } from '../model/stored.js';
import type { ClientsTable } from '../store/clientsTable.js';
import type { SessionRecord, SessionsTable } from '../store/sessionsTable.js';
import { sessionBelongsTo, subjectBelongsTo } from './clientBinding.js';
import { refreshExpiresIn, sessionTimeouts } from './sessionPolicy.js';
import { notBeforePolicy } from './tokenResponse.js';
import { verifyAccessToken, type AccessTokenClaims } from './verifyAccessToken.js';

/** The reads the check needs; the token function's runtime and the admin function's both provide them. */
export interface ActiveTokenReads {
  /** Read on every call, never cached: a disabled or deleted client stops at once. */
  getClient(realm: string, clientId: string): Promise<ClientRecord | undefined>;
  isAccessTokenRevoked(realm: string, jti: string, now: number): Promise<boolean>;
  session(id: string): Promise<SessionRecord | undefined>;
}

/** The reads from the two tables, built once per container by each function's runtime. */
export function activeTokenReads(clients: ClientsTable, sessions: SessionsTable): ActiveTokenReads {
  return {
    getClient: (realm, clientId) => clients.getClient(realm, clientId),
    isAccessTokenRevoked: (realm, jti, now) => sessions.isAccessTokenRevoked(realm, jti, now),
    session: (id) => sessions.get(id),
  };
}

export interface ActiveAccessToken {
  claims: AccessTokenClaims & { azp: string; jti: string };
  /** The client the token is bound to, as stored now. */
  client: ClientRecord & { serviceAccount: ServiceAccountUser };
}

/**
 * "Is this access token still active?", the one answer introspection (lib/grants/introspect.ts)
 * and the Admin API's bearer authentication (lib/adminApi/auth.ts) both use: signature against
 * the realm's keys, issuer, `typ` Bearer and expiry (verifyAccessToken); its client still there,
 * enabled and the very client that got it (lib/tokens/clientBinding.ts), not revoked, issued at
 * or after the later of realm and client not-before; and, when it names a session (`sid`), that
 * session of this realm and this client still alive. undefined for anything else; never throws
 * for a hostile token.
 */
export async function activeAccessToken(
  reads: ActiveTokenReads,
  realm: RealmContext,
  token: string,
  issuers: string[],
  now: number,
): Promise<ActiveAccessToken | undefined> {
  const claims = await verifyAccessToken(realm, token, issuers, now);
  if (!claims || typeof claims.azp !== 'string' || typeof claims.jti !== 'string') return undefined;
  const realmName = realm.settings.realm;
  const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
  const [client, revoked, session] = await Promise.all([
    reads.getClient(realmName, claims.azp),
    reads.isAccessTokenRevoked(realmName, claims.jti, now),
    sid === undefined ? undefined : reads.session(sid),
  ]);
  if (!client || !client.enabled || revoked || !client.serviceAccount) return undefined;
  if (!subjectBelongsTo(claims, client)) return undefined;
  if ((claims.iat ?? 0) < notBeforePolicy(realm, client)) return undefined;
  if (sid !== undefined) {
    if (!session || !sessionBelongsTo(session, client)) return undefined;
    const left = refreshExpiresIn(sessionTimeouts(realm.settings, client), session.started, session.lastRefresh, now);
    if (left <= 0 || now >= session.expiresAt) return undefined;
  }
  return { claims: claims as ActiveAccessToken['claims'], client: client as ActiveAccessToken['client'] };
}
