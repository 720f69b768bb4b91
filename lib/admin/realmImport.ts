import { jwksUrlProblem, type JwksUrlPolicy } from '../clientAuth/jwksUrl.js';
import { CLIENT_AUTHENTICATOR_CHOICES, DEFAULT_CLIENT_AUTHENTICATOR, isClientAuthenticatorType, keepsSecretRecoverable, usesSecret } from '../model/clientAuthenticators.js';
import { encryptClientSecret } from '../clientAuth/secretCipher.js';
import { generateSecret, hashChosenSecret, hashGeneratedSecret } from '../clientAuth/secretHash.js';
import { ensureRealmPepper, pepperedHasher } from '../clientAuth/secretPepper.js';
import { sk, type ClientsTable, type ClientsTableItem } from '../store/clientsTable.js';
import { builtInClientScopes, hasDedicatedNoteMappers, SERVICE_ACCOUNT_SCOPE } from '../tokens/builtInScopes.js';
import {
  emptyRoleMappings,
  type ClientAuthenticatorType,
  type ClientRecord,
  type ClientScope,
  type Group,
  type RealmSettings,
  type Role,
  type RoleMappings,
  type SignatureAlgorithm,
  type SigningMode,
} from '../store/model.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { clientScopeId, derivedUuid, roleId } from './ids.js';
import { ensureRealmKeys } from './keys.js';
import { findRealm } from './lookup.js';
import { extraFields, newMapperReport, readProtocolMappers, unknownTypesNote, type MapperReport } from './realmImportMappers.js';
import { ExportReader, isObject, join, type ImportProblem, type JsonObject, type Located } from './realmImportReader.js';
import { ensureAdministration } from './realmManagement.js';
import { realmNameProblem } from './realmName.js';

export type { ImportProblem } from './realmImportReader.js';

/**
 * Imports a Keycloak realm export (what `kc.sh export` writes, or the admin console's partial
 * export) into the clients table: realm settings, roles, client scopes, groups, and clients with
 * their protocol mappers, scope mappings and service-account users (attributes, names, groups).
 * Ids are kept (derived from names where the file has none, so a re-import keeps them), and the
 * representation fields this service does not use are kept as sent (`extra`) for the export and the
 * Admin REST API; secrets, registration tokens and key material never are.
 *
 * parseRealmExport checks the whole file before anything is written and reports every problem at
 * once, each with its JSON path, so an operator fixes a file in one round. Keycloak exports client
 * secrets in clear; they are hashed here and never appear in a problem, note or skipped line.
 *
 * A confidential client without a secret in the file (this service's own export, or the admin
 * console's partial export, which masks secrets) keeps the secret it already has in the target
 * realm; a client that is new there gets a generated one only when the operator asks for it
 * (`generateSecrets`), else it is a problem.
 */


export class RealmImportError extends AdminError {
  constructor(readonly problems: ImportProblem[]) {
    super(describeProblems(problems));
    this.name = 'RealmImportError';
  }
}

/** The secret fields of a stored client, kept when a re-import's file has no secret for it. */
export type StoredSecret = Pick<ClientRecord, 'secretHash' | 'rotatedSecretHash' | 'rotatedSecretExpiresAt' | 'secretCiphertext' | 'rotatedSecretCiphertext'>;

export interface ParseOptions {
  /** Which `jwks.url` values are accepted (default: https only). */
  jwksUrlPolicy?: JwksUrlPolicy;
  /** By clientId: the secrets the target realm already holds (see storedSecretsOf). */
  storedSecrets?: ReadonlyMap<string, StoredSecret>;
  /** Give a confidential client that has no secret in the file nor in the target a new generated one. */
  generateSecrets?: boolean;
  /**
   * Encrypts a client-secret-jwt client's secret (HMAC needs the secret itself, see
   * lib/clientAuth/secretCipher.ts). Without it such clients are read but get no ciphertext.
   */
  encryptSecret?: (clientId: string, secret: string) => Promise<string>;
  /**
   * Hashes a chosen or imported secret with the realm's pepper (lib/clientAuth/secretPepper.ts).
   * Without it (a tool that has no KMS), chosen secrets get the earlier scrypt hash.
   */
  hashChosenSecret?: (clientId: string, secret: string) => Promise<string>;
  /** false for a dry run: secrets are checked but not hashed. */
  hashSecrets?: boolean;
  /** Called as secrets are hashed, for a progress display: scrypt dominates a large import. */
  onSecretProgress?: (done: number, total: number) => void;
}

export interface ParsedRealm {
  realm: string;
  /** Roles, client scopes, clients, then the realm settings; never signing keys. */
  items: ClientsTableItem[];
  /** What the file holds that this service does not use, one line per kind. */
  skipped: string[];
  /** What the importer decided for the operator to know (defaults filled in, references ignored). */
  notes: string[];
  counts: { clients: number; roles: number; clientScopes: number; serviceAccounts: number; groups: number; protocolMappers: number };
  /** Clients without a secret in the file that keep the one stored in the target realm. */
  keptSecrets: string[];
  /** Generated secrets (`generateSecrets`), in clear: to be shown once and never stored as such. */
  newSecrets: { clientId: string; secret: string }[];
}

/** What the admin console's partial export writes in place of every client secret. */
const MASKED_SECRET = '**********';

/** The client scopes Keycloak 26 gives a new realm as default and optional scopes of new clients. */
export const KEYCLOAK_DEFAULT_CLIENT_SCOPES: readonly string[] = ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email'];
export const KEYCLOAK_OPTIONAL_CLIENT_SCOPES: readonly string[] = ['address', 'phone', 'offline_access', 'microprofile-jwt', 'organization'];

/** Signing keys live in KMS, which signs RSA and ECDSA; Keycloak's HS*, PS* and EdDSA have no key here. */
const SIGNATURE_ALGORITHMS: readonly string[] = ['RS256', 'ES256'] satisfies SignatureAlgorithm[];

/**
 * Keycloak's secret rotation (client policy `secret-rotation`) keeps the previous secret in this
 * client attribute, in clear, valid until the epoch seconds in the second one
 * (OIDCClientSecretConfigWrapper). It becomes rotatedSecretHash and is never kept as an attribute.
 */
const ROTATED_SECRET_ATTRIBUTE = 'client.secret.rotated';
const ROTATED_SECRET_EXPIRY_ATTRIBUTE = 'client.secret.rotated.expiration.time';

/** RealmRepresentation fields that are realm settings (RealmSettings), as the importer and the Admin API read them. */
export const REALM_SETTINGS_FIELDS = [
  'id',
  'realm',
  'enabled',
  'accessTokenLifespan',
  'ssoSessionIdleTimeout',
  'ssoSessionMaxLifespan',
  'clientSessionIdleTimeout',
  'clientSessionMaxLifespan',
  'revokeRefreshToken',
  'refreshTokenMaxReuse',
  'notBefore',
  'defaultSignatureAlgorithm',
  'defaultRole',
  'defaultDefaultClientScopes',
  'defaultOptionalClientScopes',
] as const;

/** The top-level keys this importer reads; every other key is reported in `skipped`. */
const READ_KEYS = new Set<string>([...REALM_SETTINGS_FIELDS, 'roles', 'clientScopes', 'clients', 'users', 'scopeMappings', 'clientScopeMappings', 'groups']);

/**
 * Top-level fields never kept in the realm's `extra`: people are not imported, and these can hold
 * secrets or private keys in clear (key providers' private keys, identity-provider client secrets,
 * the SMTP password).
 */
const NOT_KEPT = new Set(['users', 'federatedUsers', 'components', 'identityProviders', 'identityProviderMappers', 'smtpServer']);

/** Client fields read into the model (or deliberately dropped: the secret is hashed, a registration access token is a credential). */
const CLIENT_READ_KEYS = new Set([
  'id', 'clientId', 'enabled', 'publicClient', 'bearerOnly', 'serviceAccountsEnabled', 'fullScopeAllowed', 'clientAuthenticatorType',
  'defaultClientScopes', 'optionalClientScopes', 'attributes', 'notBefore', 'secret', 'protocol', 'protocolMappers',
]);
const CLIENT_NOT_KEPT = new Set(['registrationAccessToken']);

/** scrypt runs on libuv's thread pool (4 threads by default); 8 in flight keep it busy without queueing every secret at once. */
const SECRET_HASH_CONCURRENCY = 8;

// ---------------------------------------------------------------------------------------------
// Entry points

export interface ImportOptions {
  /** Validate and report; write nothing, call no KMS. */
  dryRun?: boolean;
  generateSecrets?: boolean;
  /** Progress of the two long phases: hashing secrets (scrypt), then writing items. */
  onProgress?: (phase: 'secrets' | 'items', done: number, total: number) => void;
  /** How a new realm's signing keys are made (default kms); the Admin API, which may not create KMS keys, uses envelope. */
  signingMode?: SigningMode;
}

export interface ImportReport {
  realm: string;
  dryRun: boolean;
  counts: ParsedRealm['counts'];
  /** Items written (or that would be). */
  items: number;
  notes: string[];
  skipped: string[];
  keptSecrets: string[];
  /** Generated secrets, shown once; in a dry run only which clients would get one. */
  newSecrets: { clientId: string; secret?: string }[];
  /** Signing keys made because the realm had no active key for an algorithm. */
  keysCreated: { kid: string; alg: SignatureAlgorithm }[];
}

/**
 * The CLI's `import-realm`: reads what the target realm already holds (secrets of clients the
 * file has none for, the signing mode), validates and prepares the whole file, then writes it and
 * gives the realm signing keys if it has none. A dry run stops before the first write and never
 * calls KMS.
 */
export async function importRealmExport(ctx: AdminContext, json: unknown, options: ImportOptions = {}): Promise<ImportReport> {
  const realmName = isObject(json) && typeof json.realm === 'string' && json.realm !== '' ? json.realm : undefined;
  const existing = realmName === undefined ? undefined : await findRealm(ctx.table, realmName);
  const parsed = await parseRealmExport(json, {
    storedSecrets: realmName === undefined ? new Map() : await storedSecretsOf(ctx.table, realmName, clientsWithoutSecret(json)),
    generateSecrets: options.generateSecrets ?? false,
    jwksUrlPolicy: { allowLoopbackHttp: ctx.localStage === true },
    hashSecrets: !options.dryRun,
    ...(options.dryRun
      ? {}
      : // Only reached once the whole file is valid, realm name included.
        {
          encryptSecret: (clientId, secret) => encryptClientSecret(ctx.kms, ctx.names.secretsKeyId, realmName ?? '', clientId, secret),
          hashChosenSecret: pepperedHasher(ctx.kms, ctx.table, ctx.names.secretsKeyId, realmName ?? ''),
        }),
    onSecretProgress: (done, total) => options.onProgress?.('secrets', done, total),
  });
  const report: ImportReport = {
    realm: parsed.realm,
    dryRun: options.dryRun ?? false,
    counts: parsed.counts,
    items: parsed.items.length,
    notes: parsed.notes,
    skipped: parsed.skipped,
    keptSecrets: parsed.keptSecrets,
    newSecrets: parsed.newSecrets.map(({ clientId, secret }) => (options.dryRun ? { clientId } : { clientId, secret })),
    keysCreated: [],
  };
  if (options.dryRun) return report;
  await importRealm(ctx.table, parsed, (written, total) => options.onProgress?.('items', written, total));
  // Every imported realm has its client-secret pepper, whether or not this file needed it yet.
  await ensureRealmPepper(ctx.kms, ctx.table, ctx.names.secretsKeyId, parsed.realm);
  const keys = await ensureRealmKeys(ctx, parsed.realm, existing?.signingMode ?? options.signingMode ?? 'kms');
  await ensureAdministration(ctx, parsed.realm);
  report.keysCreated = keys.map(({ kid, alg }) => ({ kid, alg }));
  return report;
}

/**
 * The secret fields the target holds for the given clients, by clientId. A few are read one by
 * one; many (an export of this service has no secret for any client) with one Query of all clients.
 */
export async function storedSecretsOf(table: ClientsTable, realm: string, clientIds: string[]): Promise<Map<string, StoredSecret>> {
  const secrets = new Map<string, StoredSecret>();
  if (clientIds.length === 0) return secrets;
  const clients =
    clientIds.length <= 50
      ? (await Promise.all(clientIds.map((clientId) => table.getClient(realm, clientId)))).filter((client) => client !== undefined)
      : (await table.listRealmItems(realm, 'CLIENT#')).flatMap((item) => (item.kind === 'client' ? [item] : []));
  for (const client of clients) {
    if (client.secretHash === undefined) continue;
    const { secretHash, rotatedSecretHash, rotatedSecretExpiresAt, secretCiphertext, rotatedSecretCiphertext } = client;
    secrets.set(client.clientId, definedFields({ secretHash, rotatedSecretHash, rotatedSecretExpiresAt, secretCiphertext, rotatedSecretCiphertext }));
  }
  return secrets;
}

/**
 * clientIds of the file's clients that would use a secret (as usesSecret decides) but have none
 * (absent, empty or masked). Read loosely, before validation: parseRealmExport has the last word.
 */
function clientsWithoutSecret(json: unknown): string[] {
  const clients = isObject(json) && Array.isArray(json.clients) ? json.clients : [];
  return clients.flatMap((client) => {
    if (!isObject(client) || typeof client.clientId !== 'string') return [];
    if (!usesSecret(client as Parameters<typeof usesSecret>[0])) return [];
    return [undefined, null, '', MASKED_SECRET].includes(client.secret as string) ? [client.clientId] : [];
  });
}

export async function parseRealmExport(json: unknown, options: ParseOptions = {}): Promise<ParsedRealm> {
  if (!isObject(json)) throw new RealmImportError([{ path: '$', message: 'a realm export is a JSON object' }]);
  const reader = new ExportReader();
  const realm = readRealmName(reader, json);
  const ctx: Context = { realm, reader, notes: [], roles: new RoleIndex(), clientIds: new Set(), clientScopes: new Map(), options, mappers: newMapperReport() };

  const clientEntries = declareClients(ctx, json);
  const defaultRole = readDefaultRoleName(ctx, json);
  const roles = readRoles(ctx, json, defaultRole);
  const scopes = readClientScopes(ctx, json);
  const scopeMappings = readScopeMappings(ctx, json);
  const groups = readGroups(ctx, json);
  const settings = readSettings(ctx, json, defaultRole);
  const clients = readClients(ctx, clientEntries, settings);
  const users = readServiceAccountUsers(ctx, json, clients.drafts, new Set(groups.map((g) => g.path)));
  if (reader.problems.length > 0) throw new RealmImportError(reader.problems);
  ctx.notes.push(...ctx.mappers.notes, ...unknownTypesNote(ctx.mappers));

  const serviceAccounts = resolveServiceAccounts(ctx, clients.drafts, users, defaultRole);
  const newSecrets = assignSecrets(ctx, clients.drafts);
  const clientRecords = await finishClients(ctx, clients.drafts, scopeMappings.client, serviceAccounts);
  const items: ClientsTableItem[] = [
    ...roles.map((role): ClientsTableItem => ({ kind: 'role', ...role })),
    ...scopes.map((scope): ClientsTableItem => ({
      kind: 'clientScope',
      ...scope,
      scopeMappings: scopeMappings.clientScope.get(scope.name) ?? emptyRoleMappings(),
    })),
    ...groups.map((group): ClientsTableItem => ({ kind: 'group', ...group })),
    ...clientRecords.map((client): ClientsTableItem => ({ kind: 'client', ...client })),
    // Last: loadRealm treats a realm without settings as nonexistent, so on a first import the
    // realm only becomes visible once everything its settings refer to is written.
    { kind: 'settings', ...settings },
  ];
  return {
    realm,
    items,
    skipped: reportSkipped(json, clientEntries, clients.otherProtocols, users.people),
    notes: ctx.notes,
    counts: {
      clients: clientRecords.length,
      roles: roles.length,
      clientScopes: scopes.length,
      serviceAccounts: serviceAccounts.size,
      groups: groups.length,
      protocolMappers: ctx.mappers.count,
    },
    keptSecrets: clients.drafts.filter((draft) => draft.stored !== undefined).map((draft) => draft.record.clientId),
    newSecrets,
  };
}

/**
 * Writes a parsed realm. Re-importing overwrites the same keys (a put replaces the whole item);
 * what the file no longer holds is not deleted, except a role's item under its other sort key.
 * Signing keys are managed by key rotation, never by an import.
 */
export async function importRealm(
  table: ClientsTable,
  parsed: ParsedRealm,
  onProgress?: (written: number, total: number) => void,
): Promise<void> {
  if (parsed.items.some((item) => item.kind === 'key')) {
    throw new Error('a realm import never writes signing keys; they are managed by key rotation');
  }
  const stored = await table.listRealmItems(parsed.realm, 'META#');
  const items = parsed.items.map((item) => (item.kind === 'settings' ? keepSigningMode(item, stored) : item));
  const total = items.length;
  await table.batchPut(parsed.realm, items, (written) => onProgress?.(written, total));
  await removeStaleRoleForms(table, parsed, stored);
}

/** How new signing keys are made is this service's setting, not Keycloak's: a re-import keeps it. */
function keepSigningMode(settings: Extract<ClientsTableItem, { kind: 'settings' }>, stored: ClientsTableItem[]): ClientsTableItem {
  const previous = stored.find((item) => item.kind === 'settings');
  return previous?.kind === 'settings' && previous.signingMode !== undefined && settings.signingMode === undefined
    ? { ...settings, signingMode: previous.signingMode }
    : settings;
}

/**
 * A role's sort key depends on whether it is composite (composites sit under `META#` so a grant
 * reads them in its one Query). A role that changed kind since the last import would leave its
 * old item behind, and a stale composite would keep expanding into roles the file no longer grants.
 */
async function removeStaleRoleForms(table: ClientsTable, parsed: ParsedRealm, storedMeta: ClientsTableItem[]): Promise<void> {
  const roles = parsed.items.filter((item) => item.kind === 'role');
  const nowPlain = new Set(roles.filter((role) => !role.composite).map((role) => sk.compositeRole(role)));
  for (const stored of storedMeta) {
    if (stored.kind === 'role' && nowPlain.has(sk.compositeRole(stored))) {
      await table.deleteItem(parsed.realm, sk.compositeRole(stored));
    }
  }
  // Composite roles are few (default-roles-<realm> and a handful more), so a blind delete is cheaper than listing every plain role.
  for (const role of roles.filter((role) => role.composite)) await table.deleteItem(parsed.realm, sk.plainRole(role));
}

// ---------------------------------------------------------------------------------------------
// Names: realm, clients, roles, client scopes

/** What is known about the file while it is read. */
interface Context {
  realm: string;
  reader: ExportReader;
  notes: string[];
  roles: RoleIndex;
  /** Every clientId in the file, also of clients that are not imported (SAML), whose roles may still be referenced. */
  clientIds: Set<string>;
  /** Client scope name → protocol. */
  clientScopes: Map<string, string>;
  options: ParseOptions;
  mappers: MapperReport;
  /** The file had no `clientScopes`: Keycloak's built-in ones were created for it. */
  builtInScopes?: boolean;
}

/** The realm is a URL path segment (`/realms/{realm}`) and part of the table's partition key (`REALM#<realm>`). */
function readRealmName(reader: ExportReader, json: JsonObject): string {
  const realm = reader.requiredName(json, 'realm', '') ?? '';
  const problem = realm === '' ? undefined : realmNameProblem(realm);
  if (problem !== undefined) reader.problem('realm', problem);
  return realm;
}

interface ClientEntry extends Located<JsonObject> {
  clientId: string;
}

function declareClients(ctx: Context, json: JsonObject): ClientEntry[] {
  const entries: ClientEntry[] = [];
  for (const entry of ctx.reader.objects(json, 'clients', '')) {
    const clientId = ctx.reader.requiredName(entry.value, 'clientId', entry.path);
    if (clientId === undefined) continue;
    if (ctx.clientIds.has(clientId)) {
      ctx.reader.problem(join(entry.path, 'clientId'), `duplicate clientId '${clientId}'`);
      continue;
    }
    ctx.clientIds.add(clientId);
    entries.push({ ...entry, clientId });
  }
  return entries;
}

/** Role names per owner (undefined for the realm), so a reference can be checked wherever it appears. */
class RoleIndex {
  private readonly byOwner = new Map<string | undefined, Set<string>>();

  /** false when the owner already has a role of that name. */
  add(owner: string | undefined, name: string): boolean {
    const names = this.byOwner.get(owner) ?? new Set<string>();
    this.byOwner.set(owner, names);
    if (names.has(name)) return false;
    names.add(name);
    return true;
  }

  has(owner: string | undefined, name: string): boolean {
    return this.byOwner.get(owner)?.has(name) ?? false;
  }
}

const describeRole = (owner: string | undefined, name: string) =>
  owner === undefined ? `realm role '${name}'` : `role '${name}' of client '${owner}'`;

/** Keycloak 13+ exports the realm's default role as `defaultRole`; its name is always `default-roles-<realm>` when created by Keycloak. */
function readDefaultRoleName(ctx: Context, json: JsonObject): string {
  const defaultRole = ctx.reader.object(json, 'defaultRole', '');
  const name = defaultRole === undefined ? undefined : ctx.reader.string(defaultRole, 'name', 'defaultRole');
  return name || `default-roles-${ctx.realm}`;
}

interface DeclaredRole {
  owner: string | undefined;
  name: string;
  entry: Located<JsonObject>;
}

function readRoles(ctx: Context, json: JsonObject, defaultRole: string): Role[] {
  const declared = declareRoles(ctx, json);
  // Every realm has its default role; a file without it (hand-written, or exported before
  // Keycloak 13) still needs one, since new service accounts are given it.
  const created: Role[] = [];
  if (ctx.roles.add(undefined, defaultRole)) {
    created.push({ id: roleId(ctx.realm, { name: defaultRole }), name: defaultRole, composite: true, composites: emptyRoleMappings() });
    ctx.notes.push(`realm role '${defaultRole}' is not in the file: created as a composite of no roles`);
  }
  // Composites are read once every role is declared: a composite may name a role listed after it.
  return [...declared.map((role) => readRole(ctx, role)), ...created];
}

function declareRoles(ctx: Context, json: JsonObject): DeclaredRole[] {
  const roles = ctx.reader.object(json, 'roles', '') ?? {};
  const entries: { owner: string | undefined; entry: Located<JsonObject> }[] = ctx.reader
    .objects(roles, 'realm', 'roles')
    .map((entry) => ({ owner: undefined, entry }));
  const byClient = ctx.reader.object(roles, 'client', 'roles') ?? {};
  for (const owner of Object.keys(byClient)) {
    if (!ctx.clientIds.has(owner)) {
      ctx.reader.problem(join('roles.client', owner), `no client '${owner}' in clients`);
      continue;
    }
    for (const entry of ctx.reader.objects(byClient, owner, 'roles.client')) entries.push({ owner, entry });
  }

  const declared: DeclaredRole[] = [];
  for (const { owner, entry } of entries) {
    const name = ctx.reader.requiredName(entry.value, 'name', entry.path);
    if (name === undefined) continue;
    if (!ctx.roles.add(owner, name)) {
      ctx.reader.problem(join(entry.path, 'name'), `duplicate ${describeRole(owner, name)}`);
      continue;
    }
    declared.push({ owner, name, entry });
  }
  return declared;
}

function readRole(ctx: Context, { owner, name, entry }: DeclaredRole): Role {
  const description = ctx.reader.string(entry.value, 'description', entry.path);
  const composites = ctx.reader.object(entry.value, 'composites', entry.path);
  // Keycloak derives `composite` from having composites; a hand-edited file may set only one of them.
  const composite = ctx.reader.boolean(entry.value, 'composite', entry.path, false) || composites !== undefined;
  const attributes = readMultiAttributes(ctx, entry);
  return {
    id: ctx.reader.string(entry.value, 'id', entry.path) ?? roleId(ctx.realm, { client: owner, name }),
    ...(owner === undefined ? {} : { client: owner }),
    name,
    ...(description === undefined ? {} : { description }),
    ...(attributes === undefined ? {} : { attributes }),
    composite,
    ...(composite
      ? { composites: readRoleMappings(ctx, composites ?? {}, join(entry.path, 'composites'), { realm: 'realm', client: 'client' }) }
      : {}),
  };
}

/**
 * Role references as Keycloak writes them: realm role names under one key, client role names per
 * owning clientId under another (`composites.realm`/`.client`, a user's `realmRoles`/`clientRoles`).
 * Keycloak's import creates a role it does not find; here an unknown role is a problem, since it
 * is almost always a typo or a role missing from a partial export.
 */
function readRoleMappings(ctx: Context, obj: JsonObject, path: string, keys: { realm: string; client: string }): RoleMappings {
  const mappings: RoleMappings = { realm: roleRefs(ctx, undefined, obj, keys.realm, path), client: {} };
  const byClient = ctx.reader.object(obj, keys.client, path) ?? {};
  const clientPath = join(path, keys.client);
  for (const owner of Object.keys(byClient)) {
    if (!ctx.clientIds.has(owner)) {
      ctx.reader.problem(join(clientPath, owner), `no client '${owner}' in clients`);
      continue;
    }
    const names = roleRefs(ctx, owner, byClient, owner, clientPath);
    if (names.length > 0) mappings.client[owner] = names;
  }
  return mappings;
}

/** Names of roles of one owner, each of which must exist. */
function roleRefs(ctx: Context, owner: string | undefined, obj: JsonObject, key: string, path: string): string[] {
  const refs = ctx.reader.names(obj, key, path) ?? [];
  for (const ref of refs) {
    if (!ctx.roles.has(owner, ref.value)) ctx.reader.problem(ref.path, `no ${describeRole(owner, ref.value)}`);
  }
  return [...new Set(refs.map((ref) => ref.value))];
}

type ClientScopeDraft = Omit<ClientScope, 'scopeMappings'>;


function readClientScopes(ctx: Context, json: JsonObject): ClientScopeDraft[] {
  // Keycloak's RealmManager.importRealm creates its built-in scopes only when the file has no `clientScopes` at all.
  if (json.clientScopes === undefined || json.clientScopes === null) {
    const builtIn = builtInClientScopes((kind, name) => (kind === 'mapper' ? derivedUuid('protocol-mapper', ctx.realm, `scope\u0000${name}`) : clientScopeId(ctx.realm, { name })));
    for (const scope of builtIn) ctx.clientScopes.set(scope.name, scope.protocol);
    ctx.builtInScopes = true;
    ctx.notes.push(`no clientScopes in the file: created Keycloak's built-in client scopes with their protocol mappers (${builtIn.map((s) => s.name).join(', ')})`);
    return builtIn.map(({ scopeMappings: _mappings, ...scope }) => scope);
  }
  const scopes: ClientScopeDraft[] = [];
  for (const entry of ctx.reader.objects(json, 'clientScopes', '')) {
    const name = ctx.reader.requiredName(entry.value, 'name', entry.path);
    if (name === undefined) continue;
    if (ctx.clientScopes.has(name)) {
      ctx.reader.problem(join(entry.path, 'name'), `duplicate client scope '${name}'`);
      continue;
    }
    const protocol = ctx.reader.string(entry.value, 'protocol', entry.path) ?? 'openid-connect';
    ctx.clientScopes.set(name, protocol);
    const attributes = readAttributes(ctx, entry);
    const description = ctx.reader.string(entry.value, 'description', entry.path);
    scopes.push({
      id: ctx.reader.string(entry.value, 'id', entry.path) ?? clientScopeId(ctx.realm, { name }),
      name,
      ...(description === undefined ? {} : { description }),
      protocol,
      // Keycloak puts a scope's name in the `scope` claim unless this attribute is exactly "false".
      includeInTokenScope: attributes['include.in.token.scope'] !== 'false',
      attributes,
      protocolMappers: readProtocolMappers(ctx.reader, entry, ctx.mappers, (mapper) => derivedUuid('protocol-mapper', ctx.realm, `scope\u0000${name}\u0000${mapper}`)),
    });
  }
  return scopes;
}

/** Keycloak's multi-valued attributes (roles, groups, users): name → list of strings; a lone string counts as a list of one. */
function readMultiAttributes(ctx: Context, entry: Located<JsonObject>): Record<string, string[]> | undefined {
  const attributes = ctx.reader.object(entry.value, 'attributes', entry.path);
  if (attributes === undefined) return undefined;
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const values = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
    if (values === undefined) ctx.reader.problem(join(join(entry.path, 'attributes'), name), 'must be a list of strings');
    else out[name] = values;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Groups (GroupRepresentation, nested through subGroups), flattened with their paths

function readGroups(ctx: Context, json: JsonObject): Group[] {
  const groups: Group[] = [];
  const visit = (entries: Located<JsonObject>[], parentPath: string | undefined) => {
    const siblings = new Set<string>();
    for (const entry of entries) {
      const name = ctx.reader.requiredName(entry.value, 'name', entry.path);
      if (name === undefined) continue;
      if (name.includes('/')) {
        ctx.reader.problem(join(entry.path, 'name'), "must not contain '/'");
        continue;
      }
      if (siblings.has(name)) {
        ctx.reader.problem(join(entry.path, 'name'), `a second group named '${name}' under ${parentPath ?? 'the realm'}`);
        continue;
      }
      siblings.add(name);
      const path = `${parentPath ?? ''}/${name}`;
      groups.push({
        id: ctx.reader.string(entry.value, 'id', entry.path) ?? derivedUuid('group', ctx.realm, path),
        name,
        path,
        ...(parentPath === undefined ? {} : { parentPath }),
        attributes: readMultiAttributes(ctx, entry) ?? {},
        roles: readRoleMappings(ctx, entry.value, entry.path, { realm: 'realmRoles', client: 'clientRoles' }),
      });
      visit(ctx.reader.objects(entry.value, 'subGroups', entry.path), path);
    }
  };
  visit(ctx.reader.objects(json, 'groups', ''), undefined);
  return groups;
}

/** Keycloak's attributes are strings (Map<String, String>); anything else is left out. */
function readAttributes(ctx: Context, entry: Located<JsonObject>): Record<string, string> {
  const attributes = ctx.reader.object(entry.value, 'attributes', entry.path) ?? {};
  return Object.fromEntries(Object.entries(attributes).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
}

// ---------------------------------------------------------------------------------------------
// Scope mappings: the roles a client (with fullScopeAllowed=false) or a client scope may put in tokens

interface ScopeMappingIndex {
  client: Map<string, RoleMappings>;
  clientScope: Map<string, RoleMappings>;
}

/**
 * Keycloak exports realm-role scope mappings as `scopeMappings[]` and client-role ones per owning
 * client as `clientScopeMappings{<owner>: [...]}`; each entry names the client or client scope
 * they are mapped to.
 */
function readScopeMappings(ctx: Context, json: JsonObject): ScopeMappingIndex {
  const index: ScopeMappingIndex = { client: new Map(), clientScope: new Map() };
  const mappingsOf = (target: ScopeMappingTarget) => {
    const mappings = index[target.kind].get(target.name) ?? emptyRoleMappings();
    index[target.kind].set(target.name, mappings);
    return mappings;
  };

  for (const entry of ctx.reader.objects(json, 'scopeMappings', '')) {
    const target = readScopeMappingTarget(ctx, entry);
    const roles = roleRefs(ctx, undefined, entry.value, 'roles', entry.path);
    if (target === undefined) continue;
    const mappings = mappingsOf(target);
    mappings.realm = [...new Set([...mappings.realm, ...roles])];
  }

  const byOwner = ctx.reader.object(json, 'clientScopeMappings', '') ?? {};
  for (const owner of Object.keys(byOwner)) {
    if (!ctx.clientIds.has(owner)) {
      ctx.reader.problem(join('clientScopeMappings', owner), `no client '${owner}' in clients`);
      continue;
    }
    for (const entry of ctx.reader.objects(byOwner, owner, 'clientScopeMappings')) {
      const target = readScopeMappingTarget(ctx, entry);
      const roles = roleRefs(ctx, owner, entry.value, 'roles', entry.path);
      if (target === undefined) continue;
      const mappings = mappingsOf(target);
      mappings.client[owner] = [...new Set([...(mappings.client[owner] ?? []), ...roles])];
    }
  }
  return index;
}

interface ScopeMappingTarget {
  kind: 'client' | 'clientScope';
  name: string;
}

function readScopeMappingTarget(ctx: Context, entry: Located<JsonObject>): ScopeMappingTarget | undefined {
  const client = ctx.reader.string(entry.value, 'client', entry.path);
  const clientScope = ctx.reader.string(entry.value, 'clientScope', entry.path);
  if ((client === undefined) === (clientScope === undefined)) {
    ctx.reader.problem(entry.path, 'must name exactly one of client or clientScope');
    return undefined;
  }
  if (client !== undefined) {
    if (ctx.clientIds.has(client)) return { kind: 'client', name: client };
    ctx.reader.problem(join(entry.path, 'client'), `no client '${client}' in clients`);
    return undefined;
  }
  if (clientScope !== undefined && ctx.clientScopes.has(clientScope)) return { kind: 'clientScope', name: clientScope };
  ctx.reader.problem(join(entry.path, 'clientScope'), `no client scope '${clientScope}' in clientScopes`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Realm settings

function readSettings(ctx: Context, json: JsonObject, defaultRole: string): RealmSettings {
  const r = ctx.reader;
  const extra = extraFields(json, READ_KEYS, NOT_KEPT);
  return {
    id: r.string(json, 'id', '') ?? derivedUuid('realm', ctx.realm, ctx.realm),
    realm: ctx.realm,
    enabled: r.boolean(json, 'enabled', '', true),
    accessTokenLifespan: r.count(json, 'accessTokenLifespan', '', 300, 1),
    ssoSessionIdleTimeout: r.count(json, 'ssoSessionIdleTimeout', '', 1800),
    ssoSessionMaxLifespan: r.count(json, 'ssoSessionMaxLifespan', '', 36000),
    clientSessionIdleTimeout: r.count(json, 'clientSessionIdleTimeout', '', 0),
    clientSessionMaxLifespan: r.count(json, 'clientSessionMaxLifespan', '', 0),
    revokeRefreshToken: r.boolean(json, 'revokeRefreshToken', '', false),
    refreshTokenMaxReuse: r.count(json, 'refreshTokenMaxReuse', '', 0),
    notBefore: r.count(json, 'notBefore', '', 0),
    defaultSignatureAlgorithm: readSignatureAlgorithm(ctx, json),
    defaultRole,
    defaultDefaultClientScopes: readScopeList(ctx, json, 'defaultDefaultClientScopes', '', existingScopes(ctx, KEYCLOAK_DEFAULT_CLIENT_SCOPES)),
    defaultOptionalClientScopes: readScopeList(ctx, json, 'defaultOptionalClientScopes', '', existingScopes(ctx, KEYCLOAK_OPTIONAL_CLIENT_SCOPES)),
    ...(extra === undefined ? {} : { extra }),
  };
}

function readSignatureAlgorithm(ctx: Context, json: JsonObject): SignatureAlgorithm {
  const alg = ctx.reader.string(json, 'defaultSignatureAlgorithm', '') ?? 'RS256';
  if (isSignatureAlgorithm(alg)) return alg;
  ctx.reader.problem('defaultSignatureAlgorithm', `'${alg}' is not supported: signing keys are RS256 or ES256`);
  return 'RS256';
}

function isSignatureAlgorithm(alg: string): alg is SignatureAlgorithm {
  return SIGNATURE_ALGORITHMS.includes(alg);
}

function existingScopes(ctx: Context, names: readonly string[]): string[] {
  return names.filter((name) => ctx.clientScopes.has(name));
}

/** Client scope names; Keycloak ignores (with a warning) a name that is not a client scope of the realm, and so does this. */
function readScopeList(ctx: Context, obj: JsonObject, key: string, path: string, fallback: string[]): string[] {
  const names = ctx.reader.names(obj, key, path);
  if (names === undefined) return fallback;
  const unknown = names.filter((name) => !ctx.clientScopes.has(name.value)).map((name) => `'${name.value}'`);
  if (unknown.length > 0) ctx.notes.push(`${join(path, key)}: ignored unknown client scopes ${unknown.join(', ')}`);
  return [...new Set(names.map((name) => name.value).filter((name) => ctx.clientScopes.has(name)))];
}

// ---------------------------------------------------------------------------------------------
// Clients

/** A client as read, before its secrets are hashed and its scope mappings and service account attached. */
interface ClientDraft {
  path: string;
  record: Omit<ClientRecord, keyof StoredSecret | 'serviceAccount' | 'scopeMappings'>;
  secret?: string;
  rotatedSecret?: { secret: string; expiresAt: number };
  /** No secret in the file: the one the target realm holds stays. */
  stored?: StoredSecret;
  /** No secret in the file nor in the target: a new one is generated (ParseOptions.generateSecrets). */
  generate?: boolean;
  /** `secret` was generated here, so it has 256 bits and SHA-256 is enough (lib/clientAuth/secretHash.ts). */
  generated?: boolean;
}

function readClients(
  ctx: Context,
  entries: ClientEntry[],
  settings: RealmSettings,
): { drafts: ClientDraft[]; otherProtocols: Map<string, number> } {
  const drafts: ClientDraft[] = [];
  const otherProtocols = new Map<string, number>();
  for (const entry of entries) {
    const protocol = ctx.reader.string(entry.value, 'protocol', entry.path) ?? 'openid-connect';
    // Only OpenID Connect clients can use the token endpoint; a SAML client's roles are still read,
    // since service accounts may hold them.
    if (protocol !== 'openid-connect') {
      otherProtocols.set(protocol, (otherProtocols.get(protocol) ?? 0) + 1);
      continue;
    }
    drafts.push(readClient(ctx, entry, settings));
  }
  return { drafts, otherProtocols };
}

function readClient(ctx: Context, entry: ClientEntry, settings: RealmSettings): ClientDraft {
  const r = ctx.reader;
  const { value: raw, path, clientId } = entry;
  const { [ROTATED_SECRET_ATTRIBUTE]: rotatedSecret, ...attributes } = readAttributes(ctx, entry);
  const jwksUrl = attributes['jwks.url'] === undefined ? undefined : jwksUrlProblem(attributes['jwks.url'], ctx.options.jwksUrlPolicy ?? { allowLoopbackHttp: false });
  if (jwksUrl !== undefined) r.problem(join(path, 'attributes.jwks.url'), jwksUrl);
  const record: ClientDraft['record'] = {
    realm: ctx.realm,
    clientId,
    id: r.string(raw, 'id', path) ?? derivedUuid('client', ctx.realm, clientId),
    enabled: r.boolean(raw, 'enabled', path, true),
    publicClient: r.boolean(raw, 'publicClient', path, false),
    bearerOnly: r.boolean(raw, 'bearerOnly', path, false),
    serviceAccountsEnabled: r.boolean(raw, 'serviceAccountsEnabled', path, false),
    fullScopeAllowed: r.boolean(raw, 'fullScopeAllowed', path, true),
    clientAuthenticatorType: readAuthenticatorType(ctx, entry),
    // Keycloak gives a client created without scope lists the realm's defaults of its protocol.
    defaultClientScopes: readScopeList(ctx, raw, 'defaultClientScopes', path, oidcScopes(ctx, settings.defaultDefaultClientScopes)),
    optionalClientScopes: readScopeList(ctx, raw, 'optionalClientScopes', path, oidcScopes(ctx, settings.defaultOptionalClientScopes)),
    attributes,
    notBefore: r.count(raw, 'notBefore', path, 0),
    protocolMappers: readProtocolMappers(r, entry, ctx.mappers, (mapper) => derivedUuid('protocol-mapper', ctx.realm, `client\u0000${clientId}\u0000${mapper}`)),
  };
  const extra = extraFields(raw, CLIENT_READ_KEYS, CLIENT_NOT_KEPT);
  if (extra !== undefined) record.extra = extra;
  addServiceAccountScope(ctx, record);
  if (!usesSecret(record)) return { path, record };
  const secret = readSecret(ctx, entry);
  if (typeof secret === 'string') {
    return { path, record, secret, ...readRotatedSecret(ctx, entry, rotatedSecret, attributes[ROTATED_SECRET_EXPIRY_ATTRIBUTE]) };
  }
  if (secret.missing === 'invalid') return { path, record };
  const stored = ctx.options.storedSecrets?.get(clientId);
  if (stored?.secretHash !== undefined) {
    // client_secret_jwt verifies an HMAC keyed with the secret itself; a stored hash cannot do that.
    if (!keepsSecretRecoverable(record) || stored.secretCiphertext !== undefined) return { path, record, stored };
    ctx.reader.problem(join(path, 'secret'), 'a client-secret-jwt client needs its secret in the file: the stored secret of this client is only a hash');
    return { path, record };
  }
  if (ctx.options.generateSecrets) return { path, record, generate: true };
  const fix = 'export with kc.sh export, put the secret in the file, or import with generated secrets (--generate-secrets)';
  ctx.reader.problem(
    join(path, 'secret'),
    secret.missing === 'masked'
      ? `is the admin console's mask '${MASKED_SECRET}' (a console partial export leaves secrets out): ${fix}`
      : `confidential client has no secret (a console partial export masks secrets): ${fix}`,
  );
  return { path, record };
}

/**
 * Keycloak 26.1 gives every client with service accounts on the `service_account` scope (its
 * client_id, clientHost and clientAddress claims; MigrateTo26_1_0 adds it to existing clients too).
 * Only for a file without client scopes (hand-written, or too old to have that scope), whose
 * built-in scopes this import created: an export that has client scopes says what each client
 * has, and one older than 26.1 carries those claims as dedicated mappers.
 */
function addServiceAccountScope(ctx: Context, record: ClientDraft['record']): void {
  if (!ctx.builtInScopes || !record.serviceAccountsEnabled) return;
  if (record.defaultClientScopes.includes(SERVICE_ACCOUNT_SCOPE) || record.optionalClientScopes.includes(SERVICE_ACCOUNT_SCOPE)) return;
  if (hasDedicatedNoteMappers(record.protocolMappers)) return;
  record.defaultClientScopes = [...record.defaultClientScopes, SERVICE_ACCOUNT_SCOPE];
}

function readAuthenticatorType(ctx: Context, entry: ClientEntry): ClientAuthenticatorType {
  const type = ctx.reader.string(entry.value, 'clientAuthenticatorType', entry.path) ?? DEFAULT_CLIENT_AUTHENTICATOR;
  if (isClientAuthenticatorType(type)) return type;
  ctx.reader.problem(join(entry.path, 'clientAuthenticatorType'), `'${type}' is not supported: use ${CLIENT_AUTHENTICATOR_CHOICES}`);
  return DEFAULT_CLIENT_AUTHENTICATOR;
}

function oidcScopes(ctx: Context, names: string[]): string[] {
  return names.filter((name) => ctx.clientScopes.get(name) === 'openid-connect');
}


/** The client's secret, or why there is none (a wrong type is a problem of its own). */
function readSecret(ctx: Context, entry: ClientEntry): string | { missing: 'masked' | 'empty' | 'invalid' } {
  const secret = entry.value.secret ?? '';
  if (typeof secret !== 'string') {
    ctx.reader.problem(join(entry.path, 'secret'), 'must be a string');
    return { missing: 'invalid' };
  }
  if (secret === MASKED_SECRET) return { missing: 'masked' };
  if (secret === '') return { missing: 'empty' };
  return secret;
}

/** Generates the secrets ParseOptions.generateSecrets asked for, and notes what was kept and made. */
function assignSecrets(ctx: Context, drafts: ClientDraft[]): ParsedRealm['newSecrets'] {
  const newSecrets: ParsedRealm['newSecrets'] = [];
  for (const draft of drafts.filter((d) => d.generate)) {
    draft.secret = generateSecret();
    draft.generated = true;
    newSecrets.push({ clientId: draft.record.clientId, secret: draft.secret });
  }
  const kept = drafts.filter((d) => d.stored !== undefined).map((d) => d.record.clientId);
  if (kept.length > 0) ctx.notes.push(`${plural(kept.length, 'client', 'clients')} without a secret in the file keep the secret stored here: ${listed(kept)}`);
  if (newSecrets.length > 0) {
    ctx.notes.push(`${plural(newSecrets.length, 'client', 'clients')} without a secret get a generated one: ${listed(newSecrets.map((s) => s.clientId))}`);
  }
  const unencrypted = drafts.filter((d) => keepsSecretRecoverable(d.record) && d.secret !== undefined);
  if (unencrypted.length > 0 && ctx.options.encryptSecret === undefined && ctx.options.hashSecrets !== false) {
    ctx.notes.push(`no KMS key to encrypt client-secret-jwt secrets: ${listed(unencrypted.map((d) => d.record.clientId))} cannot authenticate with client_secret_jwt`);
  }
  return newSecrets;
}

/** At most ten names, so a note stays readable for a realm of thousands of clients. */
function listed(names: string[]): string {
  const shown = names.slice(0, 10).map((name) => `'${name}'`).join(', ');
  return names.length > 10 ? `${shown} … and ${names.length - 10} more` : shown;
}

/** Keycloak treats a rotated secret without an expiry as expired (OIDCClientSecretConfigWrapper.isClientRotatedSecretExpired). */
function readRotatedSecret(
  ctx: Context,
  entry: ClientEntry,
  secret: string | undefined,
  expiry: string | undefined,
): Pick<ClientDraft, 'rotatedSecret'> {
  if (!secret || secret === MASKED_SECRET) return {};
  const expiresAt = Number(expiry);
  if (expiry === undefined || !Number.isInteger(expiresAt) || expiresAt <= 0) {
    ctx.notes.push(`${entry.path} (${entry.clientId}): rotated secret left out, it has no valid expiry`);
    return {};
  }
  return { rotatedSecret: { secret, expiresAt } };
}

/** Hashes (and for client-secret-jwt encrypts) the secrets and attaches scope mappings and service accounts. */
async function finishClients(
  ctx: Context,
  drafts: ClientDraft[],
  scopeMappings: Map<string, RoleMappings>,
  serviceAccounts: Map<string, ServiceAccount>,
): Promise<ClientRecord[]> {
  const { hashSecrets = true, encryptSecret, onSecretProgress, hashChosenSecret: hashWithPepper } = ctx.options;
  const hash = (draft: ClientDraft, secret: string | undefined): Promise<string | undefined> | undefined => {
    if (secret === undefined) return undefined;
    if (draft.generated) return Promise.resolve(hashGeneratedSecret(secret));
    if (!hashSecrets) return undefined;
    return hashWithPepper ? hashWithPepper(draft.record.clientId, secret) : hashChosenSecret(secret);
  };
  const encrypt = (draft: ClientDraft, secret: string | undefined) =>
    secret !== undefined && keepsSecretRecoverable(draft.record) ? encryptSecret?.(draft.record.clientId, secret) : undefined;
  const finish = async (draft: ClientDraft): Promise<ClientRecord> => {
    const rotated = draft.rotatedSecret?.secret;
    const [secretHash, rotatedSecretHash, secretCiphertext, rotatedSecretCiphertext] = await Promise.all([
      hash(draft, draft.secret),
      hash(draft, rotated),
      encrypt(draft, draft.secret),
      encrypt(draft, rotated),
    ]);
    const serviceAccount = serviceAccounts.get(draft.record.clientId);
    // No key is set to undefined: the DynamoDB document client refuses undefined values.
    return {
      ...draft.record,
      ...definedFields(draft.stored ?? {}),
      ...definedFields({ secretHash, secretCiphertext }),
      ...(draft.rotatedSecret === undefined
        ? {}
        : definedFields({ rotatedSecretHash, rotatedSecretCiphertext, rotatedSecretExpiresAt: draft.rotatedSecret.expiresAt })),
      ...(serviceAccount === undefined ? {} : { serviceAccount }),
      scopeMappings: scopeMappings.get(draft.record.clientId) ?? emptyRoleMappings(),
    };
  };
  const withSecrets = drafts.filter((draft) => draft.secret !== undefined).length;
  let hashed = 0;
  const records: ClientRecord[] = [];
  for (let i = 0; i < drafts.length; i += SECRET_HASH_CONCURRENCY) {
    const batch = drafts.slice(i, i + SECRET_HASH_CONCURRENCY);
    records.push(...(await Promise.all(batch.map(finish))));
    const inBatch = batch.filter((draft) => draft.secret !== undefined).length;
    hashed += inBatch;
    if (inBatch > 0) onSecretProgress?.(hashed, withSecrets);
  }
  return records;
}

function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}


// ---------------------------------------------------------------------------------------------
// Service accounts

type ServiceAccount = NonNullable<ClientRecord['serviceAccount']>;

interface ServiceAccountUsers {
  /** By clientId. */
  accounts: Map<string, ServiceAccount>;
  /** Whether the file holds users at all: `kc.sh export --dir` writes them to separate files by default, the console's partial export leaves them out. */
  inFile: boolean;
  /** Users that are people, not service accounts. */
  people: number;
}

function readServiceAccountUsers(ctx: Context, json: JsonObject, clients: ClientDraft[], groupPaths: Set<string>): ServiceAccountUsers {
  const users = ctx.reader.objects(json, 'users', '');
  const withServiceAccounts = new Set(clients.filter((c) => c.record.serviceAccountsEnabled).map((c) => c.record.clientId));
  const accounts = new Map<string, ServiceAccount>();
  let people = 0;
  for (const user of users) {
    const clientId = ctx.reader.string(user.value, 'serviceAccountClientId', user.path);
    if (clientId === undefined) {
      people++;
      continue;
    }
    const account = readServiceAccountUser(ctx, user, clientId, groupPaths);
    const at = join(user.path, 'serviceAccountClientId');
    if (!ctx.clientIds.has(clientId)) ctx.reader.problem(at, `no client '${clientId}' in clients`);
    else if (!withServiceAccounts.has(clientId)) ctx.reader.problem(at, `client '${clientId}' does not have serviceAccountsEnabled`);
    else if (accounts.has(clientId)) ctx.reader.problem(at, `a second service-account user for client '${clientId}'`);
    else accounts.set(clientId, account);
  }
  return { accounts, inFile: users.length > 0, people };
}

/**
 * The service-account user in full: role mappings, group memberships (paths, each of which must be
 * a group of the file, as Keycloak's import requires), attributes, email and names.
 */
function readServiceAccountUser(ctx: Context, user: Located<JsonObject>, clientId: string, groupPaths: Set<string>): ServiceAccount {
  const r = ctx.reader;
  // Keycloak names the user `service-account-<clientId>` and keeps every username in lower case.
  const username = (r.string(user.value, 'username', user.path) ?? `service-account-${clientId}`).toLowerCase();
  const groups: string[] = [];
  for (const ref of r.names(user.value, 'groups', user.path) ?? []) {
    const path = ref.value.startsWith('/') ? ref.value : `/${ref.value}`;
    if (!groupPaths.has(path)) r.problem(ref.path, `no group '${ref.value}' in groups`);
    else if (!groups.includes(path)) groups.push(path);
  }
  const attributes = readMultiAttributes(ctx, user);
  const email = r.string(user.value, 'email', user.path);
  const firstName = r.string(user.value, 'firstName', user.path);
  const lastName = r.string(user.value, 'lastName', user.path);
  const createdTimestamp = user.value.createdTimestamp;
  return {
    id: r.string(user.value, 'id', user.path) ?? derivedUuid('user', ctx.realm, username),
    username,
    roles: readRoleMappings(ctx, user.value, user.path, { realm: 'realmRoles', client: 'clientRoles' }),
    ...(email === undefined || email === '' ? {} : { email }),
    emailVerified: r.boolean(user.value, 'emailVerified', user.path, false),
    ...(firstName === undefined || firstName === '' ? {} : { firstName }),
    ...(lastName === undefined || lastName === '' ? {} : { lastName }),
    ...(typeof createdTimestamp === 'number' && Number.isFinite(createdTimestamp) ? { createdTimestamp } : {}),
    ...(attributes === undefined || Object.keys(attributes).length === 0 ? {} : { attributes }),
    ...(groups.length === 0 ? {} : { groups }),
  };
}

/**
 * Every client with serviceAccountsEnabled has a service-account user in Keycloak. When the file
 * does not hold it, the client gets what Keycloak gives a new one: the realm's default role.
 */
function resolveServiceAccounts(
  ctx: Context,
  clients: ClientDraft[],
  users: ServiceAccountUsers,
  defaultRole: string,
): Map<string, ServiceAccount> {
  const resolved = new Map<string, ServiceAccount>();
  const missing: ClientDraft[] = [];
  for (const client of clients.filter((c) => c.record.serviceAccountsEnabled)) {
    const { clientId } = client.record;
    const account = users.accounts.get(clientId);
    if (account !== undefined) {
      resolved.set(clientId, account);
      continue;
    }
    const username = `service-account-${clientId}`.toLowerCase();
    resolved.set(clientId, { id: derivedUuid('user', ctx.realm, username), username, roles: { realm: [defaultRole], client: {} } });
    missing.push(client);
  }
  if (missing.length === 0) return resolved;
  if (users.inFile) {
    ctx.notes.push(
      `no service-account user in users for ${plural(missing.length, 'client', 'clients')}, given the realm default roles ('${defaultRole}'): ` +
        listed(missing.map((client) => client.record.clientId)),
    );
  } else {
    ctx.notes.push(
      `partial export without users: ${missing.length} service accounts get the realm default roles ('${defaultRole}') ` +
        'and ids derived from their names; `kc.sh export --dir` writes users to separate files unless --users realm_file',
    );
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// What is left out

function reportSkipped(
  json: JsonObject,
  clients: ClientEntry[],
  otherProtocols: Map<string, number>,
  people: number,
): string[] {
  const skipped: string[] = [];
  const settings: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (READ_KEYS.has(key) || value === null) continue;
    const size = Array.isArray(value) ? value.length : isObject(value) ? Object.keys(value).length : undefined;
    if (size === undefined) settings.push(key);
    // An empty collection loses nothing, so it is not worth a line.
    else if (size > 0) skipped.push(`${key}: ${plural(size, Array.isArray(value) ? 'entry' : 'field', Array.isArray(value) ? 'entries' : 'fields')}`);
  }
  if (settings.length > 0) skipped.push(`${plural(settings.length, 'realm setting', 'realm settings')}: ${settings.join(', ')}`);

  const withAuthorization = clients.filter((client) => isObject(client.value.authorizationSettings)).length;
  if (withAuthorization > 0) skipped.push(`authorizationSettings: on ${plural(withAuthorization, 'client', 'clients')} (Authorization Services)`);
  for (const [protocol, count] of otherProtocols) {
    skipped.push(`clients: ${plural(count, `${protocol} client`, `${protocol} clients`)} (only openid-connect clients can use the token endpoint)`);
  }
  if (people > 0) skipped.push(`users: ${plural(people, 'user that is not a service account', 'users that are not service accounts')}`);
  return skipped;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line (the CLI prints errors on one line); every problem is in `problems` too. */
function describeProblems(problems: ImportProblem[]): string {
  const shown = problems.slice(0, 20).map((p) => `${p.path}: ${p.message}`);
  const more = problems.length > shown.length ? [`… and ${problems.length - shown.length} more`] : [];
  return `the realm export has ${plural(problems.length, 'problem', 'problems')}: ${[...shown, ...more].join('; ')}`;
}
