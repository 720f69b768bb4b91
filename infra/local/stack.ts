import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { ClientsTable } from '../../lib/store/clientsTable.js';
import { ensureStageKeys, secretsKeyAlias, seedRealm, stageNames } from '../seed.js';
import { startDynamoDbLocal } from './dynamodb.js';
import { FunctionLog } from './functionLog.js';
import { startKmsServer } from '../../tools/local-kms/server.js';
import { createTables, tableNames } from './tables.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO_REALM_FILE = join(PROJECT_ROOT, 'infra/realms/demo-realm.json');

export interface LocalStackOptions {
  /** serverless offline's HTTP port; 0 = do not start serverless offline. */
  port: number;
  dynamodbPort: number;
  kmsPort: number;
  lambdaPort: number;
  /** serverless offline's ALB port (the `alb` front door served beside the HTTP API); 0 or unset = one the OS picks. */
  albPort?: number;
  /** Where DynamoDB Local and the local KMS keep their data; undefined = in memory / a temp dir. */
  dataDir: string;
  stage: string;
  log: (line: string) => void;
  /**
   * Where serverless offline's output (the handlers' logs, audit events included) is written, as
   * JSON lines, rotated (infra/local/functionLog.ts); unset: kept in memory only.
   */
  logFile?: string;
  /**
   * The Admin REST API's first admin (Keycloak's KC_BOOTSTRAP_ADMIN_CLIENT_ID/SECRET), made before
   * serverless offline starts: from the first request the stack answers, the admin's token works.
   */
  bootstrapAdmin?: { clientId: string; secret: string };
  /** Tests fail authentication thousands of times from 127.0.0.1 (the fuzz run); lift the brute-force limits. */
  relaxThrottle?: boolean;
  /**
   * The issuer base URL the handlers use (ISSUER_BASE_URL); default `http://localhost:<port>`, the
   * stack's own address. Like a deployed stage, the issuer never follows the Host header.
   */
  issuerBaseUrl?: string;
  /**
   * Endpoints to use instead of starting DynamoDB Local or the local KMS (AWS_ENDPOINT_URL_DYNAMODB,
   * AWS_ENDPOINT_URL_KMS): a fault proxy, another machine, or a dev stage's tables in AWS.
   */
  endpoints?: { dynamodb?: string; kms?: string };
}

export interface LocalStack {
  /** The environment a process needs to reach this stack with the unmodified AWS SDK. */
  env: Record<string, string>;
  baseUrl: string;
  /** The same functions behind serverless offline's ALB emulation (ALB events), when offline runs. */
  albBaseUrl?: string;
  stop(): Promise<void>;
}

/**
 * The endpoints `npm start` uses instead of starting its own DynamoDB Local or local KMS: the
 * standard AWS SDK variables, when already set (a fault proxy, a dev stage's tables in AWS).
 */
export function endpointsFromEnvironment(env: NodeJS.ProcessEnv): LocalStackOptions['endpoints'] {
  const endpoints = {
    ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
    ...(env.AWS_ENDPOINT_URL_KMS ? { kms: env.AWS_ENDPOINT_URL_KMS } : {}),
  };
  return Object.keys(endpoints).length > 0 ? endpoints : undefined;
}

/**
 * The AWS SDK finds the endpoints through the standard variables. Credentials are dummies (the
 * local services accept any), unless `inherit` (the caller's environment, when it gave an
 * endpoint of its own, which may be real AWS) has a region or credentials of its own.
 */
export function awsEnvironment(dynamodbUrl: string, kmsUrl: string, inherit: NodeJS.ProcessEnv = {}): Record<string, string> {
  const ownCredentials = inherit.AWS_ACCESS_KEY_ID !== undefined || inherit.AWS_PROFILE !== undefined;
  return {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
    AWS_ENDPOINT_URL_KMS: kmsUrl,
    AWS_REGION: inherit.AWS_REGION ?? 'us-east-1',
    ...(ownCredentials ? {} : { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }),
  };
}

/** Starts one of the stack's own services and registers its stop. */
async function startOwn(stops: (() => Promise<void>)[], start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<string> {
  const service = await start();
  stops.push(service.stop);
  return service.url;
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
    const dynamodbUrl = options.endpoints?.dynamodb ?? (await startOwn(stops, () => startDynamoDbLocal(options.dynamodbPort, join(options.dataDir, 'dynamodb'))));
    const kmsUrl =
      options.endpoints?.kms ??
      (await startOwn(stops, async () => {
        const server = await startKmsServer({ port: options.kmsPort, host: '127.0.0.1', dataDir: join(options.dataDir, 'kms') });
        return { url: server.url, stop: server.close };
      }));
    const given = (name: 'dynamodb' | 'kms') => (options.endpoints?.[name] ? ' (given)' : '');
    options.log(`DynamoDB        ${dynamodbUrl}${given('dynamodb')}\nKMS             ${kmsUrl}${given('kms')}`);

    const aws = awsEnvironment(dynamodbUrl, kmsUrl, options.endpoints !== undefined ? process.env : {});
    const names = tableNames(options.stage);
    const clientConfig = { region: aws.AWS_REGION, ...(aws.AWS_ACCESS_KEY_ID === 'local' ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}) };
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamodbUrl });
    const kms = new KMSClient({ ...clientConfig, endpoint: kmsUrl });
    // Idempotent: tables and keys that exist (a restart, a given endpoint) are kept.
    await createTables(dynamodb, names);
    await ensureStageKeys(kms, options.stage);
    const table = new ClientsTable(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), names.clients);
    await seedRealm({ table, kms, realmFile: DEMO_REALM_FILE, stage: options.stage, log: options.log });
    if (options.bootstrapAdmin) {
      const ctx: AdminContext = { names: stageNames(options.stage, names.clients), table, kms, now: () => Math.floor(Date.now() / 1000), localStage: true };
      // A restart sets the secret again, so a changed KC_BOOTSTRAP_ADMIN_CLIENT_SECRET takes effect.
      await bootstrapAdminService(ctx, options.bootstrapAdmin.clientId, options.bootstrapAdmin.secret, { forceSecret: true });
    }

    // Locally, changes (admin CLI, tests) must show on the very next request: a realm TTL of 0 reads
    // the realm's version (one GetItem) on every request, and the realm and its clients are read
    // again only when a write moved it (lib/realmContext.ts, lib/clientCache.ts).
    const env = {
      ...aws,
      CLIENTS_TABLE: names.clients,
      SESSIONS_TABLE: names.sessions,
      SECRETS_KEY_ID: secretsKeyAlias(options.stage),
      REALM_CACHE_TTL_SECONDS: '0',
      CLIENT_CACHE_TTL_SECONDS: '300',
      // A client's jwks.url may be plain http to loopback here, never in a deployed stage.
      LOCAL_STAGE: 'true',
      ...(options.relaxThrottle ? { AUTH_FAILURES_PER_SOURCE: '1000000', AUTH_FAILURES_PER_CLIENT_AND_SOURCE: '1000000' } : {}),
    };
    const baseUrl = `http://localhost:${options.port}`;
    let albBaseUrl: string | undefined;
    if (options.port !== 0) {
      // A server left on the port would answer the readiness check in our place.
      await assertPortFree(options.port);
      await assertPortFree(options.lambdaPort);
      const albPort = options.albPort || (await freePort());
      await assertPortFree(albPort);
      const offline = startServerlessOffline(options, albPort, env, options.issuerBaseUrl ?? baseUrl);
      stops.push(offline.stop);
      await waitForReady(`${baseUrl}/realms/demo/.well-known/openid-configuration`, offline.child, offline.output);
      albBaseUrl = `http://localhost:${albPort}`;
    }
    return { env, baseUrl, albBaseUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function startServerlessOffline(options: LocalStackOptions, albPort: number, env: Record<string, string>, issuerBaseUrl: string) {
  const bin = join(PROJECT_ROOT, 'node_modules/.bin/serverless');
  // The issuer is a serverless.yml parameter (its default, the HTTP API's URL, exists only in AWS).
  // So are the cache lifetimes: serverless.yml's provider.environment takes them from `params`, and
  // under serverless offline it wins over the process environment (--localEnvironment); a CLI
  // `--param` wins over serverless.yml's params, so the functions get this stack's lifetimes.
  const params = [`issuerBaseUrl=${issuerBaseUrl}`, `realmCacheTtlSeconds=${env.REALM_CACHE_TTL_SECONDS}`, `clientCacheTtlSeconds=${env.CLIENT_CACHE_TTL_SECONDS}`];
  const args = [
    'offline', 'start', '--stage', options.stage, '--httpPort', String(options.port), '--lambdaPort', String(options.lambdaPort), '--albPort', String(albPort), '--host', '127.0.0.1', '--localEnvironment',
    // Each function's module loaded once in this process, as one warm container serves requests,
    // instead of a worker thread per concurrent request, each a cold start of its bundle (its own
    // runtime, realm load and key unwrapping): 20 connections made 20 cold starts per function on
    // two cores (docs/performance.md, "The local stack"). Audit lines carry their own request's id
    // (lib/observability.ts), so interleaved requests keep their correlation ids apart.
    '--useInProcess',
    ...params.flatMap((param) => ['--param', param]),
  ];
  // serverless-esbuild's default work folder (.esbuild) is shared by every command in the checkout,
  // and `serverless package` (or another offline run) deletes it when it finishes: this run's
  // bundles live in its own data directory instead (serverless.yml reads SA_ESBUILD_WORK_FOLDER).
  const buildDir = join(options.dataDir, 'esbuild');
  const child = spawn(bin, args, {
    cwd: PROJECT_ROOT,
    env: {
      // serverless offline's own lines per request ("POST … (λ: token)", "RequestId … Duration …")
      // cost it and this process a formatted write each; the handlers' audit lines carry the same
      // facts and are written whatever the level. Warnings and errors stay. SLS_LOG_LEVEL=notice
      // (or debug) in npm start's environment brings them back (docs/performance.md, "The local stack").
      SLS_LOG_LEVEL: 'warning',
      ...process.env,
      ...env,
      SLS_TELEMETRY_DISABLED: '1',
      SA_ESBUILD_WORK_FOLDER: relative(PROJECT_ROOT, buildDir),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last lines in memory, for the error when offline fails to start; all of them in the log file.
  let output = '';
  const logFile = options.logFile ? new FunctionLog(options.logFile) : undefined;
  const collect = (source: 'stdout' | 'stderr') => (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
    logFile?.write(source, chunk);
  };
  child.stdout?.on('data', collect('stdout'));
  child.stderr?.on('data', collect('stderr'));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      logFile?.close();
      await rm(buildDir, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(new Error(`port ${port} is already in use (set PORT / LAMBDA_PORT, or stop what runs there)`)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function waitForReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  // Bundling every function under serverless-esbuild took over two minutes on two shared, busy cores.
  const deadline = Date.now() + 300_000;
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
