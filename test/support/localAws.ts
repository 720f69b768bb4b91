import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { createTables, tableNames } from '../../infra/local/tables.js';
import { DEMO_REALM_FILE } from '../../infra/local/stack.js';
import { secretsKeyAlias, seedRealm, signingKeyAliases } from '../../infra/seed.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import { Observability } from '../../lib/observability.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { ClientsTable } from '../../lib/store/clientsTable.js';

/**
 * Integration tests reach DynamoDB Local and the local KMS that test/run.ts started, through the
 * real SDK clients and the standard AWS_ENDPOINT_URL_* variables. Each test file gets its own
 * tables (a fresh stage name), seeded with the demo realm, so files never see each other's data.
 */
export interface CallCounts {
  [command: string]: number;
}

export function countingClients() {
  const counts: CallCounts = {};
  const dynamodb = new DynamoDBClient({});
  const kms = new KMSClient({});
  const counter: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    counts[context.commandName!] = (counts[context.commandName!] ?? 0) + 1;
    return next(args);
  };
  dynamodb.middlewareStack.add(counter as never, { step: 'initialize', name: 'countCalls' });
  kms.middlewareStack.add(counter as never, { step: 'initialize', name: 'countCalls' });
  return { dynamodb, kms, counts, reset: () => Object.keys(counts).forEach((key) => delete counts[key]) };
}

export interface TestStack {
  runtime: Runtime;
  table: ClientsTable;
  counts: CallCounts;
  resetCounts(): void;
  dynamodb: DynamoDBClient;
  kms: KMSClient;
}

export async function freshStack(
  options: { realmCacheTtlSeconds?: number; clientCacheTtlSeconds?: number; now?: () => number; observability?: Observability; authFailureLimits?: [perSource: number, perClientAndSource: number] } = {},
): Promise<TestStack> {
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) throw new Error('run integration tests through `npm test` (it starts DynamoDB Local and the local KMS)');
  const stage = `it${randomUUID().slice(0, 8)}`;
  const names = tableNames(stage);
  const { dynamodb, kms, counts, reset } = countingClients();
  await createTables(dynamodb, names);
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const table = new ClientsTable(doc, names.clients);
  // The local stack created the keys behind the `test` stage's aliases; reuse them.
  await seedRealm({ table, kms, realmFile: DEMO_REALM_FILE, aliases: signingKeyAliases('test') });
  const runtime = createRuntime({
    config: {
      clientsTable: names.clients,
      sessionsTable: names.sessions,
      realmCacheTtlSeconds: options.realmCacheTtlSeconds ?? 60,
      clientCacheTtlSeconds: options.clientCacheTtlSeconds ?? 0,
      secretsKeyId: secretsKeyAlias('test'),
      // Tests fail authentication on purpose, all from 127.0.0.1; only the throttle test wants the real limits.
      authFailuresPerSource: options.authFailureLimits?.[0] ?? 1_000_000,
      authFailuresPerClientAndSource: options.authFailureLimits?.[1] ?? 1_000_000,
    },
    dynamodb,
    kms,
    now: options.now,
    // Quiet unless a test wants to read the logs.
    observability: options.observability ?? new Observability({ logger: new Logger({ logLevel: 'SILENT' }) }),
  });
  reset();
  return { runtime, table, counts, resetCounts: reset, dynamodb, kms };
}

