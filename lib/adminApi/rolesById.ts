import { allRoles, findRoleById, type RoleName } from '../admin/lookup.js';
import { addComposites, mappingRefs, removeComposites } from '../admin/roles.js';
import { roleId } from '../admin/ids.js';
import type { Role } from '../store/model.js';
import { forbidden, notFound } from './errors.js';
import { mayMapRole } from './rights.js';
import { clientByUuid, containersFor, page, refuseInternalChange } from './roleContainers.js';
import { deleteRoleChecked, roleRight, updateRoleFrom } from './roles.js';
import { briefRoleRepresentation, fullRoleRepresentation, parseRoleReferences } from './rolesRepresentation.js';
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
  const role = await findRoleById(call.admin.table, call.realm!.realm, call.params.roleId!);
  if (!role) throw notFound(ROLE_NOT_FOUND);
  call.require(roleRight(role, change));
  if (change) refuseInternalChange(role.client);
  return role;
}

/** Brief representations of a composite's members, with `search` and `first`/`max` as Keycloak reads them. */
async function composites(call: AdminCall, role: Role, keep: (member: RoleName) => boolean) {
  const members = mappingRefs(role.composites ?? { realm: [], client: {} }).filter(keep);
  const roles = await allRoles(call.admin.table, call.realm!.realm);
  const byKey = new Map(roles.map((r) => [`${r.client ?? ''}\u0000${r.name}`, r]));
  const search = (call.query.get('search') ?? '').trim().toLowerCase();
  const found = members
    .flatMap((member) => byKey.get(`${member.client ?? ''}\u0000${member.name}`) ?? [])
    .filter((member) => search === '' || member.name.toLowerCase().includes(search));
  const containers = await containersFor(call, found);
  return ok(page(found, call.query).map((member) => briefRoleRepresentation(member, containers)));
}

/**
 * The roles a composites body names, each by `id` (RoleResource.addComposites): an unknown or
 * missing id is 404 `Could not find composite role`; one of Keycloak's admin roles needs the
 * caller to hold it when added (RolePermissions.requireMapComposite).
 */
async function members(call: AdminCall, adding: boolean): Promise<Role[]> {
  const body = call.body('array');
  const refs = parseRoleReferences((body ?? []) as unknown[]);
  const roles = await allRoles(call.admin.table, call.realm!.realm);
  const realm = call.realm!.realm;
  return refs.map((ref) => {
    const member = ref.id === undefined ? undefined : roles.find((role) => roleId(realm, role) === ref.id);
    if (!member) throw notFound('Could not find composite role');
    if (adding && !mayMapRole(call.caller, realm, member)) throw forbidden();
    return member;
  });
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
    handle: async (call) => composites(call, await requireRole(call, false), () => true),
  },
  {
    method: 'POST',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites',
    right: null,
    handle: async (call) => {
      const role = await requireRole(call, true);
      await addComposites(call.admin, call.realm!.realm, role, await members(call, true));
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites',
    right: null,
    handle: async (call) => {
      const role = await requireRole(call, true);
      await removeComposites(call.admin, call.realm!.realm, role, await members(call, false));
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites/realm',
    right: null,
    handle: async (call) => composites(call, await requireRole(call, false), (member) => member.client === undefined),
  },
  {
    method: 'GET',
    path: '/realms/{realm}/roles-by-id/{roleId}/composites/clients/{clientUuid}',
    right: null,
    handle: async (call) => {
      const role = await requireRole(call, false);
      const client = await clientByUuid(call, call.params.clientUuid!);
      return composites(call, role, (member) => member.client === client.clientId);
    },
  },
];
