import { randomUUID } from 'node:crypto';
import type { ClientsTableItem } from '../store/clientsTable.js';
import { roleId } from './ids.js';
import { emptyRoleMappings, type ClientRecord, type Role } from '../model/stored.js';
import type { AdminContext } from './context.js';

/**
 * Keycloak's administration roles (AdminRoles, RealmManager.setupRealmAdminManagement): every
 * realm but master has the internal client `realm-management` holding them, and master has the
 * realm roles `admin` and `create-realm`. The Admin REST API reads a caller's rights from these
 * (lib/adminApi/rights.ts); here they are created, for new realms and, idempotently, for realms
 * that existed before.
 */

export const MASTER_REALM = 'master';
export const REALM_MANAGEMENT_CLIENT = 'realm-management';
export const MASTER_ADMIN_ROLE = 'admin';
export const CREATE_REALM_ROLE = 'create-realm';
export const REALM_ADMIN_ROLE = 'realm-admin';

/** AdminRoles.ALL_REALM_ROLES. */
export const REALM_MANAGEMENT_ROLES = [
  'view-realm',
  'manage-realm',
  'view-clients',
  'manage-clients',
  'query-clients',
  'create-client',
  'view-users',
  'manage-users',
  'query-users',
  'query-groups',
  'query-realms',
  'view-events',
  'manage-events',
  'view-identity-providers',
  'manage-identity-providers',
  'view-authorization',
  'manage-authorization',
  'impersonation',
] as const;

/** The composites Keycloak gives them: realm-admin holds all; viewing implies querying. */
export const REALM_MANAGEMENT_COMPOSITES: Readonly<Record<string, readonly string[]>> = {
  [REALM_ADMIN_ROLE]: REALM_MANAGEMENT_ROLES,
  'view-clients': ['query-clients'],
  'view-users': ['query-users', 'query-groups'],
};

/** Keycloak's role descriptions are message keys (`${role_view-clients}`), shown translated by its console. */
const description = (name: string) => `\${role_${name}}`;

function realmManagementClient(realm: string): ClientRecord {
  // Keycloak's realm-management is a bearer-only client: it never gets tokens, it only owns roles.
  return {
    realm,
    clientId: REALM_MANAGEMENT_CLIENT,
    id: randomUUID(),
    enabled: true,
    publicClient: false,
    bearerOnly: true,
    serviceAccountsEnabled: false,
    fullScopeAllowed: false,
    clientAuthenticatorType: 'client-secret',
    defaultClientScopes: [],
    optionalClientScopes: [],
    attributes: {},
    notBefore: 0,
    scopeMappings: emptyRoleMappings(),
  };
}

function realmManagementRoles(): Role[] {
  return [REALM_ADMIN_ROLE, ...REALM_MANAGEMENT_ROLES].map((name) => {
    const composites = REALM_MANAGEMENT_COMPOSITES[name];
    return {
      client: REALM_MANAGEMENT_CLIENT,
      name,
      description: description(name),
      composite: composites !== undefined,
      ...(composites ? { composites: { realm: [], client: { [REALM_MANAGEMENT_CLIENT]: [...composites] } } } : {}),
    };
  });
}

function masterRoles(): Role[] {
  return [
    { name: CREATE_REALM_ROLE, description: description('create-realm'), composite: false },
    // Keycloak's master `admin` is composite of create-realm and every realm's `<realm>-realm` roles (LATER here).
    { name: MASTER_ADMIN_ROLE, description: description('admin'), composite: true, composites: { realm: [CREATE_REALM_ROLE], client: {} } },
  ];
}

/** What a new realm gets besides Keycloak's usual defaults: the admin client and roles, or master's admin roles. */
export function administrationItems(realm: string): ClientsTableItem[] {
  const roles = realm === MASTER_REALM ? masterRoles() : realmManagementRoles();
  return [
    ...(realm === MASTER_REALM ? [] : [{ kind: 'client', ...realmManagementClient(realm), protocolMappers: [] } as ClientsTableItem]),
    // Stored as an import of the realm's export stores them, so export and re-import change nothing.
    ...roles.map((role): ClientsTableItem => ({ kind: 'role', ...role, id: roleId(realm, role), attributes: {} })),
  ];
}

/**
 * The upgrade step for realms that existed before the Admin REST API (and for imports): adds
 * whatever of the administration client and roles is missing, leaves what exists as it is.
 * Returns the items written; a second run writes nothing.
 */
export async function ensureAdministration(ctx: AdminContext, realm: string): Promise<string[]> {
  const items = await ctx.table.listRealmItems(realm);
  const hasClient = items.some((item) => item.kind === 'client' && item.clientId === REALM_MANAGEMENT_CLIENT);
  const hasRole = (client: string | undefined, name: string) => items.some((item) => item.kind === 'role' && item.client === client && item.name === name);
  const missing = administrationItems(realm).filter((item) =>
    item.kind === 'client' ? !hasClient : item.kind === 'role' ? !hasRole(item.client, item.name) : false,
  );
  if (missing.length > 0) await ctx.table.batchPut(realm, missing);
  return missing.map((item) => (item.kind === 'client' ? `client ${item.clientId}` : item.kind === 'role' ? `role ${item.client ? `${item.client}:` : ''}${item.name}` : item.kind));
}
