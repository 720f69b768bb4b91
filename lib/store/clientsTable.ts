import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  BatchWriteCommand,
  PutCommand,
  DeleteCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { CREDENTIAL_ISSUER_ATTRIBUTE, CREDENTIAL_SUB_ATTRIBUTE, type IdentityProvider } from '../model/identityProvider.js';
import type {
  ClientRecord,
  FederatedLink,
  ClientScope,
  CompositeRole,
  Group,
  RealmData,
  RealmSettings,
  RefreshKeyRecord,
  Role,
  SigningKeyRecord,
} from './model.js';

/**
 * The clients table: one partition per realm (`pk = REALM#<realm>`).
 *
 * Sort keys are chosen so that everything realm-wide a grant needs is one Query on the `META#`
 * prefix (settings, composite roles, client scopes with their protocol mappers, groups, keys), while per-client data is one GetItem.
 * Plain (non-composite) roles live under `ROLE#`: a token can name them without reading them, so
 * they stay off the hot path even in realms with tens of thousands of clients.
 */
export const sk = {
  settings: 'META#CONFIG',
  compositeRole: (role: { client?: string; name: string }) => `META#ROLE#${roleSortKey(role)}`,
  plainRole: (role: { client?: string; name: string }) => `ROLE#${roleSortKey(role)}`,
  clientScope: (name: string) => `META#SCOPE#${name}`,
  /** By id, not path: renaming a group must not move its item. */
  group: (id: string) => `META#GROUP#${id}`,
  key: (kid: string) => `META#KEY#${kid}`,
  /** One per realm, so a second writer's conditional put fails instead of adding a rival key. */
  refreshKey: 'META#REFRESH_KEY',
  client: (clientId: string) => `CLIENT#${clientId}`,
  pepper: 'META#PEPPER',
  identityProvider: (alias: string) => `META#IDP#${alias}`,
  /**
   * One per `federated-jwt` client, under META# so the realm's one Query brings the whole
   * `(alias, sub) → clients` index to the token path. The subject is hashed: it is the external
   * issuer's text, of any length, and a sort key holds at most 1 KB.
   */
  federatedLink: (link: FederatedLink) => `META#FED#${link.alias}\u0000${subjectKey(link.sub)}\u0000${link.clientId}`,
  /**
   * Who is making the realm, written before anything else of it (lib/admin/realmClaim.ts). Off
   * `META#`, so the token path's one Query never reads it.
   */
  realmClaim: 'CLAIM',
};

const subjectKey = (sub: string) => createHash('sha256').update(sub, 'utf8').digest('base64url');

/** The link a client's attributes declare, when it authenticates with `federated-jwt`. */
export function federatedLinkOf(client: ClientRecord | undefined): FederatedLink | undefined {
  if (client?.clientAuthenticatorType !== 'federated-jwt') return undefined;
  const alias = client.attributes[CREDENTIAL_ISSUER_ATTRIBUTE];
  const sub = client.attributes[CREDENTIAL_SUB_ATTRIBUTE];
  return alias && sub ? { alias, sub, clientId: client.clientId } : undefined;
}

export const realmPk = (realm: string) => `REALM#${realm}`;

/**
 * A realm's version: one small item, in a partition of its own, that every write of the realm's
 * items bumps after it lands. Containers read it (one GetItem) instead of reloading the realm when
 * their cache time has passed, and reload only when it moved (lib/realmContext.ts). Outside the
 * realm's partition so that deleting a realm leaves it behind: a realm deleted and made again
 * counts on from where it was, and a container holding the old realm sees a new version, never
 * the same number again.
 */
const realmVersionKey = (realm: string) => ({ pk: `REALM_VERSION#${realm}`, sk: 'VERSION' });

// A NUL cannot appear in Keycloak client ids or role names, so realm and client roles never collide.
function roleSortKey(role: { client?: string; name: string }): string {
  return role.client === undefined ? `R\u0000${role.name}` : `C\u0000${role.client}\u0000${role.name}`;
}

export type ClientsTableItem =
  | ({ kind: 'settings' } & RealmSettings)
  | ({ kind: 'role' } & Role)
  | ({ kind: 'clientScope' } & ClientScope)
  | ({ kind: 'group' } & Group)
  | ({ kind: 'key' } & SigningKeyRecord)
  | ({ kind: 'refreshKey' } & RefreshKeyRecord)
  | ({ kind: 'client' } & ClientRecord)
  | ({ kind: 'pepper' } & PepperRecord)
  | ({ kind: 'identityProvider' } & IdentityProvider)
  | ({ kind: 'federatedLink' } & FederatedLink)
  | ({ kind: 'realmClaim' } & RealmClaim);

/**
 * A realm name taken by its creator (lib/admin/realmClaim.ts): `creating` until every item of the
 * realm is written, then `created`.
 */
export interface RealmClaim {
  creator: string;
  claimedAt: number;
  state: 'creating' | 'created';
}

/** The realm's client-secret pepper, wrapped under the stage's secrets key (lib/clientAuth/secretPepper.ts). */
export interface PepperRecord {
  ciphertext: string;
  createdAt: number;
}

export class ClientsTable {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** All realm-wide data in one paginated Query (the `META#` prefix); undefined when the realm does not exist. */
  async loadRealm(realm: string): Promise<RealmData | undefined> {
    let settings: RealmSettings | undefined;
    const compositeRoles: CompositeRole[] = [];
    const clientScopes: ClientScope[] = [];
    const groups: Group[] = [];
    const keys: SigningKeyRecord[] = [];
    const identityProviders: IdentityProvider[] = [];
    const federatedLinks: FederatedLink[] = [];
    let pepperCiphertext: string | undefined;
    let refreshKey: RefreshKeyRecord | undefined;
    for (const item of await this.listRealmItems(realm, 'META#')) {
      switch (item.kind) {
        case 'settings':
          settings = item;
          break;
        case 'role':
          compositeRoles.push({ client: item.client, name: item.name, composites: item.composites ?? { realm: [], client: {} } });
          break;
        case 'clientScope':
          clientScopes.push(item);
          break;
        case 'group':
          groups.push(item);
          break;
        case 'key':
          keys.push(item);
          break;
        case 'pepper':
          pepperCiphertext = item.ciphertext;
          break;
        case 'refreshKey': {
          const { kind: _kind, ...record } = item;
          refreshKey = record;
          break;
        }
        case 'identityProvider': {
          const { kind: _kind, ...idp } = item;
          identityProviders.push(idp);
          break;
        }
        case 'federatedLink':
          federatedLinks.push({ alias: item.alias, sub: item.sub, clientId: item.clientId });
          break;
      }
    }
    return settings
      ? { settings, compositeRoles, clientScopes, groups, keys, identityProviders, federatedLinks, ...(pepperCiphertext ? { pepperCiphertext } : {}), ...(refreshKey ? { refreshKey } : {}) }
      : undefined;
  }

  /**
   * The realm's version (0 when nothing was written since versions were kept). Strongly consistent:
   * a container that reads it after an admin write answered must see that write.
   */
  async realmVersion(realm: string): Promise<number> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: realmVersionKey(realm), ConsistentRead: true }));
    return typeof out.Item?.version === 'number' ? out.Item.version : 0;
  }

  /**
   * Runs a write of the realm's items, then bumps the realm's version (one atomic UpdateItem),
   * also when the write failed: it may have landed all the same (a lost reply), and a needless
   * bump costs one reload. After the write, never before: a container that read the old version
   * and then the new data reloads once more; the other order could cache old data under the new
   * version.
   */
  private async changing<T>(realm: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: realmVersionKey(realm),
          UpdateExpression: 'ADD #version :one',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    }
  }

  async getClient(realm: string, clientId: string): Promise<ClientRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: realmPk(realm), sk: sk.client(clientId) } }),
    );
    return out.Item ? (stripKeys<ClientRecord>(out.Item)) : undefined;
  }

  /** Every client of a realm (one paginated Query). */
  async listClients(realm: string): Promise<ClientRecord[]> {
    const items = await this.listRealmItems(realm, 'CLIENT#');
    return items.flatMap((item) => (item.kind === 'client' ? [item as ClientRecord] : []));
  }

  /** Read strongly consistent: a realm has one pepper, and a reader right after its creation must see it. */
  async getPepper(realm: string): Promise<PepperRecord | undefined> {
    const item = await this.getConsistent(realm, sk.pepper);
    return item ? { ciphertext: String(item.ciphertext), createdAt: Number(item.createdAt) } : undefined;
  }

  /** Stores the realm's pepper unless it has one; false (nothing written) when it had. */
  async putPepperIfAbsent(realm: string, pepper: PepperRecord): Promise<boolean> {
    return (await this.putIfAbsent(realm, { kind: 'pepper', ...pepper })).stored;
  }

  /**
   * The one conditional create of this table: writes `item` only when nothing is stored under its
   * key, in one PutItem whose condition DynamoDB checks atomically with the write. When something
   * was there, nothing is written and the stored item comes back (read strongly consistent), so
   * the caller learns who won.
   */
  async putIfAbsent(realm: string, item: ClientsTableItem): Promise<{ stored: true; existing?: undefined } | { stored: false; existing: ClientsTableItem }> {
    try {
      await this.changing(realm, () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: this.toItem(realm, item),
            ConditionExpression: 'attribute_not_exists(sk)',
          }),
        ),
      );
      return { stored: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const key = { pk: realmPk(realm), sk: sortKeyOf(item) };
      const raw = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
      // Deleted between the failed condition and the read: someone else's item stood there, which is what counts.
      return { stored: false, existing: raw ? stripKeys<ClientsTableItem>(raw) : item };
    }
  }

  /**
   * Replaces one of a client's secret hashes, only while it is still `previous`: a legacy hash is
   * upgraded after its secret verified, and an admin change made meanwhile always wins.
   * It does not bump the realm version: the same secret verifies against either hash, so no cache
   * needs to reload, and the token functions' IAM policy lets them update only the hash attributes
   * (infra/iam-statements.yml, UpgradeLegacySecretHashes), never the version item.
   */
  async upgradeSecretHash(realm: string, clientId: string, field: 'secretHash' | 'rotatedSecretHash', previous: string, next: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: realmPk(realm), sk: sk.client(clientId) },
          UpdateExpression: 'SET #field = :next',
          ConditionExpression: '#field = :previous',
          ExpressionAttributeNames: { '#field': field },
          ExpressionAttributeValues: { ':next': next, ':previous': previous },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /**
   * Stores a client, and its federated link when it has one. `previous` (the stored version an
   * update started from) lets a changed or renamed link be removed; a link left behind anyway is
   * harmless, since the authenticator re-reads the client and checks its attributes.
   */
  async putClient(client: ClientRecord, previous?: ClientRecord): Promise<void> {
    await this.changing(client.realm, async () => {
      await this.put(client.realm, { kind: 'client', ...client });
      const [link, stale] = [federatedLinkOf(client), federatedLinkOf(previous)];
      if (link) await this.put(client.realm, { kind: 'federatedLink', ...link });
      if (stale && (!link || sk.federatedLink(stale) !== sk.federatedLink(link))) await this.delete(client.realm, sk.federatedLink(stale));
    });
  }

  async deleteClient(client: ClientRecord): Promise<void> {
    await this.changing(client.realm, async () => {
      await this.delete(client.realm, sk.client(client.clientId));
      const link = federatedLinkOf(client);
      if (link) await this.delete(client.realm, sk.federatedLink(link));
    });
  }

  /** Stores the realm's refresh-token key unless it has one; false (nothing written) when it had. */
  async putRefreshKeyIfAbsent(realm: string, record: RefreshKeyRecord): Promise<boolean> {
    return (await this.putIfAbsent(realm, { kind: 'refreshKey', ...record })).stored;
  }

  /** Read strongly consistent, as getPepper. */
  async getRefreshKey(realm: string): Promise<RefreshKeyRecord | undefined> {
    const item = await this.getConsistent(realm, sk.refreshKey);
    if (!item) return undefined;
    const { kind: _kind, ...record } = item as unknown as { kind: 'refreshKey' } & RefreshKeyRecord;
    return record;
  }

  async getRealmClaim(realm: string): Promise<RealmClaim | undefined> {
    const item = await this.getConsistent(realm, sk.realmClaim);
    if (!item) return undefined;
    const { kind: _kind, ...claim } = item as unknown as { kind: 'realmClaim' } & RealmClaim;
    return claim;
  }

  private async getConsistent(realm: string, sortKey: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: realmPk(realm), sk: sortKey }, ConsistentRead: true }));
    return out.Item ? stripKeys<Record<string, unknown>>(out.Item) : undefined;
  }

  async putItem(realm: string, item: ClientsTableItem): Promise<void> {
    await this.changing(realm, () => this.put(realm, item));
  }

  async deleteItem(realm: string, sortKey: string): Promise<void> {
    await this.changing(realm, () => this.delete(realm, sortKey));
  }

  private async put(realm: string, item: ClientsTableItem): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: this.toItem(realm, item) }));
  }

  private async delete(realm: string, sortKey: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: realmPk(realm), sk: sortKey } }));
  }

  /** Every item of a realm (for export and admin listings), optionally only those under a sort-key prefix. */
  async listRealmItems(realm: string, prefix = ''): Promise<ClientsTableItem[]> {
    const items: ClientsTableItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          // DynamoDB refuses an empty string in a key condition, so "every item" is the bare pk.
          KeyConditionExpression: prefix === '' ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: prefix === '' ? { ':pk': realmPk(realm) } : { ':pk': realmPk(realm), ':prefix': prefix },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) items.push(stripKeys<ClientsTableItem>(raw));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /**
   * The client with Keycloak's internal id `id` (the Admin REST API addresses clients by it). One
   * Query of the realm's clients, filtered server-side so only the match crosses the network; the
   * read cost is the realm's client items (the Admin API is not on the token path).
   */
  async findClientById(realm: string, id: string): Promise<ClientRecord | undefined> {
    return this.findClientWhere(realm, '#id = :value', { '#id': 'id' }, id);
  }

  /** The client whose service-account user has the id `userId` (the Admin REST API's `users/{id}`), read as findClientById. */
  async findClientByServiceAccountId(realm: string, userId: string): Promise<ClientRecord | undefined> {
    return this.findClientWhere(realm, '#account.#id = :value', { '#account': 'serviceAccount', '#id': 'id' }, userId);
  }

  private async findClientWhere(realm: string, filter: string, names: Record<string, string>, value: string): Promise<ClientRecord | undefined> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: filter,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':pk': realmPk(realm), ':prefix': 'CLIENT#', ':value': value },
          ExclusiveStartKey: startKey,
        }),
      );
      const found = page.Items?.[0];
      if (found) {
        const { kind: _kind, ...client } = stripKeys<{ kind: 'client' } & ClientRecord>(found);
        return client;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return undefined;
  }

  /**
   * Every realm's settings: a Scan for the settings items (the table has no list of realms, and
   * realms are made by imports, the CLI and the API alike). Reads the whole table; only
   * `GET /admin/realms` calls it.
   */
  async listRealmSettings(): Promise<RealmSettings[]> {
    const realms: RealmSettings[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :settings',
          ExpressionAttributeValues: { ':settings': sk.settings },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) {
        const { kind: _kind, ...settings } = stripKeys<{ kind: 'settings' } & RealmSettings>(raw);
        realms.push(settings);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return realms.sort((a, b) => a.realm.localeCompare(b.realm));
  }

  /**
   * Writes items 25 at a time (BatchWriteItem's limit), a few batches in flight, retrying
   * unprocessed items with exponential backoff as the DynamoDB documentation prescribes.
   */
  async batchPut(realm: string, given: ClientsTableItem[], onProgress?: (written: number) => void, inFlight = 4): Promise<void> {
    const items = given.flatMap((item): ClientsTableItem[] => {
      const link = item.kind === 'client' ? federatedLinkOf(item) : undefined;
      return link ? [item, { kind: 'federatedLink', ...link }] : [item];
    });
    const batches: ClientsTableItem[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    let written = 0;
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await this.writeBatch(batch.map((item) => ({ PutRequest: { Item: this.toItem(realm, item) } })));
        written += batch.length;
        onProgress?.(written);
      }
    };
    // One version bump for the whole batch: readers reload once, after it.
    await this.changing(realm, () => Promise.all(Array.from({ length: Math.min(inFlight, batches.length) }, worker)));
  }

  private async writeBatch(batch: Record<string, unknown>[]): Promise<void> {
    let requests = batch;
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 10) throw new Error('DynamoDB kept returning unprocessed items');
      if (attempt > 0) await sleep(Math.min(50 * 2 ** attempt, 2000));
      const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }

  toItem(realm: string, item: ClientsTableItem): Record<string, unknown> {
    return { pk: realmPk(realm), sk: sortKeyOf(item), ...item };
  }
}

export function sortKeyOf(item: ClientsTableItem): string {
  switch (item.kind) {
    case 'settings':
      return sk.settings;
    case 'role':
      return item.composite ? sk.compositeRole(item) : sk.plainRole(item);
    case 'clientScope':
      return sk.clientScope(item.name);
    case 'group':
      return sk.group(item.id);
    case 'key':
      return sk.key(item.kid);
    case 'refreshKey':
      return sk.refreshKey;
    case 'client':
      return sk.client(item.clientId);
    case 'pepper':
      return sk.pepper;
    case 'identityProvider':
      return sk.identityProvider(item.alias);
    case 'federatedLink':
      return sk.federatedLink(item);
    case 'realmClaim':
      return sk.realmClaim;
  }
}

/** Drops the key attributes; what remains is the item as the rest of lib/ knows it. */
function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
