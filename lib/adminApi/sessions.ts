import { countClientSessions, endSession, listClientSessions } from '../admin/sessions.js';
import { userSessionRepresentation } from '../representation/userSession.js';
import { clientExists, clientOf } from './clients.js';
import { notFound } from './errors.js';
import { pageBounds } from './query.js';
import { noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Sessions (Keycloak's ClientResource `user-sessions`, `session-count`, `offline-sessions`,
 * `offline-session-count`, and RealmAdminResource `sessions/{session}`). A session here is the
 * stored session of a client whose client_credentials responses carry a refresh token; its user
 * is the client's service account. There are no offline sessions (no `offline_access` for a
 * service account here), so the offline listings are always empty and `isOffline=true` finds nothing.
 */

/** Constants.DEFAULT_MAX_RESULTS: what `user-sessions` answers at most without `max`. */
const DEFAULT_MAX_RESULTS = 100;

async function userSessions(call: AdminCall) {
  const client = await clientOf(call);
  const { first, max } = pageBounds(call.query, DEFAULT_MAX_RESULTS);
  const sessions = await listClientSessions(call.admin, call.realm!, client, { first, max: max ?? DEFAULT_MAX_RESULTS });
  return ok(sessions.map((session) => userSessionRepresentation(session, client)));
}

async function sessionCount(call: AdminCall) {
  return ok({ count: await countClientSessions(call.admin, call.realm!, await clientOf(call)) });
}

async function deleteSession(call: AdminCall) {
  const offline = call.query.get('isOffline')?.toLowerCase() === 'true';
  // Keycloak's own message, its spelling included (RealmAdminResource.deleteSession).
  if (offline || !(await endSession(call.admin, call.realm!.realm, call.params.session!))) throw notFound('Sesssion not found');
  return noContent();
}

export const sessionRoutes: AdminRoute[] = [
  { method: 'GET', path: '/realms/{realm}/clients/{id}/user-sessions', right: 'view-clients', exists: clientExists, handle: userSessions },
  { method: 'GET', path: '/realms/{realm}/clients/{id}/session-count', right: 'view-clients', exists: clientExists, handle: sessionCount },
  {
    method: 'GET',
    path: '/realms/{realm}/clients/{id}/offline-sessions',
    right: 'view-clients',
    exists: clientExists,
    handle: async (call) => {
      await clientOf(call);
      return ok([]);
    },
  },
  {
    method: 'GET',
    path: '/realms/{realm}/clients/{id}/offline-session-count',
    right: 'view-clients',
    exists: clientExists,
    handle: async (call) => {
      await clientOf(call);
      return ok({ count: 0 });
    },
  },
  // Keycloak checks the right before it looks the session up: without it, 403 whether or not the session exists.
  { method: 'DELETE', path: '/realms/{realm}/sessions/{session}', right: 'manage-users', handle: deleteSession },
];
