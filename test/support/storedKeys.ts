import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { realmPk } from '../../lib/store/clientsTableKeys.js';
import type { TestStack } from './localAws.js';

/**
 * Whether an item is stored under exactly this sort key: for the few tests of the key layout
 * itself (lib/store/clientsTableKeys.ts), such as a role's composite and plain forms. Everything
 * else reads through the repository.
 */
export async function storedAt(stack: TestStack, realm: string, sortKey: string): Promise<boolean> {
  const out = await stack.dynamodb.send(new GetItemCommand({ TableName: stack.table.tableName, Key: { pk: { S: realmPk(realm) }, sk: { S: sortKey } }, ConsistentRead: true }));
  return out.Item !== undefined;
}
