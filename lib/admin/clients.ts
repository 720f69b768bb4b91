import { randomUUID } from 'node:crypto';
import { authenticatorUsesSecret } from '../model/clientAuthenticator.js';
import { CREDENTIAL_CLAIMS_ATTRIBUTE, CREDENTIAL_ISSUER_ATTRIBUTE, CREDENTIAL_SUB_ATTRIBUTE } from '../model/identityProvider.js';
import { claimConditionsProblem } from '../clientAuth/claimConditions.js';
import { decryptClientSecret, encryptClientSecret } from '../clientAuth/secretCipher.js';
import { jwksUrlProblem } from '../clientAuth/jwksUrl.js';
import { generateSecret, hashGeneratedSecret } from '../clientAuth/secretHash.js';
import { pepperedHasher } from '../clientAuth/secretPepper.js';
import { usesSecret } from '../model/clientAuthenticator.js';
import {
  emptyRoleMappings,
  type ClientAuthenticatorType,
  type ClientRecord,
  type ProtocolMapper,
  type RealmSettings,
  type RoleMappings,
  type ServiceAccountUser,
} from '../store/model.js';
import type { AdminContext } from './context.js';
import { AdminError, refuseForbiddenKeys } from './errors.js';
import { isForbiddenKey } from '../model/userKeys.js';
import { clientScopeId, roleId } from './ids.js';
import { saveClient } from './itemLimit.js';
import { requireClient, requireRealm } from './lookup.js';
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

export interface NewClientOptions {
  serviceAccounts?: boolean;
  /** Keycloak's default for a new client is true. */
  fullScopeAllowed?: boolean;
  /** Keycloak attribute `client_credentials.use_refresh_token` (off by default since Keycloak 12). */
  refreshTokens?: boolean;
  auth?: ClientAuthenticatorType;
  /** client-jwt: the client's public keys, as the text of a JWKS (or of one JWK). */
  jwks?: string;
  /** client-jwt: where the client publishes its JWKS. */
  jwksUrl?: string;
  /** Keycloak's internal id; a new UUID when absent. */
  id?: string;
  /** A chosen secret instead of a generated one (hashed with the realm's pepper: it may be weak). */
  secret?: string;
  enabled?: boolean;
  publicClient?: boolean;
  bearerOnly?: boolean;
  /** Client attributes as sent (all values strings); the jwks and refresh-token options add theirs. */
  attributes?: Record<string, string>;
  /** Scope names; the realm's default and optional client scopes when absent. */
  defaultClientScopes?: string[];
  optionalClientScopes?: string[];
  notBefore?: number;
  protocolMappers?: ProtocolMapper[];
  /** Representation fields this service does not use, kept as sent. */
  extra?: Record<string, unknown>;
  /** The new service account's roles instead of the realm's default role (the bootstrap gives master's `admin`). */
  serviceAccountRoles?: RoleMappings;
}

/** What `updateClient` may change; absent fields stay as they are (Keycloak's partial PUT). */
export interface ClientChanges {
  /** A new clientId: the client, its roles and every mapping of them are renamed. */
  clientId?: string;
  enabled?: boolean;
  publicClient?: boolean;
  bearerOnly?: boolean;
  /** true creates the service account (with the realm's default role), false removes it. */
  serviceAccountsEnabled?: boolean;
  fullScopeAllowed?: boolean;
  clientAuthenticatorType?: ClientAuthenticatorType;
  /** Replaces every attribute (Keycloak replaces the map). */
  attributes?: Record<string, string>;
  defaultClientScopes?: string[];
  optionalClientScopes?: string[];
  notBefore?: number;
  protocolMappers?: ProtocolMapper[];
  /** Merged into the stored extras: a field not sent stays as it was. */
  extra?: Record<string, unknown>;
  /** Sets this secret; the previous one stops at once. */
  secret?: string;
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
  options: NewClientOptions = {},
): Promise<{ client: ClientView; secret?: string }> {
  const settings = await requireRealm(ctx.table, realm);
  checkClientId(clientId);
  refuseForbiddenKeys(options);
  if (await ctx.table.getClient(realm, clientId)) throw new AdminError(`client '${clientId}' already exists in realm '${realm}'`, 'conflict');
  // Keycloak's ids are unique in a realm: a client taking another object's id (realm-management's)
  // would be found, listed and changed in its place.
  if (options.id !== undefined && (await idInUse(ctx, realm, options.id))) throw new AdminError(`id '${options.id}' is already used in realm '${realm}'`, 'conflict');
  const auth = options.auth ?? 'client-secret';
  const attributes: Record<string, string> = checkAttributes(ctx, { ...options.attributes, ...jwksAttributes(ctx, auth, options) });
  checkFederatedAttributes(auth, attributes);
  if (options.refreshTokens) attributes['client_credentials.use_refresh_token'] = 'true';
  const publicClient = options.publicClient ?? false;
  if (publicClient && options.serviceAccounts) throw new AdminError('a public client cannot have service accounts');

  const record: ClientRecord = {
    realm,
    clientId,
    id: options.id ?? randomUUID(),
    enabled: options.enabled ?? true,
    publicClient,
    bearerOnly: options.bearerOnly ?? false,
    serviceAccountsEnabled: options.serviceAccounts ?? false,
    fullScopeAllowed: options.fullScopeAllowed ?? true,
    clientAuthenticatorType: auth,
    // Keycloak's service-account scope (or its note mappers) unless the caller chose the default scopes.
    ...(options.defaultClientScopes
      ? { defaultClientScopes: [...options.defaultClientScopes] }
      : await serviceAccountClaims(ctx, realm, settings.defaultDefaultClientScopes, options.serviceAccounts ?? false)),
    optionalClientScopes: [...(options.optionalClientScopes ?? settings.defaultOptionalClientScopes)],
    attributes,
    notBefore: options.notBefore ?? 0,
    scopeMappings: emptyRoleMappings(),
    // Checked as a mapper added later is (lib/admin/protocolMappers.ts).
    ...(options.protocolMappers ? { protocolMappers: newProtocolMappers({ client: clientId }, [], options.protocolMappers) } : {}),
    ...(options.extra && Object.keys(options.extra).length > 0 ? { extra: options.extra } : {}),
    ...(options.serviceAccounts ? { serviceAccount: newServiceAccount(settings, clientId, options.serviceAccountRoles, ctx.now()) } : {}),
  };
  if (!usesSecret(record)) {
    await saveClient(ctx.table, record);
    return { client: clientView(record) };
  }
  const secret = options.secret ?? generateSecret();
  const withSecret = { ...record, ...(await secretFields(ctx, record, secret, options.secret !== undefined)) };
  await saveClient(ctx.table, withSecret);
  return { client: clientView(withSecret), secret };
}

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
 * Attributes as an Admin API caller or an import may set them: `jwks.url` passes the one rule
 * sa-admin's `--jwks-url` passes (lib/clientAuth/jwksUrl.ts), whoever writes it.
 */
function checkAttributes(ctx: AdminContext, attributes: Record<string, string>): Record<string, string> {
  const url = attributes['jwks.url'];
  if (url !== undefined && url !== '') {
    const problem = jwksUrlProblem(url, { allowLoopbackHttp: ctx.localStage === true });
    if (problem !== undefined) throw new AdminError(`jwks.url '${url}' ${problem}`);
  }
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

/** The client with Keycloak's internal id (the Admin REST API's `{id}`). */
export async function findClientById(ctx: AdminContext, realm: string, id: string): Promise<ClientRecord | undefined> {
  return ctx.table.findClientById(realm, id);
}

/**
 * Changes a client as Keycloak's partial PUT does. A new clientId renames the client and every
 * reference to it (its roles, and their mappings, composites and scope mappings elsewhere), and
 * re-encrypts its secret under the new encryption context.
 */
export async function updateClient(ctx: AdminContext, realm: string, clientId: string, changes: ClientChanges): Promise<ClientView> {
  const settings = await requireRealm(ctx.table, realm);
  const stored = await requireClient(ctx.table, realm, clientId);
  refuseForbiddenKeys(changes);
  const newId = changes.clientId ?? clientId;
  if (newId !== clientId) {
    checkClientId(newId);
    if (await ctx.table.getClient(realm, newId)) throw new AdminError(`client '${newId}' already exists in realm '${realm}'`, 'conflict');
  }
  let next: ClientRecord = {
    ...stored,
    clientId: newId,
    ...defined({
      enabled: changes.enabled,
      publicClient: changes.publicClient,
      bearerOnly: changes.bearerOnly,
      fullScopeAllowed: changes.fullScopeAllowed,
      clientAuthenticatorType: changes.clientAuthenticatorType,
      attributes: changes.attributes && checkAttributes(ctx, changes.attributes),
      defaultClientScopes: changes.defaultClientScopes,
      optionalClientScopes: changes.optionalClientScopes,
      notBefore: changes.notBefore,
      protocolMappers: changes.protocolMappers && newProtocolMappers({ client: newId }, [], changes.protocolMappers),
    }),
    ...(changes.extra ? { extra: { ...stored.extra, ...changes.extra } } : {}),
  };
  const serviceAccounts = changes.serviceAccountsEnabled ?? stored.serviceAccountsEnabled;
  if (next.publicClient && serviceAccounts) throw new AdminError('a public client cannot have service accounts');
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
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new AdminError('--grace is a whole number of seconds, 0 or more');
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

/**
 * Keycloak's attributes for where a client-jwt client's keys are: a stored JWKS
 * (`use.jwks.string`, `jwks.string`) or a URL (`use.jwks.url`, `jwks.url`).
 */
function jwksAttributes(ctx: AdminContext, auth: ClientAuthenticatorType, options: NewClientOptions): Record<string, string> {
  const given = options.jwks !== undefined || options.jwksUrl !== undefined;
  if (auth !== 'client-jwt') {
    if (given) throw new AdminError('--jwks and --jwks-url are for --auth client-jwt');
    return {};
  }
  if (options.jwks !== undefined && options.jwksUrl !== undefined) throw new AdminError('give --jwks or --jwks-url, not both');
  if (options.jwksUrl !== undefined) {
    const problem = jwksUrlProblem(options.jwksUrl, { allowLoopbackHttp: ctx.localStage === true });
    if (problem !== undefined) throw new AdminError(`--jwks-url '${options.jwksUrl}' ${problem}`);
    return { 'use.jwks.url': 'true', 'jwks.url': new URL(options.jwksUrl).href };
  }
  if (options.jwks !== undefined) return { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify(publicJwks(options.jwks)) };
  // The Admin API sends Keycloak's attributes themselves (checkAttributes checks the URL).
  if (options.attributes?.['jwks.url'] || options.attributes?.['jwks.string']) return {};
  throw new AdminError('a client-jwt client needs its public keys: --jwks FILE or --jwks-url URL');
}

/** The JWKS from the text of a JWKS or of one JWK, refusing anything that holds a private key. */
function publicJwks(text: string): { keys: Record<string, unknown>[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AdminError('--jwks: the file is not JSON');
  }
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const keys = isObject(parsed) && Array.isArray(parsed.keys) ? parsed.keys : isObject(parsed) && 'kty' in parsed ? [parsed] : undefined;
  if (!keys || keys.length === 0) throw new AdminError('--jwks: expected a JWKS ({"keys": [...]}) or a JWK');
  keys.forEach((key, i) => {
    if (!isObject(key) || typeof key.kty !== 'string') throw new AdminError(`--jwks: keys[${i}] is not a JWK (no kty)`);
    const secret = PRIVATE_JWK_MEMBERS.filter((member) => member in key);
    if (secret.length > 0) throw new AdminError(`--jwks: keys[${i}] holds private key material (${secret.join(', ')}): give the public key only`);
  });
  return { keys: keys as Record<string, unknown>[] };
}
