import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import type { TableNames } from '../../lib/deployment/stageNames.js';

const TABLES_FILE = fileURLToPath(new URL('../dynamodb.yml', import.meta.url));

export { tableNames, type TableNames } from '../../lib/deployment/stageNames.js';

/**
 * Creates the tables CloudFormation would create, read from the same infra/dynamodb.yml, so the
 * local stack can never drift from the deployed one. An existing table (a data directory kept
 * across `npm start`s) gets the indexes added since it was made, as a CloudFormation update
 * would add them; nothing else of it changes.
 */
export async function createTables(dynamodb: DynamoDBClient, names: TableNames): Promise<void> {
  const template = parse(await readFile(TABLES_FILE, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    const props = resource.Properties;
    const tableName = String(props.TableName)
      .replace('${self:custom.tables.clients}', names.clients)
      .replace('${self:custom.tables.sessions}', names.sessions);
    const input: CreateTableCommandInput = {
      TableName: tableName,
      BillingMode: props.BillingMode,
      AttributeDefinitions: props.AttributeDefinitions,
      KeySchema: props.KeySchema,
      GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
    };
    try {
      await dynamodb.send(new CreateTableCommand(input));
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
      await addMissingIndexes(dynamodb, input);
      continue;
    }
    await waitForTable(dynamodb, tableName);
    const ttl = props.TimeToLiveSpecification;
    if (ttl?.Enabled) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }),
      );
    }
  }
}

async function addMissingIndexes(dynamodb: DynamoDBClient, wanted: CreateTableCommandInput): Promise<void> {
  const tableName = wanted.TableName!;
  const existing = new Set(((await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    await dynamodb.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: wanted.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
      }),
    );
    await waitForTable(dynamodb, tableName);
  }
}

async function waitForTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const out = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become active`);
}
