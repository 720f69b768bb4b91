/**
 * The second step of a realm import, once the file is valid: keeps or generates the secrets of
 * clients that have none in the file, hashes (and for client-secret-jwt encrypts) every secret,
 * attaches scope mappings and service accounts, and lays the realm out as the table's items.
 */
import { generateSecret, hashChosenSecret, hashGeneratedSecret } from '../clientAuth/secretHash.js';
import type { ClientsTable, ClientsTableItem } from '../store/clientsTable.js';
import { emptyRoleMappings, type ClientRecord, type Group, type RealmSettings, type Role, type RoleMappings } from '../model/stored.js';
import { isObject } from './realmImportReader.js';
import { authenticatorUsesSecret, isClientAuthenticatorType } from '../model/clientAuthenticator.js';
import type { IdentityProvider } from '../model/identityProvider.js';
import { resolveServiceAccounts, type ClientDraft, type ServiceAccount, type ServiceAccountUsers } from './realmImportClients.js';
import { unknownTypesNote } from './realmImportMappers.js';
import {
  listed,
  MASKED_SECRET,
  plural,
  reportSkipped,
  type ClientEntry,
  type ClientScopeDraft,
  type Context,
  type ScopeMappingIndex,
  type StoredIds,
  type StoredSecret,
} from './realmImportValidate.js';

export interface ParsedRealm {
  realm: string;
  /** Roles, client scopes, clients, then the realm settings; never signing keys. */
  items: ClientsTableItem[];
  /** What the file holds that this service does not use, one line per kind. */
  skipped: string[];
  /** What the importer decided for the operator to know (defaults filled in, references ignored). */
  notes: string[];
  counts: { clients: number; roles: number; clientScopes: number; serviceAccounts: number; groups: number; protocolMappers: number; identityProviders: number };
  /** Clients without a secret in the file that keep the one stored in the target realm. */
  keptSecrets: string[];
  /** Generated secrets (`generateSecrets`), in clear: to be shown once and never stored as such. */
  newSecrets: { clientId: string; secret: string }[];
}

/**
 * Secrets in flight at once: each may be a kms:Encrypt (client-secret-jwt) and, for a tool without
 * KMS, a legacy scrypt hash on libuv's thread pool (4 threads); 8 keep both busy without queueing
 * every secret of a large realm at once.
 */
const SECRET_HASH_CONCURRENCY = 8;

/** What the first step read from a valid file (realmImportValidate.ts, realmImportClients.ts). */
export interface ValidatedRealm {
  ctx: Context;
  json: Record<string, unknown>;
  clientEntries: ClientEntry[];
  defaultRole: string;
  roles: Role[];
  scopes: ClientScopeDraft[];
  scopeMappings: ScopeMappingIndex;
  groups: Group[];
  identityProviders: IdentityProvider[];
  settings: RealmSettings;
  clients: { drafts: ClientDraft[]; otherProtocols: Map<string, number> };
  users: ServiceAccountUsers;
}

/**
 * The secret fields the target holds for the given clients, by clientId. A few are read one by
 * one; many (an export of this service has no secret for any client) with one Query of all clients.
 */
export async function storedSecretsOf(table: ClientsTable, realm: string, clientIds: string[]): Promise<Map<string, StoredSecret>> {
  const secrets = new Map<string, StoredSecret>();
  for (const client of await storedClientsOf(table, realm, clientIds)) {
    if (client.secretHash === undefined) continue;
    const { secretHash, rotatedSecretHash, rotatedSecretExpiresAt, secretCiphertext, rotatedSecretCiphertext } = client;
    secrets.set(client.clientId, definedFields({ secretHash, rotatedSecretHash, rotatedSecretExpiresAt, secretCiphertext, rotatedSecretCiphertext }));
  }
  return secrets;
}

/** The internal ids the target holds for the given clients and their service-account users, by clientId. */
export async function storedIdsOf(table: ClientsTable, realm: string, clientIds: string[]): Promise<Map<string, StoredIds>> {
  const ids = new Map<string, StoredIds>();
  for (const client of await storedClientsOf(table, realm, clientIds)) {
    ids.set(client.clientId, { id: client.id, ...(client.serviceAccount ? { userId: client.serviceAccount.id } : {}) });
  }
  return ids;
}

/** The stored clients among these clientIds: a few read one by one, many with one Query of all clients. */
async function storedClientsOf(table: ClientsTable, realm: string, clientIds: string[]): Promise<ClientRecord[]> {
  if (clientIds.length === 0) return [];
  const wanted = new Set(clientIds);
  return clientIds.length <= 50
    ? (await Promise.all(clientIds.map((clientId) => table.getClient(realm, clientId)))).filter((client) => client !== undefined)
    : (await table.listClients(realm)).filter((client) => wanted.has(client.clientId));
}

/**
 * clientIds of the file's clients without an `id`, or with service accounts and no user of their
 * own with an `id`. Read loosely, before validation: parseRealmExport has the last word.
 */
export function clientsWithoutIds(json: unknown): string[] {
  const clients = isObject(json) && Array.isArray(json.clients) ? json.clients : [];
  const users = isObject(json) && Array.isArray(json.users) ? json.users : [];
  const withUserId = new Set(users.flatMap((user) => (isObject(user) && typeof user.serviceAccountClientId === 'string' && typeof user.id === 'string' ? [user.serviceAccountClientId] : [])));
  return clients.flatMap((client) => {
    if (!isObject(client) || typeof client.clientId !== 'string') return [];
    const needsUserId = client.serviceAccountsEnabled === true && !withUserId.has(client.clientId);
    return typeof client.id !== 'string' || needsUserId ? [client.clientId] : [];
  });
}

/**
 * clientIds of the file's clients that would use a secret (as usesSecret decides) but have none
 * (absent, empty or masked). Read loosely, before validation: parseRealmExport has the last word.
 */
export function clientsWithoutSecret(json: unknown): string[] {
  const clients = isObject(json) && Array.isArray(json.clients) ? json.clients : [];
  return clients.flatMap((client) => {
    if (!isObject(client) || typeof client.clientId !== 'string') return [];
    if (client.publicClient === true || client.bearerOnly === true) return [];
    if (typeof client.clientAuthenticatorType === 'string' && isClientAuthenticatorType(client.clientAuthenticatorType) && !authenticatorUsesSecret(client.clientAuthenticatorType)) return [];
    return [undefined, null, '', MASKED_SECRET].includes(client.secret as string) ? [client.clientId] : [];
  });
}

/** A valid file's realm as the table's items, its secrets hashed (and encrypted where HMAC needs them). */
export async function prepareRealm(validated: ValidatedRealm): Promise<ParsedRealm> {
  const { ctx, json, clientEntries, defaultRole, roles, scopes, scopeMappings, groups, identityProviders, settings, clients, users } = validated;
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
    ...identityProviders.map((idp): ClientsTableItem => ({ kind: 'identityProvider', ...idp })),
    ...clientRecords.map((client): ClientsTableItem => ({ kind: 'client', ...client })),
    // Last: loadRealm treats a realm without settings as nonexistent, so on a first import the
    // realm only becomes visible once everything its settings refer to is written.
    { kind: 'settings', ...settings },
  ];
  return {
    realm: ctx.realm,
    items,
    skipped: reportSkipped(json, clientEntries, clients.otherProtocols, users.people),
    notes: ctx.notes,
    counts: {
      clients: clientRecords.length,
      roles: roles.length,
      clientScopes: scopes.length,
      serviceAccounts: serviceAccounts.size,
      groups: groups.length,
      identityProviders: identityProviders.length,
      protocolMappers: ctx.mappers.count,
    },
    keptSecrets: clients.drafts.filter((draft) => draft.stored !== undefined).map((draft) => draft.record.clientId),
    newSecrets,
  };
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
  const unencrypted = drafts.filter((d) => d.record.clientAuthenticatorType === 'client-secret-jwt' && d.secret !== undefined);
  if (unencrypted.length > 0 && ctx.options.encryptSecret === undefined && ctx.options.hashSecrets !== false) {
    ctx.notes.push(`no KMS key to encrypt client-secret-jwt secrets: ${listed(unencrypted.map((d) => d.record.clientId))} cannot authenticate with client_secret_jwt`);
  }
  return newSecrets;
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
    secret !== undefined && draft.record.clientAuthenticatorType === 'client-secret-jwt' ? encryptSecret?.(draft.record.clientId, secret) : undefined;
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

