import { findClient } from '../admin/clients.js';
import { REALM_ADMIN_ROLE, REALM_MANAGEMENT_CLIENT, REALM_MANAGEMENT_ROLES } from '../admin/realmManagement.js';
import { isMasterAdmin, mayCreateRealm } from './rights.js';
import { ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * `GET /admin/{realm}/console/whoami?currentRealm=…` (Keycloak's admin-ui WhoAmIResource): who the
 * console is signed in as and which `realm-management` roles it holds in the realm being managed,
 * so the console can hide what the caller may not do. The API checks every right again on each
 * call; this answer only shapes the screens.
 *
 * `{realm}` is the console's login realm: a token from another realm is refused by the router
 * (403). `realm_access` lists the current realm only (Keycloak 26 with `currentRealm`), with every
 * admin role for master's `admin` and for `realm-admin`, as Keycloak expands them.
 */
async function whoAmI(call: AdminCall) {
  const { caller } = call;
  const current = call.query.get('currentRealm') || caller.realm;
  const client = await findClient(call.admin, caller.realm, caller.clientId);
  const held = caller.realm === current ? caller.roles.filter((role) => role.client === REALM_MANAGEMENT_CLIENT).map((role) => role.name) : [];
  const full = isMasterAdmin(caller) || held.includes(REALM_ADMIN_ROLE);
  const roles = full ? [REALM_ADMIN_ROLE, ...REALM_MANAGEMENT_ROLES] : [...new Set(held)].sort();
  // A realm name is user data: it keys a null-prototype object, never a plain one.
  const realmAccess: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  if (roles.length > 0) realmAccess[current] = roles;
  return ok({
    userId: client?.serviceAccount?.id ?? '',
    realm: caller.realm,
    displayName: client?.serviceAccount?.username ?? caller.clientId,
    locale: 'en',
    createRealm: mayCreateRealm(caller),
    realm_access: realmAccess,
    // Keycloak 26 flags the bootstrap "temporary admin service account" by this attribute (lib/admin/bootstrap.ts).
    temporary: client?.attributes?.is_temporary_admin === 'true',
  });
}

export const whoAmIRoutes: AdminRoute[] = [{ method: 'GET', path: '/{realm}/console/whoami', right: null, handle: whoAmI }];
