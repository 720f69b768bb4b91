import { randomUUID } from 'node:crypto';
import type { ClientRecord, ProtocolMapper, ServiceAccountUser } from '../model/stored.js';
import { builtInClientScopes, SERVICE_ACCOUNT_SCOPE } from '../tokens/builtInScopes.js';
import { saveClient } from './itemLimit.js';
import type { AdminContext } from './context.js';
import { AdminError, refuseForbiddenKeys } from './errors.js';
import { requireClient, requireRealm } from './lookup.js';

/**
 * A client's service-account user beyond its roles (lib/admin/mappings.ts): attributes, email and
 * names, which protocol mappers put in tokens. Keycloak lets a service account hold attributes the
 * user profile does not declare (org.keycloak.userprofile.ServiceAccountAttributes), so any name goes.
 */

/** Clients with a service account, in username order: one read of the realm's clients. */
export async function listServiceAccountClients(ctx: AdminContext, realm: string): Promise<ClientRecord[]> {
  return (await ctx.table.listClients(realm))
    .filter((client) => client.serviceAccountsEnabled && client.serviceAccount !== undefined)
    .sort((a, b) => a.serviceAccount!.username.localeCompare(b.serviceAccount!.username));
}

/** The client holding the enabled service account with this user id, or undefined. */
export async function findServiceAccountClient(ctx: AdminContext, realm: string, userId: string): Promise<ClientRecord | undefined> {
  const client = await ctx.table.findClientByServiceAccountId(realm, userId);
  return client?.serviceAccountsEnabled && client.serviceAccount ? client : undefined;
}

export async function getServiceAccount(ctx: AdminContext, realm: string, clientId: string): Promise<ServiceAccountUser> {
  return (await serviceAccountClient(ctx, realm, clientId)).serviceAccount!;
}

/** Sets one attribute to these values; an empty list removes it. */
export async function setServiceAccountAttribute(ctx: AdminContext, realm: string, clientId: string, name: string, values: string[]): Promise<ServiceAccountUser> {
  if (name === '' || /[\u0000-\u001f]/.test(name)) throw new AdminError('an attribute name must not be empty or hold control characters');
  refuseForbiddenKeys({ attributes: { [name]: values } });
  const client = await serviceAccountClient(ctx, realm, clientId);
  const attributes = { ...(client.serviceAccount!.attributes ?? {}) };
  if (values.length === 0) delete attributes[name];
  else attributes[name] = [...values];
  return save(ctx, client, { ...client.serviceAccount!, attributes });
}

export interface ServiceAccountProfile {
  email?: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
}

/** Sets email, names or emailVerified; an empty string clears a field. */
export async function updateServiceAccountProfile(ctx: AdminContext, realm: string, clientId: string, profile: ServiceAccountProfile): Promise<ServiceAccountUser> {
  const client = await serviceAccountClient(ctx, realm, clientId);
  const account: ServiceAccountUser = { ...client.serviceAccount! };
  for (const key of ['email', 'firstName', 'lastName'] as const) {
    const value = profile[key];
    if (value === undefined) continue;
    if (value === '') delete account[key];
    else account[key] = value;
  }
  if (profile.emailVerified !== undefined) account.emailVerified = profile.emailVerified;
  return save(ctx, client, account);
}

async function serviceAccountClient(ctx: AdminContext, realm: string, clientId: string): Promise<ClientRecord> {
  await requireRealm(ctx.table, realm);
  const client = await requireClient(ctx.table, realm, clientId);
  if (!client.serviceAccountsEnabled || !client.serviceAccount) throw new AdminError(`client '${clientId}' has no service account`);
  return client;
}

async function save(ctx: AdminContext, client: ClientRecord, account: ServiceAccountUser): Promise<ServiceAccountUser> {
  await saveClient(ctx.table, { ...client, serviceAccount: account });
  return account;
}

/**
 * What a new client with service accounts gets for the `client_id`, `clientHost` and
 * `clientAddress` claims (ClientManager.enableServiceAccount): in a realm with the
 * `service_account` scope (Keycloak 26.1+), that scope as a default scope; in an older realm, the
 * three note mappers as the client's own, as Keycloak 26.0 and earlier did.
 */
export async function serviceAccountClaims(
  ctx: AdminContext,
  realm: string,
  defaults: string[],
  serviceAccounts: boolean,
): Promise<{ defaultClientScopes: string[]; protocolMappers?: ProtocolMapper[] }> {
  if (!serviceAccounts || defaults.includes(SERVICE_ACCOUNT_SCOPE)) return { defaultClientScopes: [...defaults] };
  if (await ctx.table.getClientScope(realm, SERVICE_ACCOUNT_SCOPE)) return { defaultClientScopes: [...defaults, SERVICE_ACCOUNT_SCOPE] };
  const notes = builtInClientScopes().find((s) => s.name === SERVICE_ACCOUNT_SCOPE)!.protocolMappers!;
  return { defaultClientScopes: [...defaults], protocolMappers: notes.map((mapper) => ({ ...mapper, id: randomUUID() })) };
}
