/**
 * Imports a Keycloak realm export into a deployed stage and makes sure the realm has an active
 * signing key for RS256 and ES256 (the stack's KMS keys, by alias). Uses the standard AWS SDK
 * configuration (region, profile, credentials, AWS_ENDPOINT_URL_*).
 *
 *   STAGE=prod npx tsx infra/importRealm.ts path/to/realm-export.json
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { RealmImportError } from '../lib/admin/realmImport.js';
import { ClientsTable } from '../lib/store/clientsTable.js';
import { tableNames } from './local/tables.js';
import { seedRealm, signingKeyAliases } from './seed.js';

const file = process.argv[2];
const stage = process.env.STAGE ?? 'dev';
if (!file) {
  console.error('usage: STAGE=<stage> npx tsx infra/importRealm.ts <realm-export.json>');
  process.exit(2);
}
try {
  const table = new ClientsTable(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), tableNames(stage).clients);
  const realm = await seedRealm({ table, kms: new KMSClient({}), realmFile: file, aliases: signingKeyAliases(stage), overwrite: true, log: console.log });
  console.log(`realm ${realm} imported into stage ${stage}`);
} catch (err) {
  const problems = err instanceof RealmImportError ? err.problems.map((p) => `\n  ${p.path}: ${p.message}`).join('') : '';
  console.error(`import failed: ${(err as Error).message}${problems}`);
  process.exit(1);
}
