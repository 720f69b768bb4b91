import { findClient, findClientById } from '../admin/clients.js';
import type { RoleName } from '../model/roleMappings.js';
import type { ClientRecord, RealmSettings, Role } from '../model/stored.js';
import { forbidden, notFound } from './errors.js';
import { REALM_MANAGEMENT_CLIENT } from './rights.js';
import type { AdminCall, AdminRoute } from './route.js';
import type { RoleContainers } from '../representation/role.js';

/**
 * What the role, role-mapping, scope-mapping, client-scope and mapper families share: finding the
 * client a path names by its uuid with Keycloak's answers, and the containers a role
 * representation names.
 */

/** Keycloak's realm id; a realm stored before ids were kept answers with its name, as Keycloak's oldest realms do. */
export const realmIdOf = (settings: RealmSettings): string => settings.id ?? settings.realm;

/**
 * The client `{id}` names, or Keycloak's answer for an unknown one (ClientsResource.getClient):
 * 404 `Could not find client` when the caller may list clients, else 403, so ids cannot be probed.
 */
export async function clientByUuid(call: AdminCall, id: string): Promise<ClientRecord> {
  const client = await findClientById(call.admin, call.params.realm!, id);
  if (client) return client;
  throw call.may('list-clients') ? notFound('Could not find client') : forbidden();
}

/** For a route's `exists`: the 404 of an unknown `{id}` client comes before the 403 of a missing right. */
export const clientIdExists = async (call: AdminCall): Promise<void> => {
  await clientByUuid(call, call.params.id!);
};

/**
 * `realm-management` is internal (Keycloak's ClientPermissions.isInternal): it, its roles, its
 * mappers and its scope mappings can be read, and its roles mapped, but nothing of it changed.
 */
export function refuseInternalChange(clientId: string | undefined): void {
  if (clientId === REALM_MANAGEMENT_CLIENT) throw forbidden();
}

/** The containers of these roles: the realm's id, and the uuid of each client owning one (one read per owner). */
export async function containersFor(call: AdminCall, roles: readonly Role[], known: readonly ClientRecord[] = []): Promise<RoleContainers> {
  const realm = call.realm!;
  const uuids = new Map(known.map((client) => [client.clientId, client.id]));
  const owners = [...new Set(roles.flatMap((role) => (role.client === undefined || uuids.has(role.client) ? [] : [role.client])))];
  const clients = await Promise.all(owners.map((owner) => findClient(call.admin, realm.realm, owner)));
  clients.forEach((client, i) => uuids.set(owners[i]!, client?.id ?? ''));
  return { realm: realm.realm, realmId: realmIdOf(realm), clientUuid: (clientId) => uuids.get(clientId) };
}

/** Stored roles as the names lib/admin's mapping operations take. */
export const roleNames = (roles: readonly Role[]): RoleName[] =>
  roles.map((role) => (role.client === undefined ? { name: role.name } : { client: role.client, name: role.name }));

/**
 * The eleven paths of a role-mappings resource, below its holder: Keycloak's RoleMapperResource
 * (users, groups) and ScopeMappedResource (clients, client scopes) answer the same ones.
 */
export function mappingRoutes<H>(
  route: (method: AdminRoute['method'], path: string, handler: H) => AdminRoute,
  handlers: { all: H; list: H; add: H; remove: H; available: H; composite: H },
): AdminRoute[] {
  return [
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
}
