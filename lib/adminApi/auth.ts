import { mayNameStoredRealm } from '../admin/realmName.js';
import type { HttpRequest } from '../http/request.js';
import type { RealmContext } from '../realmContext.js';
import { activeAccessToken, type ActiveTokenReads } from '../tokens/activeAccessToken.js';
import { unauthorized } from './errors.js';
import type { AdminCaller } from './rights.js';

/** What bearer authentication reads; built once per container (lib/adminRuntime.ts). */
export interface BearerDeps extends ActiveTokenReads {
  /** The realm's keys and role graph; undefined for a realm that does not exist or is disabled. */
  realm(name: string): Promise<RealmContext | undefined>;
  /** Both issuer forms of a realm for this request (lib/runtime.ts issuersFor). */
  issuers(request: HttpRequest, realm: string): string[];
  now(): number;
}

/**
 * The caller of an admin request. Admin tokens are this service's own access tokens
 * (`client_credentials` from any realm), sent as `Authorization: Bearer`, and must be active by
 * the one check introspection also uses (lib/tokens/activeAccessToken.ts). The issuing realm is
 * the last path segment of `iss` (Keycloak's AdminRoot.authenticateRealmAdminRequest).
 *
 * The caller is the client the token is bound to — its internal id and service-account user,
 * kept where no admin write or protocol mapper reaches (lib/tokens/clientBinding.ts) — never
 * whatever `azp` says: a mapper-written `azp` names no one, and a token of a deleted client is
 * no one's once a client with its clientId is created again (issue 17 F2, F5).
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
  const active = await activeAccessToken(deps, realm, token, deps.issuers(request, realmName), deps.now());
  if (!active) return undefined;
  const { client } = active;
  return { realm: realmName, clientId: client.clientId, clientUuid: client.id, userId: client.serviceAccount.id, roles: [...realm.roles.expand(client.serviceAccount.roles).values()] };
}

/** The realm named by the unverified `iss` (verification then pins the issuer to that realm's URLs). */
function issuingRealm(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
    if (typeof payload.iss !== 'string') return undefined;
    const segment = payload.iss.slice(payload.iss.lastIndexOf('/') + 1);
    const realm = decodeURIComponent(segment);
    return mayNameStoredRealm(realm) ? realm : undefined;
  } catch {
    return undefined;
  }
}
