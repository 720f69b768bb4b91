import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { ClientsTable } from '../../lib/store/clientsTable.js';
import { ensureStageKeys, secretsKeyAlias, seedRealm, signingKeyAliases } from '../seed.js';
import { startDynamoDbLocal } from './dynamodb.js';
import { startKmsServer } from './kms/server.js';
import { createTables, tableNames } from './tables.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO_REALM_FILE = join(PROJECT_ROOT, 'infra/realms/demo-realm.json');

export interface LocalStackOptions {
  /** serverless offline's HTTP port; 0 = do not start serverless offline. */
  port: number;
  dynamodbPort: number;
  kmsPort: number;
  lambdaPort: number;
  /** Where DynamoDB Local and the local KMS keep their data; undefined = in memory / a temp dir. */
  dataDir: string;
  stage: string;
  log: (line: string) => void;
  /** Where serverless offline's output (the handlers' logs) is appended; by default it is kept in memory only. */
  logFile?: string;
  /** Tests fail authentication thousands of times from 127.0.0.1 (the fuzz run); lift the brute-force limits. */
  relaxThrottle?: boolean;
}

export interface LocalStack {
  /** The environment a process needs to reach this stack with the unmodified AWS SDK. */
  env: Record<string, string>;
  baseUrl: string;
  stop(): Promise<void>;
}

/** The AWS SDK finds local endpoints through the standard variables; credentials are dummies. */
export function awsEnvironment(dynamodbUrl: string, kmsUrl: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
    AWS_ENDPOINT_URL_KMS: kmsUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

/**
 * The whole product on one machine: DynamoDB Local, the local KMS, the tables from
 * infra/dynamodb.yml, the signing keys, the demo realm, and serverless offline in front of the
 * handlers. Idempotent: a restart on the same data directory keeps everything.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  try {
    const dynamo = await startDynamoDbLocal(options.dynamodbPort, join(options.dataDir, 'dynamodb'));
    stops.push(dynamo.stop);
    const kmsServer = await startKmsServer({ port: options.kmsPort, host: '127.0.0.1', dataDir: join(options.dataDir, 'kms') });
    stops.push(kmsServer.close);
    options.log(`DynamoDB Local  ${dynamo.url}\nlocal KMS       ${kmsServer.url}`);

    const aws = awsEnvironment(dynamo.url, kmsServer.url);
    const names = tableNames(options.stage);
    const clientConfig = { region: aws.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamo.url });
    const kms = new KMSClient({ ...clientConfig, endpoint: kmsServer.url });
    await createTables(dynamodb, names);
    const aliases = signingKeyAliases(options.stage);
    await ensureStageKeys(kms, options.stage);
    const table = new ClientsTable(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), names.clients);
    await seedRealm({ table, kms, realmFile: DEMO_REALM_FILE, aliases, secretsKeyId: secretsKeyAlias(options.stage), log: options.log });

    // Locally, changes (admin CLI, tests) must show on the very next request.
    const env = {
      ...aws,
      CLIENTS_TABLE: names.clients,
      SESSIONS_TABLE: names.sessions,
      SECRETS_KEY_ID: secretsKeyAlias(options.stage),
      REALM_CACHE_TTL_SECONDS: '0',
      CLIENT_CACHE_TTL_SECONDS: '0',
      ...(options.relaxThrottle ? { AUTH_FAILURES_PER_SOURCE: '1000000', AUTH_FAILURES_PER_CLIENT_AND_SOURCE: '1000000' } : {}),
    };
    const baseUrl = `http://localhost:${options.port}`;
    if (options.port !== 0) {
      // A server left on the port would answer the readiness check in our place.
      await assertPortFree(options.port);
      await assertPortFree(options.lambdaPort);
      const offline = startServerlessOffline(options, env);
      stops.push(offline.stop);
      await waitForReady(`${baseUrl}/realms/demo/.well-known/openid-configuration`, offline.child, offline.output);
    }
    return { env, baseUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function startServerlessOffline(options: LocalStackOptions, env: Record<string, string>) {
  const bin = join(PROJECT_ROOT, 'node_modules/.bin/serverless');
  const args = ['offline', 'start', '--stage', options.stage, '--httpPort', String(options.port), '--lambdaPort', String(options.lambdaPort), '--host', '127.0.0.1', '--localEnvironment'];
  // serverless.yml's provider environment wins over the process environment under serverless offline,
  // so the zero cache times of `env` above reach the functions only as stage params.
  args.push('--param', `realmCacheTtlSeconds=${env.REALM_CACHE_TTL_SECONDS}`, '--param', `clientCacheTtlSeconds=${env.CLIENT_CACHE_TTL_SECONDS}`);
  const child = spawn(bin, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env, SLS_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const logFile = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
    logFile?.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      logFile?.end();
    },
  };
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(new Error(`port ${port} is already in use (set PORT / LAMBDA_PORT, or stop what runs there)`)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function waitForReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serverless offline exited:\n${output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`serverless offline did not become ready:\n${output()}`);
}
