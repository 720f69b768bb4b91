import type { ClientsTable, ClientsTableItem } from '../store/clientsTable.js';
import { MAX_ITEM_BYTES } from '../store/itemSize.js';
import type { ClientRecord } from '../model/stored.js';
import { AdminError } from './errors.js';

/**
 * Every admin write of a client or a client scope goes through here: an item past DynamoDB's
 * 400 KB limit is refused before anything is written (issue 17, F7).
 */
export async function saveClient(table: ClientsTable, client: ClientRecord, previous?: ClientRecord): Promise<void> {
  checkItemSize(table, client.realm, { kind: 'client', ...client }, `client '${client.clientId}'`);
  await table.putClient(client, previous);
}

/** Any other item an admin change grows (a client scope with its mappers). */
export async function saveItem(table: ClientsTable, realm: string, item: ClientsTableItem, what: string): Promise<void> {
  checkItemSize(table, realm, item, what);
  await table.putItem(realm, item);
}

function checkItemSize(table: ClientsTable, realm: string, item: ClientsTableItem, what: string): void {
  const size = table.storedSize(realm, item);
  if (size > MAX_ITEM_BYTES) {
    throw new AdminError(`${what} would take ${Math.ceil(size / 1024)} KB, more than the 400 KB DynamoDB stores in one item: remove attributes, mappers or role mappings`);
  }
}
