import type { ClientRecord } from '../model/stored.js';
import type { SessionRecord } from '../store/sessionsTable.js';

/**
 * What ties a token to the one client that holds it. A clientId names a client only until it is
 * deleted: a client re-created under the same clientId is another client (Keycloak removes a
 * deleted client's sessions and gives the new one a fresh UUID and a fresh service-account user),
 * so a token of the old one must not work for it (issue 17 F5). The binding is what no admin data
 * and no protocol mapper can write: the client's internal id and its service-account user's id,
 * both random per creation (lib/admin/clients.ts), kept in the session this service stores, and
 * the service-account user's id as `sub` of a session-less access token (Keycloak's
 * TokenManager.initToken writes `sub` from the user, outside every mapper).
 */

/**
 * Whether a stored session was started by this very client: same realm and clientId, the same
 * internal id, and, while the client has a service account, the same service-account user
 * (Keycloak's UserSession.getUser and AuthenticatedClientSession.getClient).
 */
export function sessionBelongsTo(session: SessionRecord, client: ClientRecord): boolean {
  if (session.realm !== client.realm || session.clientId !== client.clientId) return false;
  if (session.clientUuid === undefined) return legacySessionBelongsTo(session, client);
  return session.clientUuid === client.id && (client.serviceAccount === undefined || session.userId === client.serviceAccount.id);
}

/**
 * A session stored before sessions kept the client's ids: it cannot be older than its client, so
 * one that started before the service account was created belongs to an earlier client of that
 * clientId. Without a creation time (an import that had none) nothing tells them apart.
 */
function legacySessionBelongsTo(session: SessionRecord, client: ClientRecord): boolean {
  const created = client.serviceAccount?.createdTimestamp;
  return created === undefined || Math.floor(created / 1000) <= session.started;
}

/**
 * Whether an access token's subject is this client's service account. A token with a session
 * may lack `sub` (it comes from the `basic` scope's mapper then) and is bound by its session;
 * one without a session always carries it.
 */
export function subjectBelongsTo(claims: { sub?: unknown; sid?: unknown }, client: ClientRecord): boolean {
  const account = client.serviceAccount;
  if (account === undefined) return false;
  if (claims.sub === undefined) return typeof claims.sid === 'string';
  return claims.sub === account.id;
}
