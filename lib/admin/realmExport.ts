import { identityProviderRepresentation } from '../representation/identityProvider.js';
import { ownEntry } from '../model/userKeys.js';
import type { ClientsTable } from '../store/clientsTable.js';
import { clientRepresentation } from '../representation/client.js';
import { exportedClientScopeRepresentation } from '../representation/clientScope.js';
import { exportedRoleRepresentation } from '../representation/role.js';
import { realmRepresentation } from '../representation/realm.js';
import { serviceAccountUserRepresentation } from '../representation/user.js';
import type { ClientRecord, ClientScope, Group, RoleMappings } from '../model/stored.js';
import { requireRealm } from './lookup.js';

/**
 * A realm as Keycloak's RealmRepresentation (what `kc.sh export` writes), so it can go back to
 * Keycloak or into another stage with `import-realm`. Never any secret: this service holds none in
 * clear, and hashes or ciphertexts are of no use elsewhere. A confidential client therefore comes
 * out without `secret`; importing the file again keeps the secrets the target already holds, and
 * a new target generates them only when asked (`import-realm --generate-secrets`).
 * Signing keys are not exported (Keycloak exports its own keys as components; these live in KMS).
 * Ids, protocol mappers, groups, full service-account users and the representation fields this
 * service keeps without using (`extra`) come back as they were imported.
 */

type Json = Record<string, unknown>;

export async function exportRealm(table: ClientsTable, realm: string): Promise<Json> {
  const settings = await requireRealm(table, realm);
  const items = await table.listRealmItems(realm);
  const roles = items.flatMap((item) => (item.kind === 'role' ? [item] : []));
  const scopes = items.flatMap((item) => (item.kind === 'clientScope' ? [item] : []));
  const clients = items.flatMap((item) => (item.kind === 'client' ? [item] : []));
  const groups = items.flatMap((item) => (item.kind === 'group' ? [item] : []));

  const rolesByClient: Record<string, Json[]> = Object.fromEntries(clients.map((client) => [client.clientId, []]));
  for (const role of roles.filter((r) => r.client !== undefined)) ownEntry(rolesByClient, role.client!, () => []).push(exportedRoleRepresentation(role));

  const defaultRole = roles.find((role) => role.client === undefined && role.name === settings.defaultRole);
  return {
    ...realmRepresentation(settings, defaultRole, { export: true }),
    roles: { realm: roles.filter((r) => r.client === undefined).map(exportedRoleRepresentation), client: rolesByClient },
    groups: groupTree(groups),
    clients: clients.map((client) => clientRepresentation(client, { export: true })),
    users: clients.flatMap((client) => (client.serviceAccount ? [serviceAccountUserRepresentation(client, { export: true })] : [])),
    scopeMappings: [
      ...clients.filter((c) => c.scopeMappings.realm.length > 0).map((c) => ({ client: c.clientId, roles: c.scopeMappings.realm })),
      ...scopes.filter((s) => s.scopeMappings.realm.length > 0).map((s) => ({ clientScope: s.name, roles: s.scopeMappings.realm })),
    ],
    clientScopeMappings: clientScopeMappings(clients, scopes),
    clientScopes: scopes.map(exportedClientScopeRepresentation),
    identityProviders: items.flatMap((item) => {
      if (item.kind !== 'identityProvider') return [];
      const { kind: _kind, ...idp } = item;
      const { types: _computed, ...json } = identityProviderRepresentation(idp);
      return [json];
    }),
  };
}

/** Keycloak's nested GroupRepresentation: top-level groups with their subGroups, paths as Keycloak writes them. */
function groupTree(groups: Group[]): Json[] {
  const children = new Map<string | undefined, Group[]>();
  for (const group of groups) children.set(group.parentPath, [...(children.get(group.parentPath) ?? []), group]);
  const json = (group: Group): Json => ({
    id: group.id,
    name: group.name,
    ...(group.description === undefined ? {} : { description: group.description }),
    path: group.path,
    subGroups: (children.get(group.path) ?? []).sort(byName).map(json),
    attributes: group.attributes,
    realmRoles: group.roles.realm,
    clientRoles: group.roles.client,
  });
  return (children.get(undefined) ?? []).sort(byName).map(json);
}

const byName = (a: Group, b: Group) => a.name.localeCompare(b.name);

/** Client-role scope mappings, grouped by the client that owns the roles, as Keycloak exports them. */
function clientScopeMappings(clients: ClientRecord[], scopes: ClientScope[]): Record<string, Json[]> {
  const byOwner: Record<string, Json[]> = {};
  const add = (target: Json, mappings: RoleMappings) => {
    for (const [owner, roles] of Object.entries(mappings.client)) {
      if (roles.length > 0) ownEntry(byOwner, owner, () => []).push({ ...target, roles });
    }
  };
  for (const client of clients) add({ client: client.clientId }, client.scopeMappings);
  for (const scope of scopes) add({ clientScope: scope.name }, scope.scopeMappings);
  return byOwner;
}
