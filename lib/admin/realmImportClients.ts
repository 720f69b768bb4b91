import { randomUUID } from 'node:crypto';
/**
 * Realm import, clients: each OpenID Connect client of the file with its authentication, scopes,
 * protocol mappers and secret (kept as read; realmImportPrepare.ts hashes it), and the
 * service-account users of the file's `users`.
 */
import { jwksUrlProblem } from '../clientAuth/jwksUrl.js';
import { authenticatorUsesSecret, CLIENT_AUTHENTICATOR_TYPES, isClientAuthenticatorType } from '../model/clientAuthenticator.js';
import { hasDedicatedNoteMappers, SERVICE_ACCOUNT_SCOPE } from '../tokens/builtInScopes.js';
import type { ClientAuthenticatorType, ClientRecord, RealmSettings } from '../model/stored.js';
import { derivedUuid } from './ids.js';
import { extraFields, readProtocolMappers } from './realmImportMappers.js';
import { join, type JsonObject, type Located } from './realmImportReader.js';
import {
  listed,
  MASKED_SECRET,
  plural,
  readAttributes,
  readMultiAttributes,
  readRoleMappings,
  readScopeList,
  type ClientEntry,
  type Context,
  type StoredSecret,
} from './realmImportValidate.js';


/**
 * Keycloak's secret rotation (client policy `secret-rotation`) keeps the previous secret in this
 * client attribute, in clear, valid until the epoch seconds in the second one
 * (OIDCClientSecretConfigWrapper). It becomes rotatedSecretHash and is never kept as an attribute.
 */
const ROTATED_SECRET_ATTRIBUTE = 'client.secret.rotated';
const ROTATED_SECRET_EXPIRY_ATTRIBUTE = 'client.secret.rotated.expiration.time';

/** Client fields read into the model (or deliberately dropped: the secret is hashed, a registration access token is a credential). */
const CLIENT_READ_KEYS = new Set([
  'id', 'clientId', 'enabled', 'publicClient', 'bearerOnly', 'serviceAccountsEnabled', 'fullScopeAllowed', 'clientAuthenticatorType',
  'defaultClientScopes', 'optionalClientScopes', 'attributes', 'notBefore', 'secret', 'protocol', 'protocolMappers',
]);
const CLIENT_NOT_KEPT = new Set(['registrationAccessToken']);

// ---------------------------------------------------------------------------------------------
// Clients

/** A client as read, before its secrets are hashed and its scope mappings and service account attached. */
export interface ClientDraft {
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

export function readClients(
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
    id: r.string(raw, 'id', path) ?? ctx.options.storedIds?.get(clientId)?.id ?? randomUUID(),
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
    if (record.clientAuthenticatorType !== 'client-secret-jwt' || stored.secretCiphertext !== undefined) return { path, record, stored };
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
  const type = ctx.reader.string(entry.value, 'clientAuthenticatorType', entry.path) ?? 'client-secret';
  if (isAuthenticatorType(type)) return type;
  ctx.reader.problem(
    join(entry.path, 'clientAuthenticatorType'),
    `'${type}' is not supported: use ${CLIENT_AUTHENTICATOR_TYPES.join(', ')}`,
  );
  return 'client-secret';
}

const isAuthenticatorType = isClientAuthenticatorType;

function oidcScopes(ctx: Context, names: string[]): string[] {
  return names.filter((name) => ctx.clientScopes.get(name) === 'openid-connect');
}

/**
 * Public and bearer-only clients never authenticate with a secret, and a client-jwt client signs
 * with its own key. A secret Keycloak keeps for them anyway is left out: unused, it is only a liability.
 */
function usesSecret(client: ClientDraft['record']): boolean {
  return !client.publicClient && !client.bearerOnly && authenticatorUsesSecret(client.clientAuthenticatorType);
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

// ---------------------------------------------------------------------------------------------
// Service accounts

export type ServiceAccount = NonNullable<ClientRecord['serviceAccount']>;

export interface ServiceAccountUsers {
  /** By clientId. */
  accounts: Map<string, ServiceAccount>;
  /** Whether the file holds users at all: `kc.sh export --dir` writes them to separate files by default, the console's partial export leaves them out. */
  inFile: boolean;
  /** Users that are people, not service accounts. */
  people: number;
}

export function readServiceAccountUsers(ctx: Context, json: JsonObject, clients: ClientDraft[], groupPaths: Set<string>): ServiceAccountUsers {
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
    id: r.string(user.value, 'id', user.path) ?? storedUserId(ctx, clientId),
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
export function resolveServiceAccounts(
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
    resolved.set(clientId, { id: storedUserId(ctx, clientId), username, roles: { realm: [defaultRole], client: {} } });
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

/** A service-account user's id when the file has none: the stored user's, else a fresh one (see ParseOptions.storedIds). */
function storedUserId(ctx: Context, clientId: string): string {
  return ctx.options.storedIds?.get(clientId)?.userId ?? randomUUID();
}
