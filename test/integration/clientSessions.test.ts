/**
 * A client's sessions, read through the sessions table's `byClient` index on DynamoDB Local: only
 * live sessions of that client in that realm, paged, counted, never by a scan, and never with a
 * refresh-token hash in what the index holds. Also: a sessions table made before the index gets
 * it when the local stack starts again.
 */
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTables } from '../../infra/local/tables.js';
import { tableNames } from '../../lib/deployment/stageNames.js';
import type { SessionRecord } from '../../lib/store/sessionsTable.js';
import { freshStack, type TestStack } from '../support/localAws.js';

let stack: TestStack;
const NOW = 1_800_000_000;
const IDLE = 1800;
const client = randomUUID();

function session(overrides: Partial<SessionRecord>): SessionRecord {
  return {
    id: randomUUID(),
    realm: 'demo',
    clientId: 'worker',
    clientUuid: client,
    userId: 'user-1',
    ipAddress: '192.0.2.7',
    started: NOW - 100,
    lastRefresh: NOW - 10,
    expiresAt: NOW + 3600,
    requestedScope: '',
    nextTokenHash: 'hash-of-the-refresh-token',
    nextTokenIssuedAt: NOW - 10,
    currentTokenUses: 0,
    previousTokenHashes: [],
    version: 1,
    ...overrides,
  };
}

const live = { realm: 'demo', clientUuid: client, now: NOW, idleTimeout: IDLE };

before(async () => {
  stack = await freshStack();
  const sessions = stack.runtime.sessions;
  // Five live sessions, started one second apart, and one of each kind that must not show.
  for (let i = 0; i < 5; i++) await sessions.create(session({ id: `live-${i}`, started: NOW - 500 + i }));
  await sessions.create(session({ id: 'expired', expiresAt: NOW - 1 }));
  await sessions.create(session({ id: 'idle', lastRefresh: NOW - IDLE - 1 }));
  await sessions.create(session({ id: 'other-realm', realm: 'other' }));
  await sessions.create(session({ id: 'other-client', clientUuid: randomUUID() }));
  // Not a session: what else the table holds never reaches the index.
  await sessions.revokeAccessToken('demo', 'some-jti', NOW + 60);
});

describe("a client's sessions through the byClient index", () => {
  it('lists the live sessions of that client in that realm, oldest first, with the paging Keycloak reads', async () => {
    const all = await stack.runtime.sessions.listByClient(live, 0, 100);
    assert.deepEqual(all.map((s) => s.id), ['live-0', 'live-1', 'live-2', 'live-3', 'live-4']);
    assert.deepEqual((await stack.runtime.sessions.listByClient(live, 1, 2)).map((s) => s.id), ['live-1', 'live-2']);
    assert.deepEqual((await stack.runtime.sessions.listByClient(live, 4, 10)).map((s) => s.id), ['live-4']);
    assert.deepEqual(await stack.runtime.sessions.listByClient(live, 5, 10), []);
    assert.equal(all[0]!.ipAddress, '192.0.2.7');
    assert.equal(all[0]!.userId, 'user-1');
  });

  it('counts them, by Query on the index and never a Scan', async () => {
    stack.resetCounts();
    assert.equal(await stack.runtime.sessions.countByClient(live), 5);
    assert.equal(await stack.runtime.sessions.countByClient({ ...live, now: NOW + 3600 }), 0, 'all past their max lifespan');
    assert.equal(stack.counts.QueryCommand, 2);
    assert.equal(stack.counts.ScanCommand, undefined);
  });

  it('keeps the refresh-token hashes out of the index', async () => {
    const out = await DynamoDBDocumentClient.from(stack.dynamodb).send(
      new QueryCommand({ TableName: stack.runtime.sessions.tableName, IndexName: 'byClient', KeyConditionExpression: 'clientUuid = :c', ExpressionAttributeValues: { ':c': client } }),
    );
    assert.ok((out.Items ?? []).length >= 5);
    for (const item of out.Items ?? []) {
      assert.equal(item.nextTokenHash, undefined);
      assert.equal(item.previousTokenHashes, undefined);
    }
  });
});

describe('the local tables', () => {
  it('adds the index to a sessions table made before it, as a deployment would', async () => {
    const names = tableNames(`old${randomUUID().slice(0, 8)}`);
    await stack.dynamodb.send(
      new CreateTableCommand({ TableName: names.sessions, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
    );
    await createTables(stack.dynamodb, names);
    const table = (await stack.dynamodb.send(new DescribeTableCommand({ TableName: names.sessions }))).Table!;
    assert.deepEqual(table.GlobalSecondaryIndexes?.map((index) => index.IndexName), ['byClient']);
  });
});
