import { roleId } from '../admin/ids.js';
import { findClientById } from '../admin/clients.js';
import { allRoles, describeRole, type RoleName } from '../admin/lookup.js';
import { addMappings, effectiveRoles, mapsDirectly, removeMappings } from '../admin/mappings.js';
import type { ClientRecord, Role } from '../store/model.js';
import { notFound } from './errors.js';
import { clientByUuid, clientIdExists, containersFor, flag, refuseInternalChange } from './roleContainers.js';
import { mappingsRepresentation } from './roleMappingsRepresentation.js';
import { briefRoleRepresentation, fullRoleRepresentation, parseRoleReferences } from './rolesRepresentation.js';
import { noContent, ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';

/**
 * A client's scope mappings (`/realms/{realm}/clients/{id}/scope-mappings`), Keycloak's
 * ScopeMappedResource and ScopeMappedClientResource: the roles a client with `fullScopeAllowed`
 * false may put in its tokens. Reading needs view-clients, changing manage-clients. Realm roles
 * in a body are found by `id` (any role of the realm, as `realm.getRoleById`), a client's roles by
 * `name`; an unknown one is 404 `Role not found` and nothing is written.
 */

interface Target {
  client: ClientRecord;
  /** For `clients/{client}`: the client owning the roles. */
  owner?: ClientRecord;
  roles: Role[];
}

async function target(call: AdminCall): Promise<Target> {
  const client = await clientByUuid(call, call.params.id!);
  let owner: ClientRecord | undefined;
  if (call.params.client !== undefined) {
    owner = await findClientById(call.admin, call.params.realm!, call.params.client);
    if (!owner) throw notFound('Could not find client');
  }
  return { client, ...(owner ? { owner } : {}), roles: await allRoles(call.admin.table, call.params.realm!) };
}

const inContainer = (t: Target) => (role: Role) => (t.owner === undefined ? role.client === undefined : role.client === t.owner.clientId);

async function represent(call: AdminCall, t: Target, roles: Role[], full = false): Promise<AdminResponse> {
  const containers = await containersFor(call, roles, [t.client, ...(t.owner ? [t.owner] : [])]);
  return ok(roles.map((role) => (full ? fullRoleRepresentation : briefRoleRepresentation)(role, containers)));
}

const direct = (t: Target) => t.roles.filter((role) => mapsDirectly(t.client.scopeMappings, role));

/**
 * Keycloak's ClientModel.hasScope: every role with full scope; else the client's own roles and
 * its scope mappings, composites expanded.
 */
function inScope(t: Target): (role: Role) => boolean {
  if (t.client.fullScopeAllowed) return () => true;
  const held = effectiveRoles(t.client.scopeMappings, t.roles);
  return (role) => role.client === t.client.clientId || held.has(describeRole(role));
}

function bodyRoles(call: AdminCall, t: Target): Role[] {
  const refs = parseRoleReferences((call.body('array') ?? []) as unknown[]);
  const realm = call.params.realm!;
  return refs.map((ref) => {
    const role =
      t.owner === undefined
        ? ref.id === undefined ? undefined : t.roles.find((r) => roleId(realm, r) === ref.id)
        : t.roles.find((r) => inContainer(t)(r) && r.name === ref.name);
    if (!role) throw notFound('Role not found');
    return role;
  });
}

const names = (roles: Role[]): RoleName[] => roles.map((role) => (role.client === undefined ? { name: role.name } : { client: role.client, name: role.name }));

type Handler = (call: AdminCall, t: Target) => Promise<AdminResponse>;

const handlers: Record<'all' | 'list' | 'add' | 'remove' | 'available' | 'composite', Handler> = {
  all: async (call, t) => ok(mappingsRepresentation(direct(t), await containersFor(call, direct(t), [t.client]))),
  list: async (call, t) => represent(call, t, direct(t).filter(inContainer(t))),
  add: async (call, t) => {
    refuseInternalChange(t.client.clientId);
    await addMappings(call.admin, call.params.realm!, t.client.clientId, 'scope', names(bodyRoles(call, t)));
    return noContent();
  },
  /** No body removes every scope mapping of the container. */
  remove: async (call, t) => {
    refuseInternalChange(t.client.clientId);
    const roles = call.body('array') === undefined ? direct(t).filter(inContainer(t)) : bodyRoles(call, t);
    await removeMappings(call.admin, call.params.realm!, t.client.clientId, 'scope', names(roles));
    return noContent();
  },
  available: async (call, t) => {
    const has = inScope(t);
    return represent(call, t, t.roles.filter((role) => inContainer(t)(role) && !has(role)));
  },
  composite: async (call, t) => {
    const has = inScope(t);
    return represent(call, t, t.roles.filter((role) => inContainer(t)(role) && has(role)), !flag(call.query, 'briefRepresentation', true));
  },
};

function route(method: AdminRoute['method'], path: string, handler: Handler): AdminRoute {
  return {
    method,
    path: `/realms/{realm}/clients/{id}/scope-mappings${path}`,
    right: method === 'GET' ? 'view-clients' : 'manage-clients',
    // The client, then the role-owning client, are looked up before the right is checked.
    exists: path.startsWith('/clients/') ? async (call) => void (await target(call)) : clientIdExists,
    handle: async (call) => handler(call, await target(call)),
  };
}

export const scopeMappingRoutes: AdminRoute[] = [
  route('GET', '', handlers.all),
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
