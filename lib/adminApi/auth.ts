import { realmNameProblem } from '../admin/realmName.js';
import type { HttpRequest } from '../http/request.js';
import type { RealmContext } from '../realmContext.js';
import type { SessionRecord } from '../store/sessionsTable.js';
import type { ClientRecord } from '../store/model.js';
import { refreshExpiresIn, sessionTimeouts } from '../tokens/sessionPolicy.js';
import { notBeforePolicy } from '../tokens/tokenResponse.js';
import { verifyAccessToken } from '../tokens/verifyAccessToken.js';
import { unauthorized } from './errors.js';
import type { AdminCaller } from './rights.js';

/** What bearer authentication reads; built once per container (lib/adminRuntime.ts). */
export interface BearerDeps {
  /** The realm's keys and role graph; undefined for a realm that does not exist or is disabled. */
  realm(name: string): Promise<RealmContext | undefined>;
  /** Read on every request, never cached: a disabled or deleted admin client stops at once. */
  getClient(realm: string, clientId: string): Promise<ClientRecord | undefined>;
  isAccessTokenRevoked(realm: string, jti: string, now: number): Promise<boolean>;
  session(id: string): Promise<SessionRecord | undefined>;
  /** Both issuer forms of a realm for this request (lib/runtime.ts issuersFor). */
  issuers(request: HttpRequest, realm: string): string[];
  now(): number;
}

/**
 * The caller of an admin request. Admin tokens are this service's own access tokens
 * (`client_credentials` from any realm), sent as `Authorization: Bearer`, and checked as
 * introspection checks them (lib/grants/introspect.ts): signature against the issuing realm's
 * keys, issuer, `typ` Bearer, expiry, revocation, realm and client not-before, the client still
 * there and enabled, its session alive when it has one. The issuing realm is the last path
 * segment of `iss` (Keycloak's AdminRoot.authenticateRealmAdminRequest).
 *
 * Rights come from the client's service-account role mappings as stored now, composites
 * expanded, not from the token's `realm_access`: Keycloak evaluates the user model, so a removed
 * role stops working at once and `fullScopeAllowed: false` does not take rights away.
 *
 * Any failure is the same 401, which says nothing of what failed (measured on Keycloak 26.7.1).
 */
export async function authenticateBearer(deps: BearerDeps, request: HttpRequest): Promise<AdminCaller> {
  const caller = await callerOf(deps, request);
  if (!caller) throw unauthorized();
  return caller;
}

async function callerOf(deps: BearerDeps, request: HttpRequest): Promise<AdminCaller | undefined> {
  const match = /^Bearer +([A-Za-z0-9_.~+/=-]+) *$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const token = match[1]!;
  const realmName = issuingRealm(token);
  if (realmName === undefined) return undefined;
  const realm = await deps.realm(realmName);
  if (!realm) return undefined;
  const now = deps.now();
  const claims = await verifyAccessToken(realm, token, deps.issuers(request, realmName), now);
  if (!claims || typeof claims.azp !== 'string' || typeof claims.jti !== 'string') return undefined;
  const [client, revoked, session] = await Promise.all([
    deps.getClient(realmName, claims.azp),
    deps.isAccessTokenRevoked(realmName, claims.jti, now),
    typeof claims.sid === 'string' ? deps.session(claims.sid) : undefined,
  ]);
  if (!client || !client.enabled || revoked || !client.serviceAccount) return undefined;
  if ((claims.iat ?? 0) < notBeforePolicy(realm, client)) return undefined;
  if (typeof claims.sid === 'string') {
    if (!session || session.realm !== realmName) return undefined;
    const left = refreshExpiresIn(sessionTimeouts(realm.settings, client), session.started, session.lastRefresh, now);
    if (left <= 0 || now >= session.expiresAt) return undefined;
  }
  return { realm: realmName, clientId: client.clientId, roles: [...realm.roles.expand(client.serviceAccount.roles).values()] };
}

/** The realm named by the unverified `iss` (verification then pins the issuer to that realm's URLs). */
function issuingRealm(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
    if (typeof payload.iss !== 'string') return undefined;
    const segment = payload.iss.slice(payload.iss.lastIndexOf('/') + 1);
    const realm = decodeURIComponent(segment);
    return realmNameProblem(realm) === undefined ? realm : undefined;
  } catch {
    return undefined;
  }
}
