import { roleId } from '../admin/ids.js';
import { findClientById } from '../admin/clients.js';
import { readRealmRoles } from '../admin/roles.js';
import { addClientScopeMappings, addMappings, mapsDirectly, removeClientScopeMappings, removeMappings, roleGraph } from '../admin/mappings.js';
import { scopeAllows, scopeMappingsAllow } from '../tokens/roles.js';
import type { ClientRecord, ClientScope, Role, RoleMappings } from '../model/stored.js';
import { clientScopeById, clientScopeExists } from './clientScopes.js';
import { notFound } from './errors.js';
import { clientByUuid, clientIdExists, containersFor, mappingRoutes, refuseInternalChange, roleNames } from './roleContainers.js';
import { flag } from './query.js';
import { mappingsRepresentation } from '../representation/mappings.js';
import { briefRoleRepresentation, fullRoleRepresentation, parseRoleReferences } from '../representation/role.js';
import { noContent, ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';

/**
 * Scope mappings of a client (`/realms/{realm}/clients/{id}/scope-mappings`) or of a client scope
 * (`/realms/{realm}/client-scopes/{scopeId}/scope-mappings`), Keycloak's ScopeMappedResource and
 * ScopeMappedClientResource: the roles a client with `fullScopeAllowed` false may put in its
 * tokens. Reading needs view-clients, changing manage-clients. Realm roles in a body are found by
 * `id` (any role of the realm, as `realm.getRoleById`), a client's roles by `name`; an unknown one
 * is 404 `Role not found` and nothing is written.
 */

/** Whose scope mappings: a client, or a client scope. */
type Holder = { client: ClientRecord } | { scope: ClientScope };

interface Target {
  holder: Holder;
  /** For `clients/{client}`: the client owning the roles. */
  owner?: ClientRecord;
  roles: Role[];
}

const mappingsOf = (holder: Holder): RoleMappings => ('client' in holder ? holder.client.scopeMappings : holder.scope.scopeMappings);

async function target(call: AdminCall): Promise<Target> {
  const holder: Holder = call.params.scopeId === undefined ? { client: await clientByUuid(call, call.params.id!) } : { scope: await clientScopeById(call, call.params.scopeId) };
  let owner: ClientRecord | undefined;
  if (call.params.client !== undefined) {
    owner = await findClientById(call.admin, call.params.realm!, call.params.client);
    if (!owner) throw notFound('Could not find client');
  }
  return { holder, ...(owner ? { owner } : {}), roles: await readRealmRoles(call.admin, call.params.realm!) };
}

const inContainer = (t: Target) => (role: Role) => (t.owner === undefined ? role.client === undefined : role.client === t.owner.clientId);

async function represent(call: AdminCall, t: Target, roles: Role[], full = false): Promise<AdminResponse> {
  const containers = await containersFor(call, roles, t.owner ? [t.owner] : []);
  return ok(roles.map((role) => (full ? fullRoleRepresentation : briefRoleRepresentation)(role, containers)));
}

const direct = (t: Target) => t.roles.filter((role) => mapsDirectly(mappingsOf(t.holder), role));

/** Keycloak's hasScope (ClientModel's, ClientScopeModel's): the token path's own rule (lib/tokens/roles.ts). */
function inScope(t: Target): (role: Role) => boolean {
  const graph = roleGraph(t.roles);
  return 'client' in t.holder ? scopeAllows(graph, t.holder.client, []) : scopeMappingsAllow(graph, [t.holder.scope]);
}

/** `realm-management`'s scope mappings cannot change: refused before the body is read, as Keycloak checks the right first. */
function refuseInternal(t: Target): void {
  if ('client' in t.holder) refuseInternalChange(t.holder.client.clientId);
}

async function change(call: AdminCall, t: Target, roles: Role[], add: boolean): Promise<void> {
  const realm = call.params.realm!;
  if ('client' in t.holder) {
    await (add ? addMappings : removeMappings)(call.admin, realm, t.holder.client.clientId, 'scope', roleNames(roles));
  } else {
    await (add ? addClientScopeMappings : removeClientScopeMappings)(call.admin, realm, t.holder.scope, roleNames(roles));
  }
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

type Handler = (call: AdminCall, t: Target) => Promise<AdminResponse>;

const handlers: Record<'all' | 'list' | 'add' | 'remove' | 'available' | 'composite', Handler> = {
  all: async (call, t) => ok(mappingsRepresentation(direct(t), await containersFor(call, direct(t)))),
  list: async (call, t) => represent(call, t, direct(t).filter(inContainer(t))),
  add: async (call, t) => {
    refuseInternal(t);
    await change(call, t, bodyRoles(call, t), true);
    return noContent();
  },
  /** No body removes every scope mapping of the container. */
  remove: async (call, t) => {
    refuseInternal(t);
    await change(call, t, call.body('array') === undefined ? direct(t).filter(inContainer(t)) : bodyRoles(call, t), false);
    return noContent();
  },
  /** Roles not in scope yet; none for a caller without manage-clients (RolePermissions.canMapClientScope). */
  available: async (call, t) => {
    const has = inScope(t);
    const mayMap = call.may('manage-clients');
    return represent(call, t, t.roles.filter((role) => mayMap && inContainer(t)(role) && !has(role)));
  },
  composite: async (call, t) => {
    const has = inScope(t);
    return represent(call, t, t.roles.filter((role) => inContainer(t)(role) && has(role)), !flag(call.query, 'briefRepresentation', true));
  },
};

function routes(base: string, holderExists: AdminRoute['exists']): AdminRoute[] {
  const route = (method: AdminRoute['method'], path: string, handler: Handler): AdminRoute => ({
    method,
    path: `${base}/scope-mappings${path}`,
    right: method === 'GET' ? 'view-clients' : 'manage-clients',
    // The client or scope, then the role-owning client, are looked up before the right is checked.
    exists: path.startsWith('/clients/') ? async (call) => void (await target(call)) : holderExists,
    handle: async (call) => handler(call, await target(call)),
  });
  return mappingRoutes(route, handlers);
}

export const scopeMappingRoutes: AdminRoute[] = [
  ...routes('/realms/{realm}/clients/{id}', clientIdExists),
  // LATER in the reference (the provider's keycloak_generic_role_mapper with client_scope_id).
  ...routes('/realms/{realm}/client-scopes/{scopeId}', clientScopeExists),
];
