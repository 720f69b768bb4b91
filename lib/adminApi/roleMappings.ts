import { findClientById } from '../admin/clients.js';
import { allRoles, describeRole } from '../admin/lookup.js';
import { addMappings, effectiveRoles, mapsDirectly, removeMappings, withGroupRoles } from '../admin/mappings.js';
import { roleId } from '../admin/ids.js';
import type { ClientRecord, Role } from '../store/model.js';
import { forbidden, notFound } from './errors.js';
import { mayMapRole } from './rights.js';
import { containersFor, roleNames } from './roleContainers.js';
import { flag } from './query.js';
import { mappingsRepresentation } from '../representation/mappings.js';
import { briefRoleRepresentation, fullRoleRepresentation, parseRoleReferences } from '../representation/role.js';
import { noContent, ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';
import { serviceAccountByUserId } from './users.js';

/**
 * A service account's role mappings (`/realms/{realm}/users/{userId}/role-mappings`), Keycloak's
 * RoleMapperResource and ClientRoleMappingsResource: reading them needs view-users, changing them
 * manage-users and, for each role, the right to map it (RolePermissions.checkAdminRoles). The user
 * is looked up first (404 `User not found`), then the role-owning client (404 `Client not found`),
 * then the right; a body role is looked up by name in its container and its id must match
 * (404 `Role not found`), and nothing is written unless every role passes.
 */

interface Target {
  /** The client holding the service account. */
  holder: ClientRecord;
  /** For `clients/{client}`: the client owning the roles; undefined for realm roles. */
  owner?: ClientRecord;
  roles: Role[];
}

async function target(call: AdminCall): Promise<Target> {
  const holder = await serviceAccountByUserId(call);
  let owner: ClientRecord | undefined;
  if (call.params.client !== undefined) {
    owner = await findClientById(call.admin, call.params.realm!, call.params.client);
    if (!owner) throw notFound('Client not found');
  }
  return { holder, ...(owner ? { owner } : {}), roles: await allRoles(call.admin.table, call.params.realm!) };
}

const inContainer = (t: Target) => (role: Role) => (t.owner === undefined ? role.client === undefined : role.client === t.owner.clientId);

async function represent(call: AdminCall, t: Target, roles: Role[], full = false): Promise<AdminResponse> {
  const containers = await containersFor(call, roles, t.owner ? [t.owner] : []);
  return ok(roles.map((role) => (full ? fullRoleRepresentation : briefRoleRepresentation)(role, containers)));
}

/** The stored roles the account maps directly (a mapping to a role that no longer exists is not shown). */
function direct(t: Target): Role[] {
  const mappings = t.holder.serviceAccount!.roles;
  return t.roles.filter((role) => mapsDirectly(mappings, role));
}

/** The roles a body names, checked as RoleMapperResource does, before anything is written. */
function bodyRoles(call: AdminCall, t: Target): Role[] {
  const refs = parseRoleReferences((call.body('array') ?? []) as unknown[]);
  const realm = call.params.realm!;
  return refs.map((ref) => {
    const role = t.roles.find((r) => inContainer(t)(r) && r.name === ref.name);
    if (!role || ref.id === undefined || roleId(realm, role) !== ref.id) throw notFound('Role not found');
    if (!mayMapRole(call.caller, realm, role)) throw forbidden();
    return role;
  });
}

const handlers = {
  list: async (call: AdminCall, t: Target) => represent(call, t, direct(t).filter(inContainer(t))),
  add: async (call: AdminCall, t: Target) => {
    const roles = bodyRoles(call, t);
    await addMappings(call.admin, call.params.realm!, t.holder.clientId, 'serviceAccount', roleNames(roles));
    return noContent();
  },
  /** No body removes every role of the container (each one the caller may map). */
  remove: async (call: AdminCall, t: Target) => {
    const given = call.body('array');
    const roles = given === undefined ? direct(t).filter(inContainer(t)) : bodyRoles(call, t);
    if (given === undefined && roles.some((role) => !mayMapRole(call.caller, call.params.realm!, role))) throw forbidden();
    await removeMappings(call.admin, call.params.realm!, t.holder.clientId, 'serviceAccount', roleNames(roles));
    return noContent();
  },
  /**
   * Roles of the container the caller may map and the account does not map directly: none for a
   * caller without manage-users (RolePermissions.canMapRole).
   */
  available: async (call: AdminCall, t: Target) => {
    const mappings = t.holder.serviceAccount!.roles;
    const mayMap = call.may('map-roles');
    const roles = t.roles.filter((role) => mayMap && inContainer(t)(role) && !mapsDirectly(mappings, role) && mayMapRole(call.caller, call.params.realm!, role));
    return represent(call, t, roles);
  },
  /** Roles of the container the account holds, directly, through composites or through groups. */
  composite: async (call: AdminCall, t: Target) => {
    const realmData = await call.admin.table.loadRealm(call.params.realm!);
    const held = effectiveRoles(withGroupRoles(t.holder.serviceAccount!, realmData?.groups ?? []), t.roles);
    const roles = t.roles.filter((role) => inContainer(t)(role) && held.has(describeRole(role)));
    return represent(call, t, roles, !flag(call.query, 'briefRepresentation', true));
  },
};

function route(method: AdminRoute['method'], path: string, handler: (call: AdminCall, t: Target) => Promise<AdminResponse>): AdminRoute {
  return {
    method,
    path: `/realms/{realm}/users/{userId}/role-mappings${path}`,
    right: method === 'GET' ? 'view-users' : 'map-roles',
    // The user, then the role-owning client, are looked up before the right is checked.
    exists: async (call) => {
      await target(call);
    },
    handle: async (call) => handler(call, await target(call)),
  };
}

export const roleMappingRoutes: AdminRoute[] = [
  route('GET', '', async (call, t) => {
    const containers = await containersFor(call, direct(t));
    return ok(mappingsRepresentation(direct(t), containers));
  }),
  route('GET', '/realm', handlers.list),
  route('POST', '/realm', handlers.add),
  route('DELETE', '/realm', handlers.remove),
  route('GET', '/realm/available', handlers.available),
  route('GET', '/realm/composite', handlers.composite),
  route('GET', '/clients/{client}', handlers.list),
  route('POST', '/clients/{client}', handlers.add),
  route('DELETE', '/clients/{client}', handlers.remove),
  route('GET', '/clients/{client}/available', handlers.available),
  route('GET', '/clients/{client}/composite', handlers.composite),
];
