import { randomUUID } from 'node:crypto';
import { CLIENT_AUTHENTICATOR_TYPES, isClientAuthenticatorType, usesSecret } from '../model/clientAuthenticator.js';
import { CREDENTIAL_CLAIMS_ATTRIBUTE, CREDENTIAL_ISSUER_ATTRIBUTE, CREDENTIAL_SUB_ATTRIBUTE } from '../model/identityProvider.js';
import { claimConditionsProblem } from '../clientAuth/claimConditions.js';
import { decryptClientSecret, encryptClientSecret } from '../clientAuth/secretCipher.js';
import { jwksUrlProblem } from '../clientAuth/jwksUrl.js';
import { generateSecret, hashGeneratedSecret } from '../clientAuth/secretHash.js';
import { pepperedHasher } from '../clientAuth/secretPepper.js';
import { KEYCLOAK_CLIENT_DEFAULTS } from '../model/clientDefaults.js';
import type { ClientFields } from '../representation/client.js';
import {
  emptyRoleMappings,
  type ClientAuthenticatorType,
  type ClientRecord,
  type ProtocolMapper,
  type RealmSettings,
  type RoleMappings,
  type ServiceAccountUser,
} from '../model/stored.js';
import type { AdminContext } from './context.js';
import { AdminError, refuseForbiddenKeys } from './errors.js';
import { isForbiddenKey } from '../model/userKeys.js';
import { clientScopeId, roleId } from './ids.js';
import { saveClient } from './itemLimit.js';
import { requireClient, requireRealm } from './lookup.js';
import { listClientScopes } from './clientScopes.js';
import { newProtocolMappers } from './protocolMappers.js';
import { serviceAccountClaims } from './serviceAccounts.js';

/**
 * Clients: registration with Keycloak's defaults, listing, changing, deleting, and secrets. A
 * secret is generated here (256 bits from the CSPRNG) or chosen by the caller (the Admin API's
 * `secret`, the bootstrap's `--client-secret`); it is verified against its hash (SHA-256 for a
 * generated one, an HMAC keyed with the realm's pepper for a chosen one: lib/clientAuth/secretHash.ts)
 * and kept beside it encrypted under the stage's secrets
 * key (encryption context: realm and clientId), so `client-secret-jwt` can HMAC with it and the
 * Admin API can show it to a manage-clients caller (Terraform reads it after every apply).
 * Nothing here returns a stored hash or ciphertext; only `readClientSecret` decrypts.
 */

/** What a client is created with beyond its representation. */
export interface NewClientOptions {
  /** The new service account's roles instead of the realm's default role (the bootstrap gives master's `admin`). */
  serviceAccountRoles?: RoleMappings;
}

/** A client as shown to an operator: everything but the secret material. */
export type ClientView = Omit<ClientRecord, 'secretHash' | 'rotatedSecretHash' | 'secretCiphertext' | 'rotatedSecretCiphertext'> & {
  hasSecret: boolean;
};

export interface IssuedSecret {
  clientId: string;
  /** Shown once; stored only as a hash and a copy encrypted under the stage's secrets key. */
  secret: string;
  /** After a rotation with a grace period: when the previous secret stops working (epoch seconds). */
  previousSecretExpiresAt?: number;
}

/** Keycloak's attribute for when the current secret was made (OIDCClientSecretConfigWrapper). */
const SECRET_CREATION_TIME = 'client.secret.creation.time';
/** JWK members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export async function createClient(
  ctx: AdminContext,
  realm: string,
  clientId: string,
  fields: ClientFields = {},
  options: NewClientOptions = {},
): Promise<{ client: ClientView; secret?: string }> {
  const settings = await requireRealm(ctx.table, realm);
  checkClientId(clientId);
  refuseForbiddenKeys(fields);
  checkFields(fields);
  if (await ctx.table.getClient(realm, clientId)) throw new AdminError(`client '${clientId}' already exists in realm '${realm}'`, 'conflict');
  // Keycloak's ids are unique in a realm: a client taking another object's id (realm-management's)
  // would be found, listed and changed in its place.
  if (fields.id && (await idInUse(ctx, realm, fields.id))) throw new AdminError(`id '${fields.id}' is already used in realm '${realm}'`, 'conflict');
  const auth = (fields.clientAuthenticatorType ?? 'client-secret') as ClientAuthenticatorType;
  const attributes = checkAttributes(ctx, auth, { ...fields.attributes }, 'create');
  const publicClient = fields.publicClient ?? false;
  const serviceAccounts = fields.serviceAccountsEnabled ?? false;
  if (publicClient && serviceAccounts) throw new AdminError(PUBLIC_SERVICE_ACCOUNTS);
  const scopes = await realmScopeNames(ctx, realm, fields);

  const record: ClientRecord = {
    realm,
    clientId,
    id: fields.id || randomUUID(),
    enabled: fields.enabled ?? true,
    publicClient,
    bearerOnly: fields.bearerOnly ?? false,
    serviceAccountsEnabled: serviceAccounts,
    fullScopeAllowed: fields.fullScopeAllowed ?? true,
    clientAuthenticatorType: auth,
    // Keycloak's service-account scope (or its note mappers) unless the caller chose the default scopes.
    ...(fields.defaultClientScopes
      ? { defaultClientScopes: existing(fields.defaultClientScopes, scopes) }
      : await serviceAccountClaims(ctx, realm, settings.defaultDefaultClientScopes, serviceAccounts)),
    optionalClientScopes: fields.optionalClientScopes ? existing(fields.optionalClientScopes, scopes) : [...settings.defaultOptionalClientScopes],
    attributes,
    notBefore: fields.notBefore ?? 0,
    scopeMappings: emptyRoleMappings(),
    // Checked as a mapper added later is (lib/admin/protocolMappers.ts).
    ...(fields.protocolMappers ? { protocolMappers: newProtocolMappers({ client: clientId }, [], fields.protocolMappers) } : {}),
    // Keycloak's answers for the fields this service does not use, under what was sent: a client
    // made here reads back and exports as one Keycloak made (lib/model/clientDefaults.ts).
    extra: { ...KEYCLOAK_CLIENT_DEFAULTS, ...fields.extra },
    ...(serviceAccounts ? { serviceAccount: newServiceAccount(settings, clientId, options.serviceAccountRoles, ctx.now()) } : {}),
  };
  if (!usesSecret(record)) {
    await saveClient(ctx.table, record);
    return { client: clientView(record) };
  }
  const secret = fields.secret ?? generateSecret();
  const withSecret = { ...record, ...(await secretFields(ctx, record, secret, fields.secret !== undefined)) };
  await saveClient(ctx.table, withSecret);
  return { client: clientView(withSecret), secret };
}

/** Keycloak's message (ClientResource.updateClient / ClientsResource.createClient). */
const PUBLIC_SERVICE_ACCOUNTS = 'Service accounts are not supported for public clients';

/** The checks of fields that need nothing stored; each error names its ClientRepresentation field. */
function checkFields(fields: ClientFields): void {
  const auth = fields.clientAuthenticatorType;
  if (auth !== undefined && !isClientAuthenticatorType(auth)) {
    throw new AdminError(`Unsupported clientAuthenticatorType '${auth}': ${CLIENT_AUTHENTICATOR_TYPES.join(', ')}`);
  }
  // Authorization services (UMA resource servers) are not implemented: refuse rather than pretend.
  if (fields.authorizationServicesEnabled === true) throw new AdminError('Authorization services are not supported by this service');
}

/** The realm's client scope names, when the fields name scopes (nothing read otherwise). */
async function realmScopeNames(ctx: AdminContext, realm: string, fields: ClientFields): Promise<Set<string>> {
  if (!fields.defaultClientScopes && !fields.optionalClientScopes) return new Set();
  return new Set((await listClientScopes(ctx, realm)).map((scope) => scope.name));
}

// Keycloak keeps only the scope names that exist in the realm (ClientManager / RepresentationToModel.addClientScopes).
const existing = (names: string[], scopes: Set<string>) => names.filter((name) => scopes.has(name));

/**
 * Keycloak creates `service-account-<clientId>` (usernames in lower case) holding the realm's
 * default role (ClientManager.enableServiceAccount).
 */
function newServiceAccount(settings: RealmSettings, clientId: string, roles: RoleMappings | undefined, now: number): ServiceAccountUser {
  return {
    id: randomUUID(),
    username: `service-account-${clientId.toLowerCase()}`,
    roles: roles ?? { realm: [settings.defaultRole], client: {} },
    createdTimestamp: now * 1000,
  };
}

function checkClientId(clientId: string): void {
  if (clientId === '' || clientId.length > 255 || /[\u0000-\u001f]/.test(clientId)) {
    throw new AdminError('a client id is 1 to 255 characters without control characters');
  }
  // A client id keys role mappings, scope mappings and resource_access (lib/model/userKeys.ts).
  if (isForbiddenKey(clientId)) throw new AdminError(`'${clientId}' cannot be a client id: it is a name reserved by the service`);
}

/**
 * Attributes as any writer sets them, checked the same way: `jwks.url` by the one URL rule
 * (lib/clientAuth/jwksUrl.ts), `jwks.string` holds public keys only, a new client-jwt client says
 * where its keys are, and a federated-jwt client names its identity.
 */
function checkAttributes(ctx: AdminContext, auth: ClientAuthenticatorType, attributes: Record<string, string>, write: 'create' | 'update'): Record<string, string> {
  const url = attributes['jwks.url'];
  if (url !== undefined && url !== '') {
    const problem = jwksUrlProblem(url, { allowLoopbackHttp: ctx.localStage === true });
    if (problem !== undefined) throw new AdminError(`jwks.url '${url}' ${problem}`);
  }
  const jwks = attributes['jwks.string'];
  if (jwks !== undefined && jwks !== '') checkPublicJwks(jwks);
  // Only a new client must say where its keys are: an update that leaves them out stays as it was allowed before.
  if (write === 'create' && auth === 'client-jwt' && !attributes['jwks.url'] && !attributes['jwks.string']) {
    throw new AdminError('a client-jwt client needs its public keys: the attribute jwks.string or jwks.url');
  }
  checkFederatedAttributes(auth, attributes);
  return attributes;
}

/** Whether any object of the realm (client, service-account user, role, client scope, group, the realm) has the id. */
async function idInUse(ctx: AdminContext, realm: string, id: string): Promise<boolean> {
  const items = await ctx.table.listRealmItems(realm);
  return items.some((item) => {
    switch (item.kind) {
      case 'client':
        return item.id === id || item.serviceAccount?.id === id;
      case 'role':
        return roleId(realm, item) === id;
      case 'clientScope':
        return clientScopeId(realm, item) === id;
      case 'group':
      case 'settings':
        return item.id === id;
      default:
        return false;
    }
  });
}

/** The client, or undefined: one read, for the Admin API's exact `clientId` search. */
export async function findClient(ctx: AdminContext, realm: string, clientId: string): Promise<ClientView | undefined> {
  const client = await ctx.table.getClient(realm, clientId);
  return client && clientView(client);
}

/** The client with Keycloak's internal id (the Admin REST API's `{id}`). */
export async function findClientById(ctx: AdminContext, realm: string, id: string): Promise<ClientRecord | undefined> {
  return ctx.table.findClientById(realm, id);
}

/**
 * Changes a client as Keycloak's partial PUT does. A new clientId renames the client and every
 * reference to it (its roles, and their mappings, composites and scope mappings elsewhere), and
 * re-encrypts its secret under the new encryption context.
 */
export async function updateClient(ctx: AdminContext, realm: string, clientId: string, changes: ClientFields): Promise<ClientView> {
  const settings = await requireRealm(ctx.table, realm);
  const stored = await requireClient(ctx.table, realm, clientId);
  refuseForbiddenKeys(changes);
  checkFields(changes);
  const newId = changes.clientId ?? clientId;
  if (newId !== clientId) {
    checkClientId(newId);
    if (await ctx.table.getClient(realm, newId)) throw new AdminError(`client '${newId}' already exists in realm '${realm}'`, 'conflict');
  }
  const scopes = await realmScopeNames(ctx, realm, changes);
  const auth = (changes.clientAuthenticatorType ?? stored.clientAuthenticatorType) as ClientAuthenticatorType;
  let next: ClientRecord = {
    ...stored,
    clientId: newId,
    ...defined({
      enabled: changes.enabled,
      publicClient: changes.publicClient,
      bearerOnly: changes.bearerOnly,
      fullScopeAllowed: changes.fullScopeAllowed,
      clientAuthenticatorType: auth,
      attributes: changes.attributes && checkAttributes(ctx, auth, changes.attributes, 'update'),
      defaultClientScopes: changes.defaultClientScopes && existing(changes.defaultClientScopes, scopes),
      optionalClientScopes: changes.optionalClientScopes && existing(changes.optionalClientScopes, scopes),
      notBefore: changes.notBefore,
      protocolMappers: changes.protocolMappers && newProtocolMappers({ client: newId }, [], changes.protocolMappers),
    }),
    ...(changes.extra ? { extra: { ...stored.extra, ...changes.extra } } : {}),
  };
  const serviceAccounts = changes.serviceAccountsEnabled ?? stored.serviceAccountsEnabled;
  if (next.publicClient && serviceAccounts) throw new AdminError(PUBLIC_SERVICE_ACCOUNTS);
  if (serviceAccounts && !stored.serviceAccount) {
    next = { ...next, serviceAccountsEnabled: true, serviceAccount: newServiceAccount(settings, newId, undefined, ctx.now()) };
  } else if (!serviceAccounts) {
    const { serviceAccount: _removed, ...rest } = next;
    next = { ...rest, serviceAccountsEnabled: false };
  } else if (newId !== clientId && next.serviceAccount) {
    next = { ...next, serviceAccount: { ...next.serviceAccount, username: `service-account-${newId.toLowerCase()}` } };
  }
  // The secret's encryption context names the clientId: a renamed client's copy is re-encrypted.
  if (changes.secret !== undefined && usesSecret(next)) {
    next = { ...withoutSecrets(next), ...(await secretFields(ctx, next, changes.secret, true)) };
  } else if (newId !== clientId && stored.secretCiphertext !== undefined) {
    const secret = await decryptClientSecret(ctx.kms, realm, clientId, stored.secretCiphertext);
    const { rotatedSecretHash: _h, rotatedSecretCiphertext: _c, rotatedSecretExpiresAt: _e, ...rest } = next;
    next = { ...rest, secretCiphertext: await encryptClientSecret(ctx.kms, ctx.names.secretsKeyId, realm, newId, secret) };
  }
  await saveClient(ctx.table, next, stored);
  if (newId !== clientId) {
    await ctx.table.deleteItem(realm, { kind: 'client', clientId });
    // Its roles move to the new owner, and every mapping of them follows (a derived role id is kept).
    await ctx.table.rewriteRoleReferences(realm, (role) => (role.client === clientId ? { client: newId, name: role.name } : role), (role) => roleId(realm, role));
  }
  return clientView(next);
}

/**
 * The client's current secret, decrypted (only the admin function's role may): `value` is absent
 * for a client without a secret, and for one whose secret exists only as a hash (stored before
 * secrets were kept encrypted) until its secret is next set or regenerated.
 */
export async function readClientSecret(ctx: AdminContext, realm: string, clientId: string): Promise<{ value?: string; hashOnly: boolean }> {
  const client = await requireClient(ctx.table, realm, clientId);
  if (!usesSecret(client) || client.secretHash === undefined) return { hashOnly: false };
  if (client.secretCiphertext === undefined) return { hashOnly: true };
  return { value: await decryptClientSecret(ctx.kms, realm, client.clientId, client.secretCiphertext), hashOnly: false };
}

export async function listClients(ctx: AdminContext, realm: string): Promise<ClientView[]> {
  await requireRealm(ctx.table, realm);
  return (await ctx.table.listClients(realm)).map(clientView);
}

export async function showClient(ctx: AdminContext, realm: string, clientId: string): Promise<ClientView> {
  await requireRealm(ctx.table, realm);
  return clientView(await requireClient(ctx.table, realm, clientId));
}

/** Takes effect on the next request: a grant reads its client on every request. */
export async function setClientEnabled(ctx: AdminContext, realm: string, clientId: string, enabled: boolean): Promise<ClientView> {
  await requireRealm(ctx.table, realm);
  const client = { ...(await requireClient(ctx.table, realm, clientId)), enabled };
  await saveClient(ctx.table, client);
  return clientView(client);
}

/**
 * Deletes the client, its roles, and every mapping of its roles held by other clients, client
 * scopes and composite roles, as Keycloak does when a client is removed.
 */
export async function deleteClient(ctx: AdminContext, realm: string, clientId: string): Promise<{ rolesDeleted: number; referencesRemoved: number }> {
  await requireRealm(ctx.table, realm);
  await ctx.table.deleteClient(await requireClient(ctx.table, realm, clientId));
  // Its roles are deleted by the same rewrite that removes every mapping of them.
  const { rewritten, deleted } = await ctx.table.rewriteRoleReferences(realm, (role) => (role.client === clientId ? undefined : role));
  return { rolesDeleted: deleted, referencesRemoved: rewritten };
}

/**
 * A new secret for the client. With a grace period the previous one keeps working until it ends
 * (Keycloak's client policy `secret-rotation` does the same); without one it stops at once.
 */
export async function rotateSecret(ctx: AdminContext, realm: string, clientId: string, graceSeconds = 0): Promise<IssuedSecret> {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new AdminError('the grace period is a whole number of seconds, 0 or more');
  await requireRealm(ctx.table, realm);
  const client = await requireClient(ctx.table, realm, clientId);
  if (!usesSecret(client)) throw new AdminError(`client '${clientId}' does not authenticate with a secret`);
  const {
    secretHash: previousHash,
    secretCiphertext: previousCiphertext,
    rotatedSecretHash: _hash,
    rotatedSecretCiphertext: _ciphertext,
    rotatedSecretExpiresAt: _expires,
    ...rest
  } = client;
  const secret = generateSecret();
  const expiresAt = ctx.now() + graceSeconds;
  const keepPrevious = graceSeconds > 0 && previousHash !== undefined;
  await saveClient(ctx.table, {
    ...rest,
    ...(await secretFields(ctx, client, secret)),
    ...(keepPrevious ? { rotatedSecretHash: previousHash, rotatedSecretExpiresAt: expiresAt } : {}),
    ...(keepPrevious && previousCiphertext !== undefined ? { rotatedSecretCiphertext: previousCiphertext } : {}),
  });
  return { clientId, secret, ...(keepPrevious ? { previousSecretExpiresAt: expiresAt } : {}) };
}

/** The client without its secret material (and without the table's `kind`), fields in a fixed order. */
export function clientView(client: ClientRecord): ClientView {
  const c = client;
  return {
    realm: c.realm,
    clientId: c.clientId,
    id: c.id,
    enabled: c.enabled,
    publicClient: c.publicClient,
    bearerOnly: c.bearerOnly,
    serviceAccountsEnabled: c.serviceAccountsEnabled,
    fullScopeAllowed: c.fullScopeAllowed,
    clientAuthenticatorType: c.clientAuthenticatorType,
    hasSecret: c.secretHash !== undefined,
    ...(c.rotatedSecretExpiresAt === undefined ? {} : { rotatedSecretExpiresAt: c.rotatedSecretExpiresAt }),
    defaultClientScopes: c.defaultClientScopes,
    optionalClientScopes: c.optionalClientScopes,
    attributes: c.attributes,
    notBefore: c.notBefore,
    ...(c.serviceAccount === undefined ? {} : { serviceAccount: c.serviceAccount }),
    scopeMappings: c.scopeMappings,
    ...(c.protocolMappers === undefined ? {} : { protocolMappers: c.protocolMappers }),
    ...(c.extra === undefined ? {} : { extra: c.extra }),
  };
}

/**
 * The stored forms of a secret: its hash (SHA-256 for a generated one; for a chosen one, which may
 * be weak, an HMAC keyed with the realm's pepper as imports hash them, lib/clientAuth/secretPepper.ts), its copy encrypted under the stage's secrets key, and the attribute
 * recording when it was made.
 */
async function secretFields(ctx: AdminContext, client: ClientRecord, secret: string, chosen = false): Promise<Partial<ClientRecord>> {
  const [secretHash, secretCiphertext] = await Promise.all([
    chosen ? pepperedHasher(ctx.kms, ctx.table, ctx.names.secretsKeyId, client.realm)(client.clientId, secret) : hashGeneratedSecret(secret),
    encryptClientSecret(ctx.kms, ctx.names.secretsKeyId, client.realm, client.clientId, secret),
  ]);
  return { secretHash, secretCiphertext, attributes: { ...client.attributes, [SECRET_CREATION_TIME]: String(ctx.now()) } };
}

function withoutSecrets(client: ClientRecord): ClientRecord {
  const { secretHash: _a, secretCiphertext: _b, rotatedSecretHash: _c, rotatedSecretCiphertext: _d, rotatedSecretExpiresAt: _e, ...rest } = client;
  return rest;
}

/**
 * A `federated-jwt` client names its external identity: the IdP alias and the subject (Keycloak's
 * admin console marks both required, PR #43890); claim conditions, when given, must parse.
 */
function checkFederatedAttributes(auth: ClientAuthenticatorType, attributes: Record<string, string>): void {
  const conditions = attributes[CREDENTIAL_CLAIMS_ATTRIBUTE];
  if (conditions !== undefined) {
    const problem = claimConditionsProblem(conditions);
    if (problem) throw new AdminError(`attribute ${CREDENTIAL_CLAIMS_ATTRIBUTE} ${problem}`);
  }
  if (auth !== 'federated-jwt') return;
  for (const name of [CREDENTIAL_ISSUER_ATTRIBUTE, CREDENTIAL_SUB_ATTRIBUTE]) {
    if (!attributes[name]) throw new AdminError(`a federated-jwt client needs the attribute ${name}`);
  }
}

/** The fields whose value is not undefined. */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `jwks.string` is a JWKS of public keys (Keycloak's JWKSUtils reads it): anything holding a private key is refused. */
function checkPublicJwks(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AdminError('jwks.string is not JSON');
  }
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const keys = isObject(parsed) && Array.isArray(parsed.keys) ? parsed.keys : undefined;
  if (!keys || keys.length === 0) throw new AdminError('jwks.string: expected a JWKS ({"keys": [...]})');
  keys.forEach((key, i) => {
    if (!isObject(key) || typeof key.kty !== 'string') throw new AdminError(`jwks.string: keys[${i}] is not a JWK (no kty)`);
    const secret = PRIVATE_JWK_MEMBERS.filter((member) => member in key);
    if (secret.length > 0) throw new AdminError(`jwks.string: keys[${i}] holds private key material (${secret.join(', ')}): give the public key only`);
  });
}
