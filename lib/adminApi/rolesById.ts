import { findRoleById } from '../admin/roles.js';
import { addComposites, removeComposites } from '../admin/roles.js';
import type { Role } from '../model/stored.js';
import { notFound } from './errors.js';
import { compositeMembers, listComposites } from './roleComposites.js';
import { clientByUuid, containersFor, refuseInternalChange } from './roleContainers.js';
import { deleteRoleChecked, roleRight, updateRoleFrom } from './roles.js';
import { fullRoleRepresentation } from '../representation/role.js';
import { noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Roles by id (`/realms/{realm}/roles-by-id/{role-id}`), Keycloak's RoleByIdResource: what the
 * Terraform provider uses after creating a role by name. The role is looked up before the right
 * is checked (RoleByIdResource.getRoleModel comes first), and the right depends on the role: the
 * realm's for a realm role, the clients' for a client role.
 */

/**
 * The reference's 404 body for an unknown role id. Keycloak 26's RoleByIdResource words it
 * `Could not find role with id`; clients read the status only.
 */
const ROLE_NOT_FOUND = 'Could not find role';

async function requireRole(call: AdminCall, change: boolean): Promise<Role> {
  const role = await findRoleById(call.admin, call.realm!.realm, call.params.roleId!);
  if (!role) throw notFound(ROLE_NOT_FOUND);
  call.require(roleRight(role, change));
  if (change) refuseInternalChange(role.client);
  return role;
}

export const roleByIdRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/realms/{realm}/roles-by-id/{roleId}',
    right: null,
    handle: async (call) => {
      const role = await requireRole(call, false);
      const owners = Object.keys(role.composites?.client ?? {}).map((client): Role => ({ client, name: '', composite: false }));
      return ok(fullRoleRepresentation(role, await containersFor(call, [role, ...owners])));
    },
  },
  {
    method: 'PUT',
    path: '/realms/{realm}/roles-by-id/{roleId}',
    right: null,
    handle: async (call) => {
      await updateRoleFrom(call, await requireRole(call, true));
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/realms/{realm}/roles-by-id/{roleId}',
    right: null,
    handle: async (call) => {
      await deleteRoleChecked(call, await requireRole(call, true));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites',
    right: null,
    handle: async (call) => listComposites(call, await requireRole(call, false), () => true),
  },
  {
    method: 'POST',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites',
    right: null,
    handle: async (call) => {
      const role = await requireRole(call, true);
      await addComposites(call.admin, call.realm!.realm, role, await compositeMembers(call, true));
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites',
    right: null,
    handle: async (call) => {
      const role = await requireRole(call, true);
      await removeComposites(call.admin, call.realm!.realm, role, await compositeMembers(call, false));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites/realm',
    right: null,
    handle: async (call) => listComposites(call, await requireRole(call, false), (member) => member.client === undefined),
  },
  {
    method: 'GET',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites/clients/{clientUuid}',
    right: null,
    handle: async (call) => {
      const role = await requireRole(call, false);
      const client = await clientByUuid(call, call.params.clientUuid!);
      return listComposites(call, role, (member) => member.client === client.clientId);
    },
  },
];
