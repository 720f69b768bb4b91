import type { ClientRecord } from '../model/stored.js';
import type { SessionSummary } from '../store/sessionsTable.js';

/** Keycloak's UserSessionRepresentation. */
export interface UserSessionRepresentation {
  id: string;
  username: string;
  userId: string;
  ipAddress: string;
  /** Epoch milliseconds, as Keycloak answers them (Time.toMillis). */
  start: number;
  lastAccess: number;
  rememberMe: boolean;
  /** The session's clients by internal id: here always the one client that started it. */
  clients: Record<string, string>;
  transientUser: boolean;
}

/**
 * A stored session as Keycloak's ModelToRepresentation.toRepresentation(UserSessionModel) writes
 * it: the user is the client's service account, `lastAccess` the last refresh. A service account
 * is a stored user, never a transient (lightweight) one, and never "remembered".
 */
export function userSessionRepresentation(session: SessionSummary, client: ClientRecord): UserSessionRepresentation {
  // A client id is data: it keys a null-prototype object, never a plain one.
  const clients = Object.create(null) as Record<string, string>;
  clients[client.id] = client.clientId;
  return {
    id: session.id,
    username: client.serviceAccount?.username ?? '',
    userId: session.userId ?? client.serviceAccount?.id ?? '',
    ipAddress: session.ipAddress ?? '',
    start: session.started * 1000,
    lastAccess: session.lastRefresh * 1000,
    rememberMe: false,
    clients,
    transientUser: false,
  };
}
