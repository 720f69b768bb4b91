/**
 * Keycloak's import migrations (MigrationModelManager.migrateImport): a realm exported by an older
 * Keycloak is brought up to date as it is imported, by every migration newer than the export's
 * `keycloakVersion`. Only those that change what a service-account token or an admin read
 * contains are declared here; they work on the export itself, before it is read, so the rest of
 * the import sees what Keycloak would have made of the file. A file without `keycloakVersion`
 * (hand-written) is left as it is, as Keycloak leaves it. docs/protocol-mappers.md lists them.
 */
import { builtInClientScopes, SERVICE_ACCOUNT_SCOPE } from '../tokens/builtInScopes.js';
import { isObject, type JsonObject } from './realmImportReader.js';

type Version = readonly [major: number, minor: number, micro: number];

interface ImportMigration {
  /** Keycloak's MigrateToX_Y_Z: it runs for an export older than this. */
  version: Version;
  /** What it changes, for the import's notes. */
  describe: string;
  migrate(json: JsonObject): boolean;
}

/** In Keycloak's order. */
const IMPORT_MIGRATIONS: readonly ImportMigration[] = [
  {
    // MigrateTo25_0_0: a realm without the `basic` scope gets it, as a realm default scope and a
    // default scope of every OpenID Connect client (its `sub` mapper writes the token's `sub`).
    version: [25, 0, 0],
    describe: "added the 'basic' client scope (Keycloak 25) to the realm and its OpenID Connect clients",
    migrate(json) {
      if (!addBuiltInScope(json, 'basic')) return false;
      appendName(json, 'defaultDefaultClientScopes', 'basic');
      for (const client of clientsOf(json)) if (isOidc(client)) appendName(client, 'defaultClientScopes', 'basic');
      return true;
    },
  },
  {
    // MigrateTo26_1_0: the `service_account` scope (claims client_id, clientHost, clientAddress),
    // which every client with service accounts on has as a default scope from 26.1.
    version: [26, 1, 0],
    describe: "added the 'service_account' client scope (Keycloak 26.1) to the realm and its service-account clients",
    migrate(json) {
      if (!addBuiltInScope(json, SERVICE_ACCOUNT_SCOPE)) return false;
      for (const client of clientsOf(json)) {
        if (client.serviceAccountsEnabled === true && isOidc(client)) appendName(client, 'defaultClientScopes', SERVICE_ACCOUNT_SCOPE);
      }
      return true;
    },
  },
];

/**
 * The export as Keycloak would import it, and a note per migration applied. The input is not
 * changed. An unreadable `keycloakVersion` runs none (Keycloak would refuse the file; this import
 * takes it as it is).
 */
export function migrateImport(json: JsonObject): { json: JsonObject; notes: string[] } {
  const from = parseVersion(json.keycloakVersion);
  if (!from) return { json, notes: [] };
  const pending = IMPORT_MIGRATIONS.filter((migration) => compareVersions(from, migration.version) < 0);
  if (pending.length === 0) return { json, notes: [] };
  const migrated = structuredClone(json);
  const notes: string[] = [];
  for (const migration of pending) {
    if (migration.migrate(migrated)) notes.push(`export of Keycloak ${String(json.keycloakVersion)}: ${migration.describe}`);
  }
  return { json: migrated, notes };
}

/** Keycloak's ModelVersion: `major.minor.micro`, anything after the numbers (`-SNAPSHOT`, `.redhat-1`) ignored. */
export function parseVersion(value: unknown): Version | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(value);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * Adds Keycloak's built-in scope of that name to a file that lists client scopes but not this one.
 * A file without `clientScopes` gets every built-in scope from the import itself.
 */
function addBuiltInScope(json: JsonObject, name: string): boolean {
  if (!Array.isArray(json.clientScopes)) return false;
  if (json.clientScopes.some((scope) => isObject(scope) && scope.name === name)) return false;
  const scope = builtInClientScopes().find((candidate) => candidate.name === name)!;
  // Without ids: the import derives them from the names, so a re-import keeps them.
  json.clientScopes.push({
    name: scope.name,
    description: scope.description,
    protocol: scope.protocol,
    attributes: { ...scope.attributes },
    protocolMappers: (scope.protocolMappers ?? []).map(({ id: _id, ...mapper }) => ({ ...mapper, config: { ...mapper.config } })),
  });
  return true;
}

function clientsOf(json: JsonObject): JsonObject[] {
  return Array.isArray(json.clients) ? json.clients.filter(isObject) : [];
}

function isOidc(client: JsonObject): boolean {
  return client.protocol === undefined || client.protocol === 'openid-connect';
}

/**
 * Adds a name to a list of names unless it is there. A missing list stays missing: the import's
 * default applies (Keycloak's exports always have these lists).
 */
function appendName(obj: JsonObject, key: string, name: string): void {
  const list = obj[key];
  if (Array.isArray(list) && !list.includes(name)) list.push(name);
}
