import type { RoleName } from '../model/roleMappings.js';
import type { ClientsTable } from '../store/clientsTable.js';
import type { ClientRecord, RealmSettings, Role } from '../model/stored.js';
import { AdminError } from './errors.js';

/**
 * Finding what an admin command names (a realm, a client, a role), each failing with an
 * AdminError that says which one is missing.
 */

export const describeRole = (role: RoleName) =>
  role.client === undefined ? `realm role '${role.name}'` : `role '${role.name}' of client '${role.client}'`;

export async function findRealm(table: ClientsTable, realm: string): Promise<RealmSettings | undefined> {
  const settings = await table.getRealmSettings(realm);
  if (!settings) return undefined;
  // DynamoDB returns a map's fields in no particular order; operators read them in this one.
  return Object.fromEntries(
    Object.entries(settings).sort(([a], [b]) => settingsOrder(a) - settingsOrder(b)),
  ) as unknown as RealmSettings;
}

const SETTINGS_ORDER: (keyof RealmSettings)[] = [
  'realm', 'enabled', 'accessTokenLifespan', 'ssoSessionIdleTimeout', 'ssoSessionMaxLifespan', 'clientSessionIdleTimeout',
  'clientSessionMaxLifespan', 'revokeRefreshToken', 'refreshTokenMaxReuse', 'notBefore', 'defaultSignatureAlgorithm',
  'signingMode', 'defaultRole', 'defaultDefaultClientScopes', 'defaultOptionalClientScopes',
];
const settingsOrder = (key: string) => {
  const i = SETTINGS_ORDER.indexOf(key as keyof RealmSettings);
  return i === -1 ? SETTINGS_ORDER.length : i;
};

export async function requireRealm(table: ClientsTable, realm: string): Promise<RealmSettings> {
  const settings = await findRealm(table, realm);
  if (!settings) throw new AdminError(`realm '${realm}' does not exist`, 'not-found');
  return settings;
}

export async function requireClient(table: ClientsTable, realm: string, clientId: string): Promise<ClientRecord> {
  const client = await table.getClient(realm, clientId);
  if (!client) throw new AdminError(`client '${clientId}' does not exist in realm '${realm}'`, 'not-found');
  return client;
}

export async function requireRole(table: ClientsTable, realm: string, role: RoleName): Promise<Role> {
  const found = await table.getRole(realm, role);
  if (!found) throw new AdminError(`${describeRole(role)} does not exist in realm '${realm}'`, 'not-found');
  return found;
}

/**
 * Resolves `ROLE` (a realm role) or `CLIENT:ROLE` (a client role). Client ids may hold colons
 * (Keycloak's SAML clients are named by URL) and so may role names, so every split is tried
 * against what exists; the realm role of the full name wins.
 */
export async function resolveRoleRef(table: ClientsTable, realm: string, ref: string): Promise<Role> {
  const candidates: RoleName[] = [{ name: ref }];
  for (let i = ref.indexOf(':'); i > 0; i = ref.indexOf(':', i + 1)) {
    candidates.push({ client: ref.slice(0, i), name: ref.slice(i + 1) });
  }
  for (const candidate of candidates) {
    if (candidate.name === '') continue;
    const role = await table.getRole(realm, candidate);
    if (role) return role;
  }
  throw new AdminError(`no role '${ref}' in realm '${realm}' (a realm role is ROLE, a client role CLIENT:ROLE)`, 'not-found');
}
