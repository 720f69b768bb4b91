import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { ClientListingCursors } from '../../lib/admin/clientCursors.js';
import { listClientsPage, searchClients } from '../../lib/admin/clientListing.js';
import { listClients } from '../../lib/admin/clients.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { stageNames } from '../../lib/deployment/stageNames.js';
import type { ClientRecord } from '../../lib/model/stored.js';
import { freshStack, type TestStack } from '../support/localAws.js';

const REALM = 'demo';
const GENERATED = 230;

/**
 * Keycloak's `first`/`max` over a realm's clients (lib/admin/clientListing.ts) against DynamoDB
 * Local: the same pages as an offset into the whole listing, and a page that follows the one
 * before it reads that page's clients and no more (the count of items DynamoDB returned).
 */
describe('client listing by first/max', () => {
  let stack: TestStack;
  const read = { items: 0, keysOnly: 0 };
  let ctx: AdminContext;
  const cold = (): AdminContext => ({ ...ctx, clientCursors: undefined });

  before(async () => {
    stack = await freshStack();
    const counter: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        const count = (result.output as { Items?: unknown[] }).Items?.length ?? 0;
        if ((args.input as { ProjectionExpression?: string }).ProjectionExpression) read.keysOnly += count;
        else read.items += count;
      }
      return result;
    };
    stack.dynamodb.middlewareStack.add(counter as never, { step: 'initialize', name: 'countItems' });
    ctx = { names: stageNames('test', stack.table.tableName), table: stack.table, kms: stack.kms, now: () => Math.floor(Date.now() / 1000), clientCursors: new ClientListingCursors() };
    const template = (await stack.table.getClient(REALM, 'product-sa-client'))!;
    // Ids that sort differently by locale and by code point (upper case before lower case).
    const ids = Array.from({ length: GENERATED }, (_, i) => (i % 3 === 0 ? `Gen-${String(i).padStart(4, '0')}` : `gen-${String(i).padStart(4, '0')}`));
    await stack.table.batchPut(REALM, ids.map((clientId): { kind: 'client' } & ClientRecord => ({ kind: 'client', ...template, clientId, id: randomUUID() })));
  });

  const reset = () => Object.assign(read, { items: 0, keysOnly: 0 });

  it('pages through every client in clientId order (code points), each page reading only its own clients', async () => {
    const all = (await listClients(ctx, REALM)).map((client) => client.clientId);
    assert.ok(all.length > GENERATED);
    assert.deepEqual(all, [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const listed: string[] = [];
    for (let first = 0; ; first += 25) {
      reset();
      const page = await listClientsPage(ctx, REALM, { first, max: 25 });
      listed.push(...page.map((client) => client.clientId));
      assert.equal(read.keysOnly, 0, `page first=${first} skipped nothing`);
      assert.equal(read.items, page.length, `page first=${first} read its own clients only`);
      if (page.length < 25) break;
    }
    assert.deepEqual(listed, all);
  });

  it("pages the console's way (max + 1 to learn of a next page) without skipping either", async () => {
    const all = (await listClients(ctx, REALM)).map((client) => client.clientId);
    for (let first = 0; first < 100; first += 20) {
      reset();
      const page = await listClientsPage(ctx, REALM, { first, max: 21 });
      assert.deepEqual(page.map((client) => client.clientId), all.slice(first, first + 21));
      assert.equal(read.keysOnly, 0, `page first=${first} skipped nothing`);
    }
  });

  it('answers a first it has no position for as an offset, reading keys only up to it', async () => {
    const all = (await listClients(ctx, REALM)).map((client) => client.clientId);
    for (const [first, max] of [[0, 7], [7, 7], [101, 30], [all.length - 3, 10], [all.length, 5], [all.length + 10, 5]] as const) {
      reset();
      const page = await listClientsPage(cold(), REALM, { first, max });
      assert.deepEqual(page.map((client) => client.clientId), all.slice(first, first + max), `first=${first} max=${max}`);
      assert.ok(read.keysOnly <= first && read.items <= max, JSON.stringify(read));
    }
    assert.deepEqual((await listClientsPage(cold(), REALM, { first: 200 })).map((client) => client.clientId), all.slice(200), 'no max: the rest');
  });

  it('forgets its positions once the realm changes: a client added between pages moves the rest by one', async () => {
    await listClientsPage(ctx, REALM, { first: 0, max: 50 });
    const template = (await stack.table.getClient(REALM, 'product-sa-client'))!;
    await stack.table.putClient({ ...template, clientId: 'Aaa-first-of-all', id: randomUUID() });
    const all = (await listClients(ctx, REALM)).map((client) => client.clientId);
    reset();
    const next = await listClientsPage(ctx, REALM, { first: 50, max: 50 });
    assert.deepEqual(next.map((client) => client.clientId), all.slice(50, 100));
    assert.equal(read.keysOnly, 50, 'the remembered position was of the realm before the write');
  });

  it('search pages the matches, in any case', async () => {
    const matches = await searchClients(ctx, REALM, 'GEN-00', { first: 0 });
    assert.equal(matches.length, 100);
    assert.deepEqual(
      (await searchClients(ctx, REALM, 'GEN-00', { first: 10, max: 5 })).map((client) => client.clientId),
      matches.slice(10, 15).map((client) => client.clientId),
    );
  });
});
