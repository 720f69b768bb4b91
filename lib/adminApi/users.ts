import { findServiceAccountClient, listServiceAccountClients } from '../admin/serviceAccounts.js';
import type { ClientRecord } from '../model/stored.js';
import { forbidden, notFound } from './errors.js';
import { flag, page } from './query.js';
import { ok, type AdminCall, type AdminRoute } from './route.js';
import { serviceAccountUserRepresentation } from '../representation/user.js';

/**
 * Users (`/realms/{realm}/users`), Keycloak's UsersResource reduced to the only users this
 * service has: service accounts, each held by its client. kcadm's `add-roles --uusername
 * service-account-x` finds the account here.
 */

/** Clients with a service account, in username order. One read of the realm's clients. */
export async function serviceAccountClients(call: AdminCall): Promise<ClientRecord[]> {
  return listServiceAccountClients(call.admin, call.params.realm!);
}

/**
 * The client holding the service account `{userId}`, or Keycloak's answer (UsersResource.user):
 * 404 `User not found` when the caller may query users, else 403.
 */
export async function serviceAccountByUserId(call: AdminCall): Promise<ClientRecord> {
  const client = await findServiceAccountClient(call.admin, call.params.realm!, call.params.userId!);
  if (client) return client;
  throw call.may('list-users') ? notFound('User not found') : forbidden();
}

/** For a route's `exists`: an unknown user is 404 before the right's 403. */
export const userExists = async (call: AdminCall): Promise<void> => {
  await serviceAccountByUserId(call);
};

/** What the caller may do with a user (UserPermissions.getAccess); service accounts cannot be impersonated. */
export function userAccess(call: AdminCall) {
  const manage = call.may('map-roles');
  return { manageGroupMembership: manage, view: call.may('view-users'), mapRoles: manage, impersonate: false, manage };
}

/**
 * Keycloak's user search, over service accounts: `search` matches part of the username, email or
 * names (case-insensitive; `*` or empty is everyone; `"x"` exact); else `username`, `email`,
 * `firstName`, `lastName` filter, exactly when `exact=true`, else by part.
 */
function matches(call: AdminCall, client: ClientRecord): boolean {
  const account = client.serviceAccount!;
  const fields: Record<string, string | undefined> = { username: account.username, email: account.email, firstName: account.firstName, lastName: account.lastName };
  const search = call.query.get('search');
  if (search !== null) {
    const term = search.trim().toLowerCase();
    if (term === '' || term === '*') return true;
    const quoted = /^"(.*)"$/.exec(term);
    return Object.values(fields).some((value) => value !== undefined && (quoted ? value.toLowerCase() === quoted[1] : value.toLowerCase().includes(term)));
  }
  const exact = flag(call.query, 'exact', false);
  return Object.keys(fields).every((name) => {
    const wanted = call.query.get(name)?.toLowerCase();
    if (wanted === undefined) return true;
    const value = fields[name]?.toLowerCase();
    return value !== undefined && (exact ? value === wanted : value.includes(wanted));
  });
}

/** `briefRepresentation=true` (ModelToRepresentation.toBriefRepresentation): no attributes, credentials, actions or access. */
export function briefUser(client: ClientRecord) {
  const { attributes: _a, totp: _t, disableableCredentialTypes: _d, requiredActions: _r, notBefore: _n, ...brief } = serviceAccountUserRepresentation(client);
  return brief;
}

export const userRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/realms/{realm}/users',
    right: 'list-users',
    // Keycloak's default page is 100 users (Constants.DEFAULT_MAX_RESULTS).
    handle: async (call) => {
      const brief = flag(call.query, 'briefRepresentation', false);
      const found = (await serviceAccountClients(call)).filter((client) => matches(call, client));
      const access = userAccess(call);
      return ok(page(found, call.query, 100).map((client) => (brief ? briefUser(client) : { ...serviceAccountUserRepresentation(client), access })));
    },
  },
  {
    method: 'GET',
    path: '/realms/{realm}/users/{userId}',
    right: 'view-users',
    exists: userExists,
    handle: async (call) => ok({ ...serviceAccountUserRepresentation(await serviceAccountByUserId(call)), access: userAccess(call) }),
  },
];
