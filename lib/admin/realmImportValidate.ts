/**
 * The first step of a realm import: reads a Keycloak realm export and checks all of it — realm
 * name and settings, roles, client scopes, groups, scope mappings — collecting every problem with
 * its JSON path instead of stopping at the first (clients and their service accounts are read by
 * realmImportClients.ts with the same context). Nothing here hashes, encrypts or writes.
 */
import { isForbiddenKey } from '../model/userKeys.js';
import { builtInClientScopes } from '../tokens/builtInScopes.js';
import {
  emptyRoleMappings,
  type ClientRecord,
  type ClientScope,
  type Group,
  type RealmSettings,
  type Role,
  type RoleMappings,
  type SignatureAlgorithm,
} from '../model/stored.js';
import type { JwksUrlPolicy } from '../clientAuth/jwksUrl.js';
import { AdminError } from './errors.js';
import { clientScopeId, derivedUuid, roleId } from './ids.js';
import {
  defaultRoleName,
  isSignatureAlgorithm,
  KEYCLOAK_DEFAULT_CLIENT_SCOPES,
  KEYCLOAK_OPTIONAL_CLIENT_SCOPES,
  KEYCLOAK_REALM_DEFAULTS as DEFAULTS,
} from '../model/realmDefaults.js';
import { REALM_SETTINGS_FIELDS } from '../representation/realm.js';
import { extraFields, newMapperReport, readProtocolMappers, type MapperReport } from './realmImportMappers.js';
import { ExportReader, isObject, join, type ImportProblem, type JsonObject, type Located } from './realmImportReader.js';
import { realmNameProblem } from './realmName.js';

export class RealmImportError extends AdminError {
  constructor(readonly problems: ImportProblem[]) {
    super(describeProblems(problems));
    this.name = 'RealmImportError';
  }
}

/** The secret fields of a stored client, kept when a re-import's file has no secret for it. */
/** The internal ids a stored client and its service-account user have now. */
export interface StoredIds {
  id: string;
  userId?: string;
}

export type StoredSecret = Pick<ClientRecord, 'secretHash' | 'rotatedSecretHash' | 'rotatedSecretExpiresAt' | 'secretCiphertext' | 'rotatedSecretCiphertext'>;

export interface ParseOptions {
  /** Which `jwks.url` values are accepted (default: https only). */
  jwksUrlPolicy?: JwksUrlPolicy;
  /** By clientId: the secrets the target realm already holds (see storedSecretsOf). */
  storedSecrets?: ReadonlyMap<string, StoredSecret>;
  /**
   * By clientId: the internal ids the target realm's clients and their service-account users have
   * now (see storedIdsOf). A client or user the file gives no id keeps its stored one; one the
   * target does not hold gets a fresh random id, as Keycloak gives it, never one derived from its
   * name: a client deleted and imported again is another client, and the tokens of the first must
   * not work for it (lib/tokens/clientBinding.ts, issue 17 F5).
   */
  storedIds?: ReadonlyMap<string, StoredIds>;
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
  /** Called as secrets are hashed, for a progress display. */
  onSecretProgress?: (done: number, total: number) => void;
}

/** What the admin console's partial export writes in place of every client secret. */
export const MASKED_SECRET = '**********';

/** The top-level keys this importer reads; every other key is reported in `skipped`. */
const READ_KEYS = new Set<string>([...REALM_SETTINGS_FIELDS, 'roles', 'clientScopes', 'clients', 'users', 'scopeMappings', 'clientScopeMappings', 'groups', 'identityProviders']);

/**
 * Top-level fields never kept in the realm's `extra`: people are not imported, and these can hold
 * secrets or private keys in clear (key providers' private keys, identity-provider client secrets,
 * the SMTP password).
 */
const NOT_KEPT = new Set(['users', 'federatedUsers', 'components', 'identityProviders', 'identityProviderMappers', 'smtpServer']);

/** A new import's context: what is known about the file while it is read. */
export function newContext(reader: ExportReader, realm: string, options: ParseOptions): Context {
  return { realm, reader, notes: [], roles: new RoleIndex(), clientIds: new Set(), clientScopes: new Map(), options, mappers: newMapperReport() };
}

// ---------------------------------------------------------------------------------------------
// Names: realm, clients, roles, client scopes

/** What is known about the file while it is read. */
export interface Context {
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
export function readRealmName(reader: ExportReader, json: JsonObject): string {
  const realm = reader.requiredName(json, 'realm', '') ?? '';
  const problem = realm === '' ? undefined : realmNameProblem(realm);
  if (problem !== undefined) reader.problem('realm', problem);
  return realm;
}

export interface ClientEntry extends Located<JsonObject> {
  clientId: string;
}

export function declareClients(ctx: Context, json: JsonObject): ClientEntry[] {
  const entries: ClientEntry[] = [];
  for (const entry of ctx.reader.objects(json, 'clients', '')) {
    const clientId = ctx.reader.requiredName(entry.value, 'clientId', entry.path);
    if (clientId === undefined) continue;
    if (isForbiddenKey(clientId)) {
      ctx.reader.problem(join(entry.path, 'clientId'), `'${clientId}' is a name reserved by the service`);
      continue;
    }
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
export class RoleIndex {
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
export function readDefaultRoleName(ctx: Context, json: JsonObject): string {
  const defaultRole = ctx.reader.object(json, 'defaultRole', '');
  const name = defaultRole === undefined ? undefined : ctx.reader.string(defaultRole, 'name', 'defaultRole');
  return name || defaultRoleName(ctx.realm);
}

interface DeclaredRole {
  owner: string | undefined;
  name: string;
  entry: Located<JsonObject>;
}

export function readRoles(ctx: Context, json: JsonObject, defaultRole: string): Role[] {
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
export function readRoleMappings(ctx: Context, obj: JsonObject, path: string, keys: { realm: string; client: string }): RoleMappings {
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

export type ClientScopeDraft = Omit<ClientScope, 'scopeMappings'>;


export function readClientScopes(ctx: Context, json: JsonObject): ClientScopeDraft[] {
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
export function readMultiAttributes(ctx: Context, entry: Located<JsonObject>): Record<string, string[]> | undefined {
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

export function readGroups(ctx: Context, json: JsonObject): Group[] {
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
      const description = ctx.reader.string(entry.value, 'description', entry.path);
      groups.push({
        id: ctx.reader.string(entry.value, 'id', entry.path) ?? derivedUuid('group', ctx.realm, path),
        name,
        ...(description === undefined || description === '' ? {} : { description }),
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
export function readAttributes(ctx: Context, entry: Located<JsonObject>): Record<string, string> {
  const attributes = ctx.reader.object(entry.value, 'attributes', entry.path) ?? {};
  return Object.fromEntries(Object.entries(attributes).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
}

// ---------------------------------------------------------------------------------------------
// Scope mappings: the roles a client (with fullScopeAllowed=false) or a client scope may put in tokens

export interface ScopeMappingIndex {
  client: Map<string, RoleMappings>;
  clientScope: Map<string, RoleMappings>;
}

/**
 * Keycloak exports realm-role scope mappings as `scopeMappings[]` and client-role ones per owning
 * client as `clientScopeMappings{<owner>: [...]}`; each entry names the client or client scope
 * they are mapped to.
 */
export function readScopeMappings(ctx: Context, json: JsonObject): ScopeMappingIndex {
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

export function readSettings(ctx: Context, json: JsonObject, defaultRole: string): RealmSettings {
  const r = ctx.reader;
  const extra = extraFields(json, READ_KEYS, NOT_KEPT);
  return {
    id: r.string(json, 'id', '') ?? derivedUuid('realm', ctx.realm, ctx.realm),
    realm: ctx.realm,
    enabled: r.boolean(json, 'enabled', '', DEFAULTS.enabled),
    accessTokenLifespan: r.count(json, 'accessTokenLifespan', '', DEFAULTS.accessTokenLifespan, 1),
    ssoSessionIdleTimeout: r.count(json, 'ssoSessionIdleTimeout', '', DEFAULTS.ssoSessionIdleTimeout),
    ssoSessionMaxLifespan: r.count(json, 'ssoSessionMaxLifespan', '', DEFAULTS.ssoSessionMaxLifespan),
    clientSessionIdleTimeout: r.count(json, 'clientSessionIdleTimeout', '', DEFAULTS.clientSessionIdleTimeout),
    clientSessionMaxLifespan: r.count(json, 'clientSessionMaxLifespan', '', DEFAULTS.clientSessionMaxLifespan),
    revokeRefreshToken: r.boolean(json, 'revokeRefreshToken', '', DEFAULTS.revokeRefreshToken),
    refreshTokenMaxReuse: r.count(json, 'refreshTokenMaxReuse', '', DEFAULTS.refreshTokenMaxReuse),
    notBefore: r.count(json, 'notBefore', '', DEFAULTS.notBefore),
    defaultSignatureAlgorithm: readSignatureAlgorithm(ctx, json),
    defaultRole,
    defaultDefaultClientScopes: readScopeList(ctx, json, 'defaultDefaultClientScopes', '', existingScopes(ctx, KEYCLOAK_DEFAULT_CLIENT_SCOPES)),
    defaultOptionalClientScopes: readScopeList(ctx, json, 'defaultOptionalClientScopes', '', existingScopes(ctx, KEYCLOAK_OPTIONAL_CLIENT_SCOPES)),
    ...(extra === undefined ? {} : { extra }),
  };
}

function readSignatureAlgorithm(ctx: Context, json: JsonObject): SignatureAlgorithm {
  const alg = ctx.reader.string(json, 'defaultSignatureAlgorithm', '') ?? DEFAULTS.defaultSignatureAlgorithm;
  if (isSignatureAlgorithm(alg)) return alg;
  ctx.reader.problem('defaultSignatureAlgorithm', `'${alg}' is not supported: signing keys are RS256 or ES256`);
  return 'RS256';
}

function existingScopes(ctx: Context, names: readonly string[]): string[] {
  return names.filter((name) => ctx.clientScopes.has(name));
}

/** Client scope names; Keycloak ignores (with a warning) a name that is not a client scope of the realm, and so does this. */
export function readScopeList(ctx: Context, obj: JsonObject, key: string, path: string, fallback: string[]): string[] {
  const names = ctx.reader.names(obj, key, path);
  if (names === undefined) return fallback;
  const unknown = names.filter((name) => !ctx.clientScopes.has(name.value)).map((name) => `'${name.value}'`);
  if (unknown.length > 0) ctx.notes.push(`${join(path, key)}: ignored unknown client scopes ${unknown.join(', ')}`);
  return [...new Set(names.map((name) => name.value).filter((name) => ctx.clientScopes.has(name)))];
}

// ---------------------------------------------------------------------------------------------
// What is left out

export function reportSkipped(
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

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line (the CLI prints errors on one line); every problem is in `problems` too. */
export function describeProblems(problems: ImportProblem[]): string {
  const shown = problems.slice(0, 20).map((p) => `${p.path}: ${p.message}`);
  const more = problems.length > shown.length ? [`… and ${problems.length - shown.length} more`] : [];
  return `the realm export has ${plural(problems.length, 'problem', 'problems')}: ${[...shown, ...more].join('; ')}`;
}

/** At most ten names, so a note stays readable for a realm of thousands of clients. */
export function listed(names: string[]): string {
  const shown = names.slice(0, 10).map((name) => `'${name}'`).join(', ');
  return names.length > 10 ? `${shown} … and ${names.length - 10} more` : shown;
}
