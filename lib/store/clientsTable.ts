import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  BatchWriteCommand,
  PutCommand,
  DeleteCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CREDENTIAL_ISSUER_ATTRIBUTE, CREDENTIAL_SUB_ATTRIBUTE, type IdentityProvider } from '../model/identityProvider.js';
import type { RoleName, RoleRewrite } from '../model/roleMappings.js';
import {
  prefix,
  realmPk,
  realmVersionKey,
  realmWideRanges,
  roleOwnerPrefix,
  sk,
  sortKeyOf,
  sortKeysOf,
  type ClientsTableItem,
  type ItemKey,
  type PepperRecord,
  type RealmClaim,
} from './clientsTableKeys.js';
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
} from '../model/stored.js';
import { itemSize } from './itemSize.js';
import { rewriteItemRoles } from './roleReferences.js';

export type { ClientsTableItem, ItemKey, PepperRecord, RealmClaim };

/** The link a client's attributes declare, when it authenticates with `federated-jwt`. */
export function federatedLinkOf(client: ClientRecord | undefined): FederatedLink | undefined {
  if (client?.clientAuthenticatorType !== 'federated-jwt') return undefined;
  const alias = client.attributes[CREDENTIAL_ISSUER_ATTRIBUTE];
  const sub = client.attributes[CREDENTIAL_SUB_ATTRIBUTE];
  return alias && sub ? { alias, sub, clientId: client.clientId } : undefined;
}

/**
 * The clients table as a repository in Keycloak's nouns (realm settings, clients, roles, client
 * scopes, groups, identity providers, keys). Its key layout (lib/store/clientsTableKeys.ts) is
 * private: callers name items by what they are, never by sort key.
 */
export class ClientsTable {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /**
   * All realm-wide data (the `META#` prefix); undefined when the realm does not exist. Three
   * paginated Queries over contiguous ranges of the prefix, sent at once: a large realm's load is
   * mostly the table's time to read and serialise its items (composite roles, groups, client scopes),
   * which three Queries share out instead of one page after another (docs/performance.md, "Realm size").
   */
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
    const ranges = await Promise.all(realmWideRanges.map((range) => this.queryRange(realm, range)));
    for (const item of ranges.flat()) {
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
    return ofKind(await this.query(realm, prefix.client), 'client');
  }

  /**
   * One page of a realm's clients in clientId order (the sort key's: UTF-8 code points), without
   * reading the ones before it in full: `skip` clients after `after` (or from the first) are passed
   * over reading keys only, then up to `limit` (all when unset) are read, stopping once that many
   * came back. Returns the clients and the clientId of the last one passed over or read, the cursor
   * (`after`) of the page that follows.
   */
  async listClientsPage(realm: string, page: { after?: string; skip?: number; limit?: number }): Promise<{ clients: ClientRecord[]; last?: string }> {
    let last = page.after;
    let toSkip = page.skip ?? 0;
    let startKey: Record<string, unknown> | undefined = last === undefined ? undefined : { pk: realmPk(realm), sk: sk.client(last) };
    while (toSkip > 0) {
      const out = await this.doc.send(
        new QueryCommand({ ...this.clientsQuery(realm, startKey), Limit: toSkip, ProjectionExpression: 'sk' }),
      );
      const keys = out.Items ?? [];
      toSkip -= keys.length;
      if (keys.length > 0) last = String(keys.at(-1)!.sk).slice(prefix.client.length);
      startKey = out.LastEvaluatedKey;
      if (!startKey) return { clients: [], last };
    }
    const clients: ClientRecord[] = [];
    do {
      const remaining = page.limit === undefined ? undefined : page.limit - clients.length;
      if (remaining === 0) break;
      const out = await this.doc.send(new QueryCommand({ ...this.clientsQuery(realm, startKey), ...(remaining === undefined ? {} : { Limit: remaining }) }));
      for (const raw of out.Items ?? []) clients.push(stripKeys<{ kind: 'client' } & ClientRecord>(raw));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    if (clients.length > 0) last = clients.at(-1)!.clientId;
    return { clients: ofKind(clients as ClientsTableItem[], 'client'), last };
  }

  private clientsQuery(realm: string, startKey: Record<string, unknown> | undefined) {
    return {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': realmPk(realm), ':prefix': prefix.client },
      ExclusiveStartKey: startKey,
    };
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

  /** Stores an item; a role also leaves the key of its other form (composite or plain) empty. */
  async putItem(realm: string, item: ClientsTableItem): Promise<void> {
    await this.changing(realm, async () => {
      await this.put(realm, item);
      for (const other of sortKeysOf(item).others) await this.delete(realm, other);
    });
  }

  /** Deletes the item `key` names; a role named without its form is deleted under both. */
  async deleteItem(realm: string, key: ItemKey): Promise<void> {
    await this.changing(realm, async () => {
      const { key: sortKey, others } = sortKeysOf(key);
      for (const each of [sortKey, ...others]) await this.delete(realm, each);
    });
  }

  private async put(realm: string, item: ClientsTableItem): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: this.toItem(realm, item) }));
  }

  private async delete(realm: string, sortKey: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: realmPk(realm), sk: sortKey } }));
  }

  /** Every item of a realm (export, deletion): one Query of its partition, paginated. */
  async listRealmItems(realm: string): Promise<ClientsTableItem[]> {
    return this.query(realm, '');
  }

  /** The realm's settings; undefined when the realm does not exist. Strongly consistent, as every admin read by key. */
  async getRealmSettings(realm: string): Promise<RealmSettings | undefined> {
    const item = await this.getConsistent(realm, sk.settings);
    if (!item) return undefined;
    const { kind: _kind, ...settings } = item as unknown as ClientsTableItem & { kind: 'settings' };
    return settings;
  }

  /** A realm role (`client` undefined) or a client role, under whichever of its two keys it is stored. */
  async getRole(realm: string, role: RoleName): Promise<Role | undefined> {
    const { key, others } = sortKeysOf({ kind: 'role', ...role });
    const found = await Promise.all([key, ...others].map((each) => this.getConsistent(realm, each)));
    const item = found.find((each) => each !== undefined);
    if (!item) return undefined;
    const { kind: _kind, ...stored } = item as unknown as ClientsTableItem & { kind: 'role' };
    return stored;
  }

  /** Every role of the realm, or only the roles of one client: composite roles first, then plain ones (two Queries). */
  async listRoles(realm: string, owner: { client?: string } = {}): Promise<Role[]> {
    const of = owner.client === undefined ? '' : roleOwnerPrefix(owner.client);
    const [composite, plain] = await Promise.all([prefix.compositeRole, prefix.plainRole].map((form) => this.query(realm, form + of)));
    return ofKind([...composite!, ...plain!], 'role');
  }

  async getClientScope(realm: string, name: string): Promise<ClientScope | undefined> {
    const item = await this.getConsistent(realm, sk.clientScope(name));
    if (!item) return undefined;
    const { kind: _kind, ...scope } = item as unknown as ClientsTableItem & { kind: 'clientScope' };
    return scope;
  }

  async listClientScopes(realm: string): Promise<ClientScope[]> {
    return ofKind(await this.query(realm, prefix.clientScope), 'clientScope');
  }

  async listGroups(realm: string): Promise<Group[]> {
    return ofKind(await this.query(realm, prefix.group), 'group');
  }

  async listIdentityProviders(realm: string): Promise<IdentityProvider[]> {
    return ofKind(await this.query(realm, prefix.identityProvider), 'identityProvider');
  }

  async listSigningKeys(realm: string): Promise<SigningKeyRecord[]> {
    return ofKind(await this.query(realm, prefix.key), 'key');
  }

  /**
   * Deletes every item of a realm: its settings first, so the realm is gone for the token endpoint
   * at once; its claim last, so nobody can create a realm of that name over the one being deleted.
   * A bounded number in parallel: a realm can hold tens of thousands of clients. Returns how many.
   */
  async deleteRealmItems(realm: string, onProgress?: (deleted: number, total: number) => void): Promise<number> {
    const rank = (item: ClientsTableItem) => (item.kind === 'settings' ? 0 : item.kind === 'realmClaim' ? 2 : 1);
    const keys = (await this.listRealmItems(realm)).sort((a, b) => rank(a) - rank(b)).map(sortKeyOf);
    const claim = keys.at(-1) === sk.realmClaim ? keys.pop() : undefined;
    const PARALLEL = 16;
    await this.changing(realm, async () => {
      for (let i = 0; i < keys.length; i += PARALLEL) {
        await Promise.all(keys.slice(i, i + PARALLEL).map((key) => this.delete(realm, key)));
        onProgress?.(Math.min(i + PARALLEL, keys.length), keys.length);
      }
    });
    if (claim) await this.delete(realm, claim);
    return keys.length + (claim ? 1 : 0);
  }

  /**
   * Rewrites every role reference of the realm (lib/store/roleReferences.ts) and writes the items
   * that changed: a role the rewrite renames moves to its new key, one it drops is deleted. One
   * strongly consistent Query of the partition, so a write the caller made just before is seen;
   * renames and deletions are rare, and the mappings naming a role are spread over every client.
   */
  async rewriteRoleReferences(realm: string, rewrite: RoleRewrite, roleId?: (role: Role) => string): Promise<{ rewritten: number; deleted: number }> {
    const counts = { rewritten: 0, deleted: 0 };
    await this.changing(realm, async () => {
      for (const item of await this.query(realm, '', true)) {
        const result = rewriteItemRoles(item, rewrite, roleId);
        if (result.change === 'none') continue;
        const stale = sortKeysOf(item).key;
        if (result.change === 'deleted') {
          await this.delete(realm, stale);
          counts.deleted++;
          continue;
        }
        await this.put(realm, result.item);
        if (sortKeyOf(result.item) !== stale) await this.delete(realm, stale);
        counts.rewritten++;
      }
    });
    return counts;
  }

  /** One paginated Query of the realm's items under a sort-key prefix (`''`: all of them). */
  private async query(realm: string, keyPrefix: string, consistent = false): Promise<ClientsTableItem[]> {
    // DynamoDB refuses an empty string in a key condition, so "every item" is the bare pk.
    return keyPrefix === ''
      ? this.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': realmPk(realm) }, ...(consistent ? { ConsistentRead: true } : {}) })
      : this.queryAll({
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': realmPk(realm), ':prefix': keyPrefix },
          ...(consistent ? { ConsistentRead: true } : {}),
        });
  }

  /** One paginated Query of the realm's items with `from <= sk < to` (BETWEEN is inclusive: `to` itself is dropped). */
  private async queryRange(realm: string, range: { from: string; to: string }): Promise<ClientsTableItem[]> {
    return this.queryAll(
      { KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to', ExpressionAttributeValues: { ':pk': realmPk(realm), ':from': range.from, ':to': range.to } },
      (raw) => raw.sk !== range.to,
    );
  }

  /** Every page of one Query, its items without their keys; `keep` sees each raw item first. */
  private async queryAll(
    input: Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues' | 'ConsistentRead'>,
    keep: (raw: Record<string, unknown>) => boolean = () => true,
  ): Promise<ClientsTableItem[]> {
    const items: ClientsTableItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: startKey }));
      for (const raw of page.Items ?? []) if (keep(raw)) items.push(stripKeys<ClientsTableItem>(raw));
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
          ExpressionAttributeValues: { ':pk': realmPk(realm), ':prefix': prefix.client, ':value': value },
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

  /**
   * Writes a realm's items over what is stored (a realm import): as batchPut, and a role that
   * changed form since (composite to plain or back) loses its item under the other key, else a
   * stale composite would keep expanding into roles the new items no longer grant. Composite roles
   * are few (default-roles-<realm> and a handful more): their plain key is deleted blindly, and
   * the stored composites are read once to find those now plain.
   */
  async replaceRealmItems(realm: string, items: ClientsTableItem[], onProgress?: (written: number) => void): Promise<void> {
    await this.batchPut(realm, items, onProgress);
    const roles = items.filter((item) => item.kind === 'role');
    const storedComposites = roles.some((role) => !role.composite) ? new Set((await this.query(realm, prefix.compositeRole)).map(sortKeyOf)) : new Set<string>();
    const stale = roles.flatMap((role) => sortKeysOf(role).others.filter((other) => role.composite || storedComposites.has(other)));
    if (stale.length > 0) await this.changing(realm, async () => {
      for (const key of stale) await this.delete(realm, key);
    });
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

  /** The item's size as DynamoDB counts it against its 400 KB limit, its keys included (lib/store/itemSize.ts). */
  storedSize(realm: string, item: ClientsTableItem): number {
    return itemSize(this.toItem(realm, item));
  }

  private toItem(realm: string, item: ClientsTableItem): Record<string, unknown> {
    return { pk: realmPk(realm), sk: sortKeyOf(item), ...item };
  }
}

/** The items of one kind, without their `kind`: what the rest of lib/ knows. */
function ofKind<K extends ClientsTableItem['kind']>(items: ClientsTableItem[], kind: K): Omit<Extract<ClientsTableItem, { kind: K }>, 'kind'>[] {
  return items.flatMap((item) => {
    if (item.kind !== kind) return [];
    const { kind: _kind, ...rest } = item as Extract<ClientsTableItem, { kind: K }>;
    return [rest];
  });
}

/** Drops the key attributes; what remains is the item as the rest of lib/ knows it. */
function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
