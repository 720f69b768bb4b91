import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import type { TableNames } from '../../lib/deployment/stageNames.js';

const TABLES_FILE = fileURLToPath(new URL('../dynamodb.yml', import.meta.url));

export { tableNames, type TableNames } from '../../lib/deployment/stageNames.js';

/**
 * Creates the tables CloudFormation would create, read from the same infra/dynamodb.yml, so the
 * local stack can never drift from the deployed one. Existing tables are left as they are.
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

async function waitForTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const out = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become active`);
}
