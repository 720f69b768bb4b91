/**
 * `npm run bench:import`: imports a 20,000-client realm (the size of Keycloak's own benchmarks)
 * into DynamoDB Local through the same path as `sa-admin import-realm`, and prints the time.
 * A benchmark, not a test: it starts its own in-memory DynamoDB Local and local KMS on free
 * ports, so it runs beside `npm start` and `npm test`.
 *
 * The generated clients authenticate with `client-jwt` (a JWKS URL), so they have no secret. A
 * secret chosen by a person or imported from Keycloak costs one HMAC under the realm's pepper
 * (lib/clientAuth/secretHash.ts); that rate is measured separately at the end.
 *
 *   npm run bench:import [-- --clients 20000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Command, InvalidArgumentError } from 'commander';
import { startDynamoDbLocal } from '../infra/local/dynamodb.js';
import { startKmsServer } from '../tools/local-kms/server.js';
import { createTables, tableNames } from '../infra/local/tables.js';
import { ensureStageKeys, secretsKeyAlias, signingKeyAliases } from '../infra/seed.js';
import { createAdminContext } from '../lib/admin/context.js';
import { importRealmExport } from '../lib/admin/realmImport.js';
import { randomBytes } from 'node:crypto';
import { hashWithPepper } from '../lib/clientAuth/secretHash.js';
import { freePort } from './bench/setup.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const options = new Command('bench:import')
  .option('--clients <n>', 'clients in the generated realm', (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number');
    return Number(value);
  }, 20_000)
  .parse()
  .opts<{ clients: number }>();

/**
 * A realm export as `kc.sh export` writes it for a realm of service accounts: one API client with
 * three roles, a few realm roles, and per client a service-account user holding two realm roles
 * and two or three client roles; every tenth client has full scope off and scope mappings.
 */
function generateRealm(clients: number): Record<string, unknown> {
  const ids = Array.from({ length: clients }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
  return {
    realm: 'bench',
    enabled: true,
    accessTokenLifespan: 300,
    roles: {
      realm: [
        { name: 'reader' },
        { name: 'writer' },
        { name: 'auditor' },
        { name: 'offline_access' },
        { name: 'default-roles-bench', composite: true, composites: { realm: ['offline_access'] } },
      ],
      client: { 'orders-api': [{ name: 'read' }, { name: 'write' }, { name: 'delete' }] },
    },
    defaultRole: { name: 'default-roles-bench' },
    clientScopes: [
      { name: 'profile', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true' } },
      { name: 'email', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true' } },
      { name: 'roles', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'false' } },
    ],
    defaultDefaultClientScopes: ['profile', 'email', 'roles'],
    clients: [
      { clientId: 'orders-api', bearerOnly: true },
      ...ids.map((clientId, i) => ({
        clientId,
        enabled: true,
        clientAuthenticatorType: 'client-jwt',
        serviceAccountsEnabled: true,
        fullScopeAllowed: i % 10 !== 0,
        attributes: { 'use.jwks.url': 'true', 'jwks.url': `https://${clientId}.example.com/jwks.json` },
      })),
    ],
    users: ids.map((clientId, i) => ({
      username: `service-account-${clientId}`,
      serviceAccountClientId: clientId,
      realmRoles: ['default-roles-bench', i % 2 === 0 ? 'reader' : 'writer'],
      clientRoles: { 'orders-api': i % 3 === 0 ? ['read', 'write', 'delete'] : ['read', 'write'] },
    })),
    scopeMappings: ids.filter((_, i) => i % 10 === 0).map((clientId) => ({ client: clientId, roles: ['reader'] })),
    clientScopeMappings: { 'orders-api': ids.filter((_, i) => i % 10 === 0).map((clientId) => ({ client: clientId, roles: ['read'] })) },
  };
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const progress = (label: string) => (done: number, total: number) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${done}/${total}${done === total ? '\n' : ''}`);
};

const kmsDir = await mkdtemp(join(tmpdir(), 'bench-import-kms-'));
const dynamo = await startDynamoDbLocal(await freePort());
const kmsServer = await startKmsServer({ port: 0, host: '127.0.0.1', dataDir: kmsDir });
try {
  const stage = 'bench';
  const local = { dynamodb: dynamo.url, kms: kmsServer.url };
  const clientConfig = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  await createTables(new DynamoDBClient({ ...clientConfig, endpoint: dynamo.url }), tableNames(stage));
  await ensureStageKeys(new KMSClient({ ...clientConfig, endpoint: kmsServer.url }), stage);
  const ctx = createAdminContext({
    names: { stage, service: 'sa-token-service', clientsTable: tableNames(stage).clients, signingKeyAliases: signingKeyAliases(stage), secretsKeyId: secretsKeyAlias(stage) },
    local,
  });

  const realm = generateRealm(options.clients);
  console.log(`realm export: ${options.clients} clients, ${options.clients} service-account users, ${(JSON.stringify(realm).length / 1e6).toFixed(1)} MB of JSON`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, DynamoDB Local (in memory)`);

  for (const run of ['first import', 're-import (idempotent)'] as const) {
    const started = process.hrtime.bigint();
    let writing: number | undefined;
    const report = await importRealmExport(ctx, realm, {
      onProgress: (_phase, done, total) => {
        writing ??= seconds(started);
        progress(`${run}: items`)(done, total);
      },
    });
    const total = seconds(started);
    console.log(
      `${run}: ${report.items} items in ${total.toFixed(1)} s, ${Math.round(report.counts.clients / total)} clients/s ` +
        `(read target + validate ${(writing ?? 0).toFixed(1)} s, write ${(total - (writing ?? 0)).toFixed(1)} s; ` +
        `${report.counts.clients} clients, ${report.counts.serviceAccounts} service accounts, ${report.counts.roles} roles)`,
    );
  }

  // What this benchmark leaves out: hashing imported secrets (one HMAC each under the realm's pepper).
  const sample = 20_000;
  const pepper = randomBytes(32);
  const started = process.hrtime.bigint();
  for (let i = 0; i < sample; i++) hashWithPepper(pepper, `client-${i}`, `secret-${i}`);
  const perSecond = sample / seconds(started);
  console.log(
    `hashing imported secrets: ${Math.round(perSecond)} secrets/s here, so ${options.clients} clients with client secrets ` +
      `would add ≈ ${(options.clients / perSecond).toFixed(2)} s`,
  );
} finally {
  await kmsServer.close();
  await dynamo.stop();
  await rm(kmsDir, { recursive: true, force: true });
}
