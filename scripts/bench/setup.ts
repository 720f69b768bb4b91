/**
 * The local stack the benchmark runs against: DynamoDB Local in memory, the local KMS as a child
 * process (so its signing CPU is never counted as the handler's), the tables of a `bench` stage,
 * the stage keys, and one realm per signing mode and algorithm, each copied from the demo realm
 * and given two service-account clients with a generated secret.
 */
import { secretsKeyAlias, signingKeyAliases, tableNames } from '../../lib/deployment/stageNames.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildEvent, matchRoute, type Route } from '../../infra/local/apiGateway.js';
import { startDynamoDbLocal } from '../../infra/local/dynamodb.js';
import { awsEnvironment, DEMO_REALM_FILE, PROJECT_ROOT } from '../../infra/local/stack.js';
import { createTables } from '../../infra/local/tables.js';
import { ensureStageKeys } from '../../infra/seed.js';
import { createClient } from '../../lib/admin/clients.js';
import { createIdentityProvider } from '../../lib/admin/identityProviders.js';
import { importRealm, parseRealmExport } from '../../lib/admin/realmImport.js';
import { parseIdentityProvider } from '../../lib/representation/identityProvider.js';
import { generateSecret, hashGeneratedSecret } from '../../lib/clientAuth/secretHash.js';
import { createSigningKey } from '../../lib/signing/keys.js';
import { ClientsTable } from '../../lib/store/clientsTable.js';
import type { ClientRecord, SignatureAlgorithm, SigningMode } from '../../lib/model/stored.js';

export const STAGE = 'bench';

/** The payload-2.0 event API Gateway sends the token function for a client_credentials grant with HTTP Basic. */
export function grantEvent(routes: Route[], realm: string, clientId: string, secret: string): APIGatewayProxyEventV2 {
  return tokenEvent(routes, realm, ['Authorization', `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`], 'grant_type=client_credentials');
}

/** The same grant authenticated by a signed assertion in the form (private_key_jwt, federated-jwt), no Authorization header. */
export function assertionGrantEvent(routes: Route[], realm: string, assertion: string): APIGatewayProxyEventV2 {
  return tokenEvent(routes, realm, [], assertionForm(assertion));
}

/** The form body of a grant authenticated by `assertion` (a compact JWS needs no escaping). */
export const assertionForm = (assertion: string): string =>
  `grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=${assertion}`;

function tokenEvent(routes: Route[], realm: string, authorization: string[], body: string): APIGatewayProxyEventV2 {
  const path = `/realms/${realm}/protocol/openid-connect/token`;
  const matched = matchRoute(routes, 'POST', path);
  if (!matched) throw new Error(`no route for POST ${path}`);
  return buildEvent(
    {
      method: 'POST',
      url: path,
      rawHeaders: [
        'Host', 'localhost:8443',
        ...authorization,
        'Content-Type', 'application/x-www-form-urlencoded',
        'User-Agent', 'bench',
      ],
      body: Buffer.from(body),
      sourceIp: '127.0.0.1',
      localPort: 8443,
    },
    matched.route,
    matched.pathParameters,
  );
}

/** The memory every function is given: serverless.yml's `provider.memorySize`. */
export async function deployedMemoryMb(): Promise<number> {
  const config = parse(await readFile(join(PROJECT_ROOT, 'serverless.yml'), 'utf8')) as { provider: { memorySize: number } };
  return Number(config.provider.memorySize);
}

export interface BenchRealm {
  name: string;
  mode: SigningMode;
  alg: SignatureAlgorithm;
}

/** One realm per signing mode and algorithm; each signs with `alg` by default. */
export const BENCH_REALMS: readonly BenchRealm[] = [
  { name: 'bench-envelope-rs256', mode: 'envelope', alg: 'RS256' },
  { name: 'bench-envelope-es256', mode: 'envelope', alg: 'ES256' },
  { name: 'bench-kms-rs256', mode: 'kms', alg: 'RS256' },
  { name: 'bench-kms-es256', mode: 'kms', alg: 'ES256' },
];

export const realmFor = (mode: SigningMode, alg: SignatureAlgorithm): string => `bench-${mode}-${alg.toLowerCase()}`;

/** Stateless (Keycloak's default): a grant reads the client and writes nothing. */
export const BENCH_CLIENT = 'bench-client';
/** `client_credentials.use_refresh_token`: a grant also stores a session and returns a refresh token. */
export const BENCH_REFRESH_CLIENT = 'bench-refresh-client';
/** A copy of the demo's `full-scope-client`: every realm and client role in its token. */
export const BENCH_FULL_SCOPE_CLIENT = 'bench-full-scope-client';
/** A copy of `product-sa-client` with ten more protocol mappers (hardcoded claims, typed and nested). */
export const BENCH_MAPPERS_CLIENT = 'bench-mappers-client';
/** private_key_jwt (`client-jwt`) with a static JWKS: the assertion case federated-jwt is compared with (issue 21.6). */
export const BENCH_JWT_CLIENT = 'bench-jwt-client';
/** federated-jwt, trusting an STS-shaped issuer (OIDC type, static key: a warm grant fetches nothing either way). */
export const BENCH_FEDERATED_CLIENT = 'bench-federated-client';
export const BENCH_FEDERATED_ISSUER = 'https://a1b2c3d4-e5f6-4a5b-9c8d-0123456789ab.tokens.sts.global.api.aws';
export const BENCH_ROLE_ARN = 'arn:aws:iam::123456789012:role/bench-lambda';

/** The key both assertion clients' assertions are signed with (ES256: cheap to mint a pool of them before measuring). */
export interface AssertionKey {
  privateKey: KeyObject;
  kid: string;
}

/** The demo client the bench clients copy: a couple of realm and client roles, scope mappings, an audience. */
const TEMPLATE_CLIENT = 'product-sa-client';

/** Every client the bench seeds in each realm, all with the same generated secret. */
const SEEDED_CLIENTS: readonly { clientId: string; template: string; refresh: boolean; extraMappers: number }[] = [
  { clientId: BENCH_CLIENT, template: TEMPLATE_CLIENT, refresh: false, extraMappers: Number(process.env.BENCH_EXTRA_MAPPERS ?? 0) },
  { clientId: BENCH_REFRESH_CLIENT, template: TEMPLATE_CLIENT, refresh: true, extraMappers: Number(process.env.BENCH_EXTRA_MAPPERS ?? 0) },
  { clientId: BENCH_FULL_SCOPE_CLIENT, template: 'full-scope-client', refresh: false, extraMappers: 0 },
  { clientId: BENCH_MAPPERS_CLIENT, template: TEMPLATE_CLIENT, refresh: false, extraMappers: 10 },
];

export interface BenchStack {
  /** What a process needs to run the handlers against this stack (tables, endpoints, keys). */
  env: Record<string, string>;
  /** The generated secret of both bench clients in every bench realm (and of oidc-provider's client). */
  secret: string;
  /** Signs the assertions of BENCH_JWT_CLIENT and BENCH_FEDERATED_CLIENT (both in the envelope RS256 realm). */
  assertionKey: AssertionKey;
  dynamodbUrl: string;
  kmsUrl: string;
  kmsPid: number;
  stop(): Promise<void>;
}

export async function startBenchStack(log: (line: string) => void): Promise<BenchStack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'sa-token-bench-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    const dynamo = await startDynamoDbLocal(await freePort());
    stops.push(dynamo.stop);
    const kms = await startKmsChild(join(dataDir, 'kms'));
    stops.push(kms.stop);
    log(`DynamoDB Local ${dynamo.url} (in memory), local KMS ${kms.url} (pid ${kms.pid})`);

    const aws = awsEnvironment(dynamo.url, kms.url);
    const clientConfig = { region: aws.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamo.url });
    const kmsClient = new KMSClient({ ...clientConfig, endpoint: kms.url });
    const names = tableNames(STAGE);
    await createTables(dynamodb, names);
    await ensureStageKeys(kmsClient, STAGE);
    const table = new ClientsTable(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), names.clients);
    const secret = generateSecret();
    await seedBenchRealms(table, kmsClient, secret);
    const assertionKey = await seedAssertionClients(table, kmsClient, realmFor('envelope', 'RS256'), names.clients);
    log(`realms ${BENCH_REALMS.map((realm) => realm.name).join(', ')} with clients ${SEEDED_CLIENTS.map((client) => client.clientId).join(', ')}; ${realmFor('envelope', 'RS256')} also ${BENCH_JWT_CLIENT}, ${BENCH_FEDERATED_CLIENT}`);
    dynamodb.destroy();
    kmsClient.destroy();

    return {
      env: {
        ...aws,
        CLIENTS_TABLE: names.clients,
        SESSIONS_TABLE: names.sessions,
        SECRETS_KEY_ID: secretsKeyAlias(STAGE),
        // The deployed default (serverless.yml), not the local stack's 0: warm containers cache realms.
        REALM_CACHE_TTL_SECONDS: '60',
      },
      secret,
      assertionKey,
      dynamodbUrl: dynamo.url,
      kmsUrl: kms.url,
      kmsPid: kms.pid,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The demo realm's settings, roles and scopes under each bench realm's name, a signing key per
 * algorithm in the realm's mode, and the two bench clients: copies of `product-sa-client` with a
 * generated secret stored as its SHA-256, as the admin CLI stores generated secrets.
 */
async function seedBenchRealms(table: ClientsTable, kms: KMSClient, secret: string): Promise<void> {
  const parsed = await parseRealmExport(JSON.parse(await readFile(DEMO_REALM_FILE, 'utf8')));
  const templateOf = (clientId: string) => {
    const template = parsed.items.find((item) => item.kind === 'client' && item.clientId === clientId);
    if (!template || template.kind !== 'client') throw new Error(`the demo realm has no ${clientId}`);
    return template;
  };
  const now = Math.floor(Date.now() / 1000);
  const aliases = signingKeyAliases(STAGE);
  for (const realm of BENCH_REALMS) {
    const items = parsed.items.map((item) =>
      item.kind === 'settings'
        ? { ...item, realm: realm.name, defaultSignatureAlgorithm: realm.alg, signingMode: realm.mode }
        : item.kind === 'client'
          ? { ...item, realm: realm.name }
          : item,
    );
    await importRealm(table, { ...parsed, realm: realm.name, items });
    for (const alg of ['RS256', 'ES256'] as const) {
      await createSigningKey(kms, table, realm.name, {
        alg,
        mode: realm.mode,
        kmsKeyId: realm.mode === 'kms' ? aliases[alg] : undefined,
        wrappingKeyId: realm.mode === 'envelope' ? secretsKeyAlias(STAGE) : undefined,
        retainPreviousFor: 0,
        now,
      });
    }
    for (const seeded of SEEDED_CLIENTS) await table.putClient(benchClient(templateOf(seeded.template), realm.name, seeded, secret));
  }
}

/** A bench client: a copy of a demo client under another id, with `secret` stored as the admin CLI stores generated secrets. */
export function benchClient(
  template: ClientRecord,
  realm: string,
  seeded: { clientId: string; refresh: boolean; extraMappers: number },
  secret: string,
): ClientRecord {
  const { kind: _kind, ...base } = template as ClientRecord & { kind?: string };
  const { 'client_credentials.use_refresh_token': _, ...attributes } = base.attributes;
  return {
    ...base,
    realm,
    clientId: seeded.clientId,
    id: randomUUID(),
    secretHash: hashGeneratedSecret(secret),
    rotatedSecretHash: undefined,
    rotatedSecretExpiresAt: undefined,
    attributes: seeded.refresh ? { ...attributes, 'client_credentials.use_refresh_token': 'true' } : attributes,
    serviceAccount: { id: randomUUID(), username: `service-account-${seeded.clientId}`, roles: base.serviceAccount!.roles },
    protocolMappers: [...(base.protocolMappers ?? []), ...extraMappers(seeded.extraMappers)],
  };
}

/**
 * The two clients that authenticate with a signed assertion, made as the admin CLI makes them (no
 * roles: the two are compared with each other, not with the bench clients): a private_key_jwt
 * client with the public key as `jwks.string`, and a federated-jwt client of an OIDC identity
 * provider with the same key as `publicKeySignatureVerifier`.
 */
async function seedAssertionClients(table: ClientsTable, kms: KMSClient, realm: string, clientsTable: string): Promise<AssertionKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'bench-assertion-key';
  const admin = {
    names: { stage: STAGE, service: 'sa-token-service', clientsTable, signingKeyAliases: signingKeyAliases(STAGE), secretsKeyId: secretsKeyAlias(STAGE) },
    table,
    kms,
    now: () => Math.floor(Date.now() / 1000),
  };
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  await createClient(admin, realm, BENCH_JWT_CLIENT, { clientAuthenticatorType: 'client-jwt', serviceAccountsEnabled: true, attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [jwk] }) } });
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  await createIdentityProvider(
    admin,
    realm,
    parseIdentityProvider({ alias: 'bench-sts', providerId: 'oidc', config: { issuer: BENCH_FEDERATED_ISSUER, supportsClientAssertions: 'true', useJwksUrl: 'false', publicKeySignatureVerifier: pem, publicKeySignatureVerifierKeyId: kid } }),
  );
  await createClient(admin, realm, BENCH_FEDERATED_CLIENT, { clientAuthenticatorType: 'federated-jwt', serviceAccountsEnabled: true, attributes: { 'jwt.credential.issuer': 'bench-sts', 'jwt.credential.sub': BENCH_ROLE_ARN } });
  return { privateKey, kid };
}

/**
 * BENCH_EXTRA_MAPPERS=N gives the bench clients N more protocol mappers (hardcoded claims, each
 * typed and nested), to measure what mappers cost a grant (issue 10).
 */
function extraMappers(count: number): NonNullable<ClientRecord['protocolMappers']> {
  return Array.from({ length: Number.isInteger(count) && count > 0 ? count : 0 }, (_, i) => ({
    id: randomUUID(),
    name: `bench claim ${i}`,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-hardcoded-claim-mapper',
    config: { 'claim.name': `bench.claim${i}`, 'claim.value': String(i), 'jsonType.label': 'long', 'access.token.claim': 'true', 'introspection.token.claim': 'true' },
  }));
}

/** Starts the local KMS as its own process (`tools/local-kms/main.ts`) on an ephemeral port. */
async function startKmsChild(dataDir: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/local-kms/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, KMS_PORT: '0', KMS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await waitForLine(child, /listening on (http:\/\/\S+)/, 'local KMS');
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

/** Resolves with the first capture group of the first stdout line matching `pattern`. */
export function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        cleanup();
        resolve(match[1]!);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`${what} exited (${code}):\n${output}`));
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
    child.once('exit', onExit);
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
