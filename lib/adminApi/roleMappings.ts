import { findClientById } from '../admin/clients.js';
import { describeRole } from '../admin/lookup.js';
import { readRealmRoles } from '../admin/roles.js';
import type { RoleName } from '../model/roleMappings.js';
import { addMappings, effectiveRoles, mapsDirectly, removeMappings, withGroupRoles } from '../admin/mappings.js';
import { grantGroupRoles, readRealmGroups, revokeGroupRoles } from '../admin/groups.js';
import { roleId } from '../admin/ids.js';
import type { ClientRecord, Group, Role, RoleMappings } from '../model/stored.js';
import { forbidden, notFound } from './errors.js';
import { mayMapRole } from './rights.js';
import { containersFor, mappingRoutes, roleNames } from './roleContainers.js';
import { flag } from './query.js';
import { mappingsRepresentation } from '../representation/mappings.js';
import { briefRoleRepresentation, fullRoleRepresentation, parseRoleReferences } from '../representation/role.js';
import { noContent, ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';
import { groupOf } from './groups.js';
import { serviceAccountByUserId } from './users.js';

/**
 * Role mappings of a service account (`users/{userId}/role-mappings`) and of a group
 * (`groups/{groupId}/role-mappings`): Keycloak's RoleMapperResource and ClientRoleMappingsResource,
 * one class for both, so one route table here built for each kind of holder. Reading needs
 * view-users, changing manage-users and, for each role, the right to map it
 * (RolePermissions.checkAdminRoles). The holder is looked up first (404), then the role-owning
 * client (404 `Client not found`), then the right; a body role is looked up by name in its
 * container and its id must match (404 `Role not found`), and nothing is written unless every
 * role passes.
 */

/** What holds role mappings, as RoleMapperResource sees it (Keycloak's RoleMapperModel). */
interface RoleMapper {
  /** The holder's direct mappings, or its 404. */
  load(call: AdminCall): Promise<LoadedMapper>;
}

interface LoadedMapper {
  direct: RoleMappings;
  /** What the holder holds before composites are expanded: a user's groups' roles, a group's parents'. */
  deep(groups: readonly Group[]): RoleMappings;
  add(call: AdminCall, roles: RoleName[]): Promise<void>;
  remove(call: AdminCall, roles: RoleName[]): Promise<void>;
}

const serviceAccountMapper: RoleMapper = {
  load: async (call) => {
    const holder = await serviceAccountByUserId(call);
    const account = holder.serviceAccount!;
    return {
      direct: account.roles,
      deep: (groups) => withGroupRoles(account, groups),
      add: async (call, roles) => {
        await addMappings(call.admin, call.params.realm!, holder.clientId, 'serviceAccount', roles);
      },
      remove: async (call, roles) => {
        await removeMappings(call.admin, call.params.realm!, holder.clientId, 'serviceAccount', roles);
      },
    };
  },
};

const groupMapper: RoleMapper = {
  load: async (call) => {
    const group = await groupOf(call);
    return {
      direct: group.roles,
      // Keycloak's GroupAdapter.hasRole looks up through the parent groups.
      deep: (groups) => {
        const ancestors = groups.filter((g) => group.path.startsWith(`${g.path}/`)).map((g) => g.path);
        return withGroupRoles({ id: group.id, username: '', roles: group.roles, groups: ancestors }, groups);
      },
      add: async (call, roles) => {
        await grantGroupRoles(call.admin, call.params.realm!, group.path, roles);
      },
      remove: async (call, roles) => {
        await revokeGroupRoles(call.admin, call.params.realm!, group.path, roles);
      },
    };
  },
};

interface Target {
  mapper: LoadedMapper;
  /** For `clients/{client}`: the client owning the roles; undefined for realm roles. */
  owner?: ClientRecord;
  roles: Role[];
}

async function target(call: AdminCall, kind: RoleMapper): Promise<Target> {
  const mapper = await kind.load(call);
  let owner: ClientRecord | undefined;
  if (call.params.client !== undefined) {
    owner = await findClientById(call.admin, call.params.realm!, call.params.client);
    if (!owner) throw notFound('Client not found');
  }
  return { mapper, ...(owner ? { owner } : {}), roles: await readRealmRoles(call.admin, call.params.realm!) };
}

const inContainer = (t: Target) => (role: Role) => (t.owner === undefined ? role.client === undefined : role.client === t.owner.clientId);

async function represent(call: AdminCall, t: Target, roles: Role[], full = false): Promise<AdminResponse> {
  const containers = await containersFor(call, roles, t.owner ? [t.owner] : []);
  return ok(roles.map((role) => (full ? fullRoleRepresentation : briefRoleRepresentation)(role, containers)));
}

/** The stored roles the holder maps directly (a mapping to a role that no longer exists is not shown). */
function direct(t: Target): Role[] {
  return t.roles.filter((role) => mapsDirectly(t.mapper.direct, role));
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
  all: async (call: AdminCall, t: Target) => {
    const containers = await containersFor(call, direct(t));
    return ok(mappingsRepresentation(direct(t), containers));
  },
  list: async (call: AdminCall, t: Target) => represent(call, t, direct(t).filter(inContainer(t))),
  add: async (call: AdminCall, t: Target) => {
    await t.mapper.add(call, roleNames(bodyRoles(call, t)));
    return noContent();
  },
  /** No body removes every role of the container (each one the caller may map). */
  remove: async (call: AdminCall, t: Target) => {
    const given = call.body('array');
    const roles = given === undefined ? direct(t).filter(inContainer(t)) : bodyRoles(call, t);
    if (given === undefined && roles.some((role) => !mayMapRole(call.caller, call.params.realm!, role))) throw forbidden();
    await t.mapper.remove(call, roleNames(roles));
    return noContent();
  },
  /**
   * Roles of the container the caller may map and the holder does not map directly: none for a
   * caller without manage-users (RolePermissions.canMapRole).
   */
  available: async (call: AdminCall, t: Target) => {
    const mayMap = call.may('map-roles');
    const roles = t.roles.filter((role) => mayMap && inContainer(t)(role) && !mapsDirectly(t.mapper.direct, role) && mayMapRole(call.caller, call.params.realm!, role));
    return represent(call, t, roles);
  },
  /** Roles of the container the holder holds, directly, through composites or through groups. */
  composite: async (call: AdminCall, t: Target) => {
    const held = effectiveRoles(t.mapper.deep(await readRealmGroups(call.admin, call.params.realm!)), t.roles);
    const roles = t.roles.filter((role) => inContainer(t)(role) && held.has(describeRole(role)));
    return represent(call, t, roles, !flag(call.query, 'briefRepresentation', true));
  },
};

function routesFor(base: string, kind: RoleMapper): AdminRoute[] {
  const route = (method: AdminRoute['method'], path: string, handler: (call: AdminCall, t: Target) => Promise<AdminResponse>): AdminRoute => ({
    method,
    path: `${base}/role-mappings${path}`,
    right: method === 'GET' ? 'view-users' : 'map-roles',
    // The holder, then the role-owning client, are looked up before the right is checked.
    exists: async (call) => {
      await target(call, kind);
    },
    handle: async (call) => handler(call, await target(call, kind)),
  });
  return mappingRoutes(route, handlers);
}

export const roleMappingRoutes: AdminRoute[] = [
  ...routesFor('/realms/{realm}/users/{userId}', serviceAccountMapper),
  ...routesFor('/realms/{realm}/groups/{groupId}', groupMapper),
];
