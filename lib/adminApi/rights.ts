import {
  CREATE_REALM_ROLE,
  MASTER_ADMIN_ROLE,
  MASTER_REALM,
  REALM_ADMIN_ROLE,
  REALM_MANAGEMENT_CLIENT,
  REALM_MANAGEMENT_ROLES,
} from '../admin/realmManagement.js';

export { MASTER_REALM, REALM_MANAGEMENT_CLIENT };

/**
 * Who may do what through the Admin REST API: Keycloak's admin roles turned into rights, and the
 * order in which Keycloak checks them (services/…/resources/admin/AdminRoot, RealmsAdminResource,
 * fgap/RealmPermissions, ClientPermissions, RolePermissions). Pure: the caller's roles are read
 * server-side by lib/adminApi/auth.ts and handed in, composites already expanded.
 */

/** The rights the API checks; each route names one. */
export type Right =
  | 'view-realm'
  | 'manage-realm'
  | 'list-clients'
  | 'view-clients'
  | 'manage-clients'
  | 'list-users'
  | 'view-users'
  | 'map-roles'
  | 'manage-users'
  | 'view-identity-providers'
  | 'manage-identity-providers'
  | 'list-groups'
  | 'manage-groups'
  | 'create-realm';

export const ALL_RIGHTS: readonly Right[] = [
  'view-realm',
  'manage-realm',
  'list-clients',
  'view-clients',
  'manage-clients',
  'list-users',
  'view-users',
  'map-roles',
  'manage-users',
  'view-identity-providers',
  'manage-identity-providers',
  'list-groups',
  'manage-groups',
  'create-realm',
];

/**
 * The rights table of the reference (§2): which `realm-management` roles grant each right.
 * `realm-admin` grants all of them whether or not its composites are stored.
 */
export const RIGHTS_TABLE: Record<Exclude<Right, 'create-realm'>, readonly string[]> = {
  'view-realm': ['view-realm', 'manage-realm'],
  'manage-realm': ['manage-realm'],
  // ClientPermissions.canList: query-clients, or any role that may view clients; query-users too (user search lists clients).
  'list-clients': ['query-clients', 'view-clients', 'manage-clients', 'query-users'],
  'view-clients': ['view-clients', 'manage-clients'],
  'manage-clients': ['manage-clients'],
  'list-users': ['query-users', 'view-users', 'manage-users'],
  'view-users': ['view-users', 'manage-users'],
  'map-roles': ['manage-users'],
  // UserPermissions.requireManage: ending a user session (RealmAdminResource.deleteSession).
  'manage-users': ['manage-users'],
  // RealmPermissions.canViewIdentityProviders / canManageIdentityProviders.
  'view-identity-providers': ['view-identity-providers', 'manage-identity-providers'],
  'manage-identity-providers': ['manage-identity-providers'],
  // GroupPermissions.canList: query-groups, or any role that may view users; viewing a group and
  // its members is view-users, changing groups and memberships manage-users (canManage).
  'list-groups': ['query-groups', 'view-users', 'manage-users'],
  'manage-groups': ['manage-users'],
};

/** A role, as the caller's effective roles list them: realm roles without `client`, client roles with the owner's clientId. */
export interface CallerRole {
  client?: string;
  name: string;
}

/** Who is calling: the realm that issued the bearer token, its client, and that client's service account's effective roles. */
export interface AdminCaller {
  realm: string;
  clientId: string;
  /**
   * The client's internal id and its service-account user's id: what the token is bound to
   * (lib/tokens/clientBinding.ts). Always set by bearer authentication; the router's own tests
   * make callers without them.
   */
  clientUuid?: string;
  userId?: string;
  roles: readonly CallerRole[];
}

const holds = (caller: AdminCaller, client: string | undefined, name: string) =>
  caller.roles.some((role) => role.client === client && role.name === name);

export const isMasterAdmin = (caller: AdminCaller) => caller.realm === MASTER_REALM && holds(caller, undefined, MASTER_ADMIN_ROLE);

/** The rights the caller holds in `realm` (Keycloak's RealmAuth for that realm). */
export function rightsIn(caller: AdminCaller, realm: string): ReadonlySet<Right> {
  if (isMasterAdmin(caller)) return new Set(ALL_RIGHTS);
  // A token from realm R administers R only (AdminRoot: the admin realm is the token's realm).
  if (caller.realm !== realm || caller.realm === MASTER_REALM) return new Set();
  const names = new Set(caller.roles.filter((role) => role.client === REALM_MANAGEMENT_CLIENT).map((role) => role.name));
  if (names.has(REALM_ADMIN_ROLE)) return new Set(ALL_RIGHTS.filter((right) => right !== 'create-realm'));
  const rights = new Set<Right>();
  for (const [right, roles] of Object.entries(RIGHTS_TABLE) as [Right, readonly string[]][]) {
    if (roles.some((role) => names.has(role))) rights.add(right);
  }
  return rights;
}

/** `POST /admin/realms`: master's `admin` or `create-realm` (RealmsPermissions.canCreateRealm). */
export function mayCreateRealm(caller: AdminCaller): boolean {
  return caller.realm === MASTER_REALM && (holds(caller, undefined, MASTER_ADMIN_ROLE) || holds(caller, undefined, CREATE_REALM_ROLE));
}

/** Whether the caller may administer `realm` at all: a master token, or a token of that realm. */
export const mayReach = (caller: AdminCaller, realm: string) => caller.realm === MASTER_REALM || caller.realm === realm;

/** Whether the caller holds any admin right anywhere (serverinfo, and the realm list being non-empty). */
export function isAnyAdmin(caller: AdminCaller): boolean {
  return mayCreateRealm(caller) || rightsIn(caller, caller.realm).size > 0;
}

/**
 * Whether the caller may put `role` into a role mapping (RolePermissions.checkAdminRoles): an
 * ordinary role always; one of Keycloak's admin roles only when the caller itself holds it (or
 * `realm-admin`, which contains them all); master's `admin` and `create-realm` only by master's admin.
 * `roleRealm` is the realm the role lives in.
 */
export function mayMapRole(caller: AdminCaller, roleRealm: string, role: CallerRole): boolean {
  if (roleRealm === MASTER_REALM && role.client === undefined && (role.name === MASTER_ADMIN_ROLE || role.name === CREATE_REALM_ROLE)) {
    return isMasterAdmin(caller);
  }
  const isAdminRole = role.client === REALM_MANAGEMENT_CLIENT && (role.name === REALM_ADMIN_ROLE || (REALM_MANAGEMENT_ROLES as readonly string[]).includes(role.name));
  if (!isAdminRole) return true;
  if (isMasterAdmin(caller)) return true;
  if (caller.realm !== roleRealm) return false;
  return holds(caller, REALM_MANAGEMENT_CLIENT, role.name) || holds(caller, REALM_MANAGEMENT_CLIENT, REALM_ADMIN_ROLE);
}

/**
 * The checks every realm-scoped request passes, in Keycloak's order (reference §2): the token was
 * checked before (401), then the realm exists (404 `Realm not found.`), then the token's realm may
 * reach it (403), then, when the route's right is missing, an unknown sub-resource is still a 404
 * where Keycloak looks it up first, then the right itself (403). Body validation (400) and
 * conflicts (409) come after, in the handler.
 */
export type AccessDecision = 'allow' | 'realm-not-found' | 'forbidden' | 'check-sub-resource';

export function decideAccess(caller: AdminCaller, realm: string, realmExists: boolean, right: Right | undefined): AccessDecision {
  if (!realmExists) return 'realm-not-found';
  if (!mayReach(caller, realm)) return 'forbidden';
  if (right === undefined) return 'allow';
  if (right === 'create-realm') return mayCreateRealm(caller) ? 'allow' : 'forbidden';
  return rightsIn(caller, realm).has(right) ? 'allow' : 'check-sub-resource';
}
