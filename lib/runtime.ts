import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { authenticateClient } from './clientAuth/authenticate.js';
import { clientSecretBasic } from './clientAuth/clientSecretBasic.js';
import { clientSecretJwt } from './clientAuth/clientSecretJwt.js';
import { clientSecretPost } from './clientAuth/clientSecretPost.js';
import { JwksFetcher } from './clientAuth/jwksFetcher.js';
import type { AuthenticatedClient, ClientAuthInput, ClientAuthMethod } from './clientAuth/method.js';
import { privateKeyJwt } from './clientAuth/privateKeyJwt.js';
import { publicClient } from './clientAuth/publicClient.js';
import { SecretVerifier } from './clientAuth/secretVerifier.js';
import { loadConfig, type Config } from './config.js';
import { deadlineMiddleware } from './deadline.js';
import { Observability } from './observability.js';
import type { HttpRequest } from './http/request.js';
import { ClientCache } from './clientCache.js';
import { RealmCache } from './realmContext.js';
import { SignerCache } from './signing/keyRing.js';
import { ClientsTable } from './store/clientsTable.js';
import { SessionsTable } from './store/sessionsTable.js';
import { Throttle } from './clientAuth/throttle.js';

/**
 * Everything a Lambda container builds once, at init, and passes to the endpoints: the
 * configuration, the AWS SDK clients (which keep their connections alive between invocations),
 * the stores, the caches and the clock.
 */
export interface Runtime {
  config: Config;
  kms: KMSClient;
  clients: ClientsTable;
  sessions: SessionsTable;
  realms: RealmCache;
  clientAuthMethods: ClientAuthMethod[];
  observability: Observability;
  throttle: Throttle;
  clientCache: ClientCache;
  /** Epoch seconds. */
  now(): number;
}

/**
 * DynamoDB and KMS answer in single-digit milliseconds; an attempt that takes a second is a
 * failing dependency. Two attempts each, within the per-request budget (lib/deadline.ts), keep
 * a failing dependency's answer (503) well inside the 10 s function timeout. Connections are kept
 * alive between invocations (the SDK's default in Node).
 */
export const AWS_CLIENT_CONFIG = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 300, requestTimeout: 1000, throwOnRequestTimeout: true },
} as const;

export interface RuntimeOverrides {
  config?: Config;
  dynamodb?: DynamoDBClient;
  kms?: KMSClient;
  now?: () => number;
  observability?: Observability;
}

export function createRuntime(overrides: RuntimeOverrides = {}): Runtime {
  const config = overrides.config ?? loadConfig();
  const now = overrides.now ?? (() => Math.floor(Date.now() / 1000));
  const dynamodb = overrides.dynamodb ?? new DynamoDBClient(AWS_CLIENT_CONFIG);
  const kms = overrides.kms ?? new KMSClient(AWS_CLIENT_CONFIG);
  const deadline = { step: 'finalizeRequest', name: 'requestDeadline', priority: 'low' } as const;
  dynamodb.middlewareStack.add(deadlineMiddleware as never, deadline);
  kms.middlewareStack.add(deadlineMiddleware as never, deadline);
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const clients = new ClientsTable(doc, config.clientsTable);
  const secrets = new SecretVerifier(now);
  const sessions = new SessionsTable(doc, config.sessionsTable);
  const assertionDeps = { useOnce: sessions.useOnce.bind(sessions), now };
  return {
    config,
    kms,
    clients,
    sessions,
    realms: new RealmCache(clients, new SignerCache(kms), config.realmCacheTtlSeconds),
    // Order matters only for presence: credentialed methods are tried before the bare client_id.
    clientAuthMethods: [
      clientSecretBasic(secrets),
      clientSecretPost(secrets),
      privateKeyJwt(assertionDeps, new JwksFetcher()),
      clientSecretJwt(assertionDeps, kms),
      publicClient,
    ],
    observability: overrides.observability ?? new Observability(),
    throttle: new Throttle({ windowSeconds: 60, perSource: config.authFailuresPerSource, perClientAndSource: config.authFailuresPerClientAndSource }),
    clientCache: new ClientCache(clients, config.clientCacheTtlSeconds),
    now,
  };
}

export function authenticate(runtime: Runtime, input: ClientAuthInput): Promise<AuthenticatedClient> {
  const { throttle } = runtime;
  return authenticateClient(
    {
      methods: runtime.clientAuthMethods,
      async lookup(realm, clientId, sourceIp) {
        throttle.checkBlocked(throttle.keys(realm, clientId, sourceIp, runtime.now()), runtime.now());
        return runtime.clientCache.get(realm, clientId);
      },
      async recordFailure(realm, clientId, sourceIp) {
        const now = runtime.now();
        const keys = throttle.keys(realm, clientId, sourceIp, now);
        const expiresAt = throttle.windowEnd(now) + throttle.policy.windowSeconds;
        const [source, clientAndSource] = await Promise.all([
          runtime.sessions.countFailure(keys.source, expiresAt),
          runtime.sessions.countFailure(keys.clientAndSource, expiresAt),
        ]);
        throttle.afterFailure(keys, { source, clientAndSource }, now);
      },
    },
    input,
  );
}

/** `{base}/realms/{realm}`, base from ISSUER_BASE_URL or else the request's own origin (and its legacy `/auth`). */
export function issuerFor(runtime: Runtime, request: HttpRequest, realm: string): string {
  const base = runtime.config.issuerBaseUrl ?? request.origin;
  return `${base}${request.legacyAuthPrefix ? '/auth' : ''}/realms/${encodeURIComponent(realm)}`;
}

/** Both issuer forms of a realm (with and without Keycloak's legacy `/auth`): tokens from either are ours. */
export function issuersFor(runtime: Runtime, request: HttpRequest, realm: string): string[] {
  const plain = issuerFor(runtime, { ...request, legacyAuthPrefix: false }, realm);
  return [plain, issuerFor(runtime, { ...request, legacyAuthPrefix: true }, realm)];
}

/**
 * PRELOAD_REALMS, at container init (top-level await in the function modules, so inside Lambda's
 * init phase): each realm's settings, roles, scopes and keys (envelope keys unwrapped: one
 * kms:Decrypt) and its clients, so the first request after a cold start makes no DynamoDB or KMS
 * call for these realms. A failure only logs: the first request then loads what it needs itself,
 * as without preloading. Unset by default: what to preload is the deployment's choice (serverless.yml
 * `preloadRealms`), because every cold start of every function pays for every listed realm.
 */
export async function preloadRealms(runtime: Runtime): Promise<void> {
  await Promise.all(
    (runtime.config.preloadRealms ?? []).map(async (realm) => {
      try {
        const [context, clients] = await Promise.all([runtime.realms.get(realm), runtime.clients.listClients(realm)]);
        runtime.clientCache.prime(realm, clients);
        await context.keys.ready();
      } catch (err) {
        runtime.observability.log({ level: 'WARN', message: 'realm preload failed', realm, errorName: (err as Error)?.name, errorMessage: (err as Error)?.message });
      }
    }),
  );
}
