import { randomUUID } from 'node:crypto';
import { encryptClientSecret } from '../clientAuth/secretCipher.js';
import { generateSecret, hashGeneratedSecret } from '../clientAuth/secretHash.js';
import { sk } from '../store/clientsTable.js';
import { emptyRoleMappings, type ClientAuthenticatorType, type ClientRecord } from '../store/model.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { requireClient, requireRealm } from './lookup.js';
import { removeRoleReferences } from './roles.js';

/**
 * Clients: registration with Keycloak's defaults, listing, enabling, deleting, and secret
 * rotation. A secret is generated here (256 bits from the CSPRNG), returned once to be shown to
 * the operator, and stored only as a SHA-256 hash (plus, for client-secret-jwt, encrypted under the
 * stage's secrets key). Nothing here ever returns a stored hash or ciphertext.
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
}

/** A client as shown to an operator: everything but the secret material. */
export type ClientView = Omit<ClientRecord, 'secretHash' | 'rotatedSecretHash' | 'secretCiphertext' | 'rotatedSecretCiphertext'> & {
  hasSecret: boolean;
};

export interface IssuedSecret {
  clientId: string;
  /** Shown once; only its hash is stored. */
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
  if (clientId === '' || clientId.length > 255 || /[\u0000-\u001f]/.test(clientId)) {
    throw new AdminError('a client id is 1 to 255 characters without control characters');
  }
  if (await ctx.table.getClient(realm, clientId)) throw new AdminError(`client '${clientId}' already exists in realm '${realm}'`, 'conflict');
  const auth = options.auth ?? 'client-secret';
  const attributes: Record<string, string> = { ...jwksAttributes(auth, options) };
  if (options.refreshTokens) attributes['client_credentials.use_refresh_token'] = 'true';

  const record: ClientRecord = {
    realm,
    clientId,
    id: randomUUID(),
    enabled: true,
    publicClient: false,
    bearerOnly: false,
    serviceAccountsEnabled: options.serviceAccounts ?? false,
    fullScopeAllowed: options.fullScopeAllowed ?? true,
    clientAuthenticatorType: auth,
    defaultClientScopes: [...settings.defaultDefaultClientScopes],
    optionalClientScopes: [...settings.defaultOptionalClientScopes],
    attributes,
    notBefore: 0,
    scopeMappings: emptyRoleMappings(),
    // Keycloak gives a new service account the realm's default role, and keeps usernames in lower case.
    ...(options.serviceAccounts
      ? { serviceAccount: { id: randomUUID(), username: `service-account-${clientId.toLowerCase()}`, roles: { realm: [settings.defaultRole], client: {} } } }
      : {}),
  };
  if (auth === 'client-jwt') {
    await ctx.table.putClient(record);
    return { client: clientView(record) };
  }
  const secret = generateSecret();
  const withSecret = { ...record, ...(await secretFields(ctx, record, secret)) };
  await ctx.table.putClient(withSecret);
  return { client: clientView(withSecret), secret };
}

export async function listClients(ctx: AdminContext, realm: string): Promise<ClientView[]> {
  await requireRealm(ctx.table, realm);
  return (await ctx.table.listRealmItems(realm, 'CLIENT#')).flatMap((item) => {
    if (item.kind !== 'client') return [];
    const { kind: _kind, ...client } = item;
    return [clientView(client)];
  });
}

export async function showClient(ctx: AdminContext, realm: string, clientId: string): Promise<ClientView> {
  await requireRealm(ctx.table, realm);
  return clientView(await requireClient(ctx.table, realm, clientId));
}

/** Takes effect on the next request: a grant reads its client on every request. */
export async function setClientEnabled(ctx: AdminContext, realm: string, clientId: string, enabled: boolean): Promise<ClientView> {
  await requireRealm(ctx.table, realm);
  const client = { ...(await requireClient(ctx.table, realm, clientId)), enabled };
  await ctx.table.putClient(client);
  return clientView(client);
}

/**
 * Deletes the client, its roles, and every mapping of its roles held by other clients, client
 * scopes and composite roles, as Keycloak does when a client is removed.
 */
export async function deleteClient(ctx: AdminContext, realm: string, clientId: string): Promise<{ rolesDeleted: number; referencesRemoved: number }> {
  await requireRealm(ctx.table, realm);
  await requireClient(ctx.table, realm, clientId);
  await ctx.table.deleteItem(realm, sk.client(clientId));
  const roles = [...(await ctx.table.listRealmItems(realm, 'META#ROLE#')), ...(await ctx.table.listRealmItems(realm, 'ROLE#'))].filter(
    (item) => item.kind === 'role' && item.client === clientId,
  );
  for (const role of roles) {
    if (role.kind !== 'role') continue;
    await ctx.table.deleteItem(realm, role.composite ? sk.compositeRole(role) : sk.plainRole(role));
  }
  const referencesRemoved = await removeRoleReferences(ctx, realm, (role) => role.client === clientId);
  return { rolesDeleted: roles.length, referencesRemoved };
}

/**
 * A new secret for the client. With a grace period the previous one keeps working until it ends
 * (Keycloak's client policy `secret-rotation` does the same); without one it stops at once.
 */
export async function rotateSecret(ctx: AdminContext, realm: string, clientId: string, graceSeconds = 0): Promise<IssuedSecret> {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) throw new AdminError('--grace is a whole number of seconds, 0 or more');
  await requireRealm(ctx.table, realm);
  const client = await requireClient(ctx.table, realm, clientId);
  if (client.publicClient || client.bearerOnly || client.clientAuthenticatorType === 'client-jwt') {
    throw new AdminError(`client '${clientId}' does not authenticate with a secret`);
  }
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
  await ctx.table.putClient({
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
  };
}

/** The stored forms of a generated secret, and the attribute recording when it was made. */
async function secretFields(ctx: AdminContext, client: ClientRecord, secret: string): Promise<Partial<ClientRecord>> {
  return {
    secretHash: hashGeneratedSecret(secret),
    ...(client.clientAuthenticatorType === 'client-secret-jwt'
      ? { secretCiphertext: await encryptClientSecret(ctx.kms, ctx.names.secretsKeyId, client.realm, client.clientId, secret) }
      : {}),
    attributes: { ...client.attributes, [SECRET_CREATION_TIME]: String(ctx.now()) },
  };
}

/**
 * Keycloak's attributes for where a client-jwt client's keys are: a stored JWKS
 * (`use.jwks.string`, `jwks.string`) or a URL (`use.jwks.url`, `jwks.url`).
 */
function jwksAttributes(auth: ClientAuthenticatorType, options: NewClientOptions): Record<string, string> {
  const given = options.jwks !== undefined || options.jwksUrl !== undefined;
  if (auth !== 'client-jwt') {
    if (given) throw new AdminError('--jwks and --jwks-url are for --auth client-jwt');
    return {};
  }
  if (options.jwks !== undefined && options.jwksUrl !== undefined) throw new AdminError('give --jwks or --jwks-url, not both');
  if (options.jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.jwksUrl);
    } catch {
      throw new AdminError(`--jwks-url '${options.jwksUrl}' is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AdminError('--jwks-url must be an http(s) URL');
    return { 'use.jwks.url': 'true', 'jwks.url': url.href };
  }
  if (options.jwks !== undefined) return { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify(publicJwks(options.jwks)) };
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
