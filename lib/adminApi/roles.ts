import type { RoleName } from '../model/roleMappings.js';
import { addComposites, createRole, deleteRole, findRole, listRoles, removeComposites, updateRole } from '../admin/roles.js';
import type { ClientRecord, Role } from '../model/stored.js';
import { badRequest, conflictAs, notFound, plainBadRequest } from './errors.js';
import { mapsDirectly } from '../admin/mappings.js';
import { serviceAccountUserRepresentation } from '../representation/user.js';
import { compositeMembers, listComposites } from './roleComposites.js';
import { clientByUuid, clientIdExists, containersFor, refuseInternalChange } from './roleContainers.js';
import { flag, page } from './query.js';
import type { Right } from './rights.js';
import { serviceAccountClients } from './users.js';
import { created, noContent, ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';
import { briefRoleRepresentation, fullRoleRepresentation, parseRoleInput } from '../representation/role.js';

/**
 * Realm roles (`/realms/{realm}/roles`) and client roles (`/realms/{realm}/clients/{id}/roles`):
 * Keycloak's RoleContainerResource, one set of endpoints for either container. Realm roles need
 * the realm rights, client roles the client rights (reference §2); `realm-management`'s roles are
 * read-only (internal client).
 */

interface Container {
  /** undefined for the realm, else the owning client. */
  client?: ClientRecord;
}

const realmContainer = async (): Promise<Container> => ({});
const clientContainer = async (call: AdminCall): Promise<Container> => ({ client: await clientByUuid(call, call.params.id!) });

function roleName(container: Container, name: string): RoleName {
  return container.client === undefined ? { name } : { client: container.client.clientId, name };
}

/** GET: `search` (case-insensitive part of the name), `first`/`max`, `briefRepresentation` (default true). */
async function list(call: AdminCall, container: Container) {
  const roles = await listRoles(call.admin, call.realm!.realm, container.client?.clientId);
  const own = container.client === undefined ? roles.filter((role) => role.client === undefined) : roles;
  const search = (call.query.get('search') ?? '').trim().toLowerCase();
  const found = search === '' ? own : own.filter((role) => role.name.toLowerCase().includes(search));
  const containers = await containersFor(call, found, container.client ? [container.client] : []);
  const represent = flag(call.query, 'briefRepresentation', true) ? briefRoleRepresentation : fullRoleRepresentation;
  return ok(page(found, call.query).map((role) => represent(role, containers)));
}

async function create(call: AdminCall, container: Container) {
  refuseInternalChange(container.client?.clientId);
  const input = parseRoleInput(call.body('object') as Record<string, unknown>);
  // RoleContainerResource.createRole: a bare BadRequestException without a name.
  if (input.name === undefined) throw plainBadRequest();
  const role = roleName(container, input.name);
  await conflictAs(`Role with name ${input.name} already exists`, () =>
    createRole(call.admin, call.realm!.realm, role, {
      ...(input.description === null ? {} : { description: input.description }),
      ...(input.attributes === undefined ? {} : { attributes: input.attributes }),
    }),
  );
  const path = container.client === undefined ? ['roles'] : ['clients', container.client.id, 'roles'];
  return created(call.url('realms', call.realm!.realm, ...path, input.name));
}

async function requireNamed(call: AdminCall, container: Container): Promise<Role> {
  const role = await findRole(call.admin, call.realm!.realm, roleName(container, call.params.name!));
  if (!role) throw notFound('Could not find role');
  return role;
}

async function get(call: AdminCall, container: Container) {
  const role = await requireNamed(call, container);
  return ok(fullRoleRepresentation(role, await containersFor(call, [role, ...compositeOwners(role)], container.client ? [container.client] : [])));
}

async function update(call: AdminCall, container: Container) {
  refuseInternalChange(container.client?.clientId);
  const role = await requireNamed(call, container);
  await updateRoleFrom(call, role);
  return noContent();
}

async function remove(call: AdminCall, container: Container) {
  refuseInternalChange(container.client?.clientId);
  const role = await requireNamed(call, container);
  await deleteRoleChecked(call, role);
  return noContent();
}

/**
 * PUT of a RoleRepresentation (RoleResource.updateRole): a new `name` renames, `description` is
 * set to what is sent (absent clears it), `attributes` replace the stored ones when sent.
 */
export async function updateRoleFrom(call: AdminCall, role: Role): Promise<void> {
  const input = parseRoleInput(call.body('object') as Record<string, unknown>);
  await conflictAs(`Role with name ${input.name ?? role.name} already exists`, () =>
    updateRole(call.admin, call.realm!.realm, role, {
      ...(input.name === undefined ? {} : { name: input.name }),
      description: input.description,
      ...(input.attributes === undefined ? {} : { attributes: input.attributes }),
    }),
  );
}

/** DELETE of a role: the realm's default role is refused as Keycloak words it. */
export async function deleteRoleChecked(call: AdminCall, role: Role): Promise<void> {
  if (role.client === undefined && role.name === call.realm!.defaultRole) {
    throw badRequest(`${role.name} is default role of the realm and cannot be removed.`);
  }
  await deleteRole(call.admin, call.realm!.realm, role);
}

/** Placeholder roles for the owners of a composite's client roles, so their uuids are read too. */
function compositeOwners(role: Role): Role[] {
  return Object.keys(role.composites?.client ?? {}).map((client) => ({ client, name: '', composite: false }));
}

/** The right a role needs: the realm's for realm roles, the clients' for client roles. */
export const roleRight = (role: { client?: string }, change: boolean): Right =>
  role.client === undefined ? (change ? 'manage-realm' : 'view-realm') : change ? 'manage-clients' : 'view-clients';

type Handler = (call: AdminCall, container: Container) => Promise<AdminResponse>;

function routes(base: string, container: (call: AdminCall) => Promise<Container>, view: Right, manage: Right, exists?: AdminRoute['exists']): AdminRoute[] {
  const route = (method: AdminRoute['method'], path: string, right: Right, handler: Handler): AdminRoute => ({
    method,
    path,
    right,
    ...(exists ? { exists } : {}),
    handle: async (call) => handler(call, await container(call)),
  });
  return [
    route('GET', base, view, list),
    route('POST', base, manage, create),
    route('GET', `${base}/{name}`, view, get),
    route('PUT', `${base}/{name}`, manage, update),
    route('DELETE', `${base}/{name}`, manage, remove),
    // The service accounts holding the role directly (LATER; the provider's role data sources): `first`, `max` (default 100).
    route('GET', `${base}/{name}/users`, view, async (call, c) => {
      const role = await requireNamed(call, c);
      const holders = (await serviceAccountClients(call)).filter((client) => mapsDirectly(client.serviceAccount!.roles, role));
      return ok(page(holders, call.query, 100).map((client) => serviceAccountUserRepresentation(client)));
    }),
    // Composites by the composite's name (LATER in the reference; the admin client's roles.createComposite…ByName).
    route('GET', `${base}/{name}/composites`, view, async (call, c) => listComposites(call, await requireNamed(call, c), () => true)),
    route('GET', `${base}/{name}/composites/realm`, view, async (call, c) => listComposites(call, await requireNamed(call, c), (m) => m.client === undefined)),
    route('GET', `${base}/{name}/composites/clients/{clientUuid}`, view, async (call, c) => {
      const role = await requireNamed(call, c);
      const owner = await clientByUuid(call, call.params.clientUuid!);
      return listComposites(call, role, (m) => m.client === owner.clientId);
    }),
    route('POST', `${base}/{name}/composites`, manage, async (call, c) => {
      refuseInternalChange(c.client?.clientId);
      const role = await requireNamed(call, c);
      await addComposites(call.admin, call.realm!.realm, role, await compositeMembers(call, true));
      return noContent();
    }),
    route('DELETE', `${base}/{name}/composites`, manage, async (call, c) => {
      refuseInternalChange(c.client?.clientId);
      const role = await requireNamed(call, c);
      await removeComposites(call.admin, call.realm!.realm, role, await compositeMembers(call, false));
      return noContent();
    }),
  ];
}

export const roleRoutes: AdminRoute[] = [
  ...routes('/realms/{realm}/roles', realmContainer, 'view-realm', 'manage-realm'),
  ...routes('/realms/{realm}/clients/{id}/roles', clientContainer, 'view-clients', 'manage-clients', clientIdExists),
];
