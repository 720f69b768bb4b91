import type { ClientRecord, RealmSettings } from '../model/stored.js';
import type { SessionsTable, SessionSummary } from '../store/sessionsTable.js';
import { sessionTimeouts } from '../tokens/sessionPolicy.js';
import type { AdminContext } from './context.js';

/**
 * A client's stored sessions: those of a client with "Use refresh tokens for client credentials
 * grant" on, one per client_credentials token response with a refresh token (keycloak-compat.md).
 * Listing and counting read the client's partition of the sessions table's `byClient` index;
 * ending one deletes it, after which its refresh token fails (`Session not active`) and every
 * access token carrying its `sid` stops being active (lib/tokens/activeAccessToken.ts).
 */

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SessionPage {
  first: number;
  max: number;
}

function sessionsOf(ctx: AdminContext): SessionsTable {
  // Built by the admin function's runtime and by stageNames(); a context without it is a wiring bug.
  if (!ctx.sessions) throw new Error('this admin context has no sessions table');
  return ctx.sessions;
}

/** Live means what a refresh would accept: within the session's max lifespan and its idle timeout (lib/tokens/rotation.ts). */
function liveSessionsOf(ctx: AdminContext, realm: RealmSettings, client: ClientRecord) {
  return { realm: realm.realm, clientUuid: client.id, now: ctx.now(), idleTimeout: sessionTimeouts(realm, client).idle };
}

/** The client's live sessions, oldest first (Keycloak's ClientResource.getUserSessions). */
export async function listClientSessions(ctx: AdminContext, realm: RealmSettings, client: ClientRecord, page: SessionPage): Promise<SessionSummary[]> {
  if (page.max === 0) return [];
  return sessionsOf(ctx).listByClient(liveSessionsOf(ctx, realm, client), page.first, page.max);
}

export async function countClientSessions(ctx: AdminContext, realm: RealmSettings, client: ClientRecord): Promise<number> {
  return sessionsOf(ctx).countByClient(liveSessionsOf(ctx, realm, client));
}

/**
 * Ends one session of `realm` (Keycloak's RealmAdminResource.deleteSession). False when there is
 * no such session in that realm, or only one past its max lifespan that TTL has not removed yet:
 * a session id of another realm is as unknown here as a made-up one.
 */
export async function endSession(ctx: AdminContext, realm: string, sessionId: string): Promise<boolean> {
  // Session ids are random UUIDs (newSessionId); anything else names no session, and is not sent to
  // DynamoDB, which refuses a key past 2048 bytes with an error rather than "not found".
  if (!SESSION_ID.test(sessionId)) return false;
  const sessions = sessionsOf(ctx);
  const session = await sessions.get(sessionId);
  if (!session || session.realm !== realm || session.expiresAt <= ctx.now()) return false;
  await sessions.delete(sessionId);
  return true;
}
