import { secretsKeyAlias } from '../../lib/deployment/stageNames.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { ensureRealmPepper } from '../../lib/clientAuth/secretPepper.js';
import { ensureRefreshKey } from '../../lib/signing/refreshKey.js';
import { ClientsTable } from '../../lib/store/clientsTable.js';
import { freshStack } from '../support/localAws.js';

/**
 * The per-realm keys KMS makes and the clients table holds wrapped (issue 18, finding 4). DynamoDB
 * reads are eventually consistent unless asked otherwise: a GetItem right after another writer's
 * put may come back empty. A table whose eventually consistent GetItems always come back empty
 * (DynamoDB Local with the SDK's answer emptied) shows whether a path depends on such a read.
 */
function laggingTable(tableName: string): ClientsTable {
  const dynamodb = new DynamoDBClient({});
  const lag: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    const result = await next(args);
    const input = args.input as { ConsistentRead?: boolean };
    if (context.commandName === 'GetItemCommand' && input.ConsistentRead !== true) delete (result.output as { Item?: unknown }).Item;
    return result;
  };
  dynamodb.middlewareStack.add(lag as never, { step: 'initialize', name: 'eventualConsistency' });
  return new ClientsTable(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), tableName);
}

describe('KMS-wrapped realm keys under eventually consistent reads', () => {
  it("ensureRealmPepper returns the realm's stored pepper when the read after losing the race comes back empty", async () => {
    const stack = await freshStack();
    const existing = await ensureRealmPepper(stack.kms, stack.table, secretsKeyAlias('test'), 'demo');
    const lagging = laggingTable(stack.table.tableName);
    const seen = await ensureRealmPepper(stack.kms, lagging, secretsKeyAlias('test'), 'demo');
    assert.deepEqual(seen, existing, 'one pepper per realm, whoever asks');
  });

  it('ensureRefreshKey returns the stored key, not a rival one, through the same lagging reads', async () => {
    const stack = await freshStack();
    const clock = Math.floor(Date.now() / 1000);
    const first = await ensureRefreshKey(stack.kms, stack.table, 'demo', secretsKeyAlias('test'), clock);
    const again = await ensureRefreshKey(stack.kms, laggingTable(stack.table.tableName), 'demo', secretsKeyAlias('test'), clock);
    assert.equal(again.created, false);
    assert.equal(again.record.kid, first.record.kid);
  });
});
