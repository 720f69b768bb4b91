import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { buildAwsClients } from './awsClients.js';
import { authenticateClient } from './clientAuth/authenticate.js';
import { clientSecretBasic } from './clientAuth/clientSecretBasic.js';
import { clientSecretJwt } from './clientAuth/clientSecretJwt.js';
import { clientSecretPost } from './clientAuth/clientSecretPost.js';
import { DEFAULT_JWKS_FETCHER_OPTIONS, JwksFetcher } from './clientAuth/jwksFetcher.js';
import type { AuthenticatedClient, ClientAuthInput, ClientAuthMethod } from './clientAuth/method.js';
import { federatedJwt } from './clientAuth/federatedJwt.js';
import { DEFAULT_ISSUER_KEYS_OPTIONS, IssuerKeys } from './clientAuth/issuerKeys.js';
import { privateKeyJwt } from './clientAuth/privateKeyJwt.js';
import { DEFAULT_STS_CALLER_OPTIONS, stsCallerIdentity } from './clientAuth/stsCallerIdentity.js';
import { publicClient } from './clientAuth/publicClient.js';
import { SecretVerifier } from './clientAuth/secretVerifier.js';
import { realmPeppers } from './clientAuth/secretPepper.js';
import { loadConfig, type Config } from './config.js';
import { UnwrappedKeys } from './kms/wrappedKey.js';
import { Observability } from './observability.js';
import type { HttpRequest } from './http/request.js';
import { ClientCache } from './clientCache.js';
import { RealmCache } from './realmContext.js';
import { SignerCache } from './signing/keyRing.js';
import { ClientsTable } from './store/clientsTable.js';
import { SessionsTable } from './store/sessionsTable.js';
import { FailureCounters } from './store/failureCounters.js';
import { Throttle } from './clientAuth/throttle.js';
import { activeTokenReads, type ActiveTokenReads } from './tokens/activeAccessToken.js';

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
  /** What "is this access token still active?" reads (lib/tokens/activeAccessToken.ts). */
  tokenReads: ActiveTokenReads;
  realms: RealmCache;
  clientAuthMethods: ClientAuthMethod[];
  /** Identity providers' keys (federated-jwt), cached per container. */
  issuerKeys: IssuerKeys;
  observability: Observability;
  throttle: Throttle;
  clientCache: ClientCache;
  /** Each realm's client-secret pepper, unwrapped once per container (read by client authentication). */
  peppers: ReturnType<typeof realmPeppers>;
  /** Epoch seconds. */
  now(): number;
}

export interface RuntimeOverrides {
  config?: Config;
  dynamodb?: DynamoDBClient;
  kms?: KMSClient;
  now?: () => number;
  observability?: Observability;
  /**
   * The function signs tokens (token, refresh): it unwraps a realm's envelope keys as soon as the
   * realm loads. Every other function only publishes or checks public keys and never asks KMS to
   * unwrap a private key (its role may not: infra/kms.yml).
   */
  signsTokens?: boolean;
}

export function createRuntime(overrides: RuntimeOverrides = {}): Runtime {
  const config = overrides.config ?? loadConfig();
  const now = overrides.now ?? (() => Math.floor(Date.now() / 1000));
  const { kms, doc } = buildAwsClients('token', overrides);
  const clients = new ClientsTable(doc, config.clientsTable);
  const unwrapped = new UnwrappedKeys(kms);
  const peppers = realmPeppers(unwrapped);
  const secrets = new SecretVerifier({
    now,
    peppers,
    upgrade: (realm, clientId, field, previous, next) => clients.upgradeSecretHash(realm, clientId, field, previous, next),
  });
  const sessions = new SessionsTable(doc, config.sessionsTable);
  const realms = new RealmCache(clients, new SignerCache(kms), config.realmCacheTtlSeconds, { warmSigners: overrides.signsTokens === true });
  const assertionDeps = { useOnce: sessions.useOnce.bind(sessions), now };
  const observability = overrides.observability ?? new Observability();
  const issuerKeys = new IssuerKeys({ ...DEFAULT_ISSUER_KEYS_OPTIONS, allowLoopbackHttp: config.localStage === true });
  return {
    config,
    kms,
    clients,
    sessions,
    tokenReads: activeTokenReads(clients, sessions),
    realms,
    // Order matters only for presence: credentialed methods are tried before the bare client_id.
    clientAuthMethods: [
      clientSecretBasic(secrets),
      clientSecretPost(secrets),
      privateKeyJwt(assertionDeps, new JwksFetcher({ ...DEFAULT_JWKS_FETCHER_OPTIONS, allowLoopbackHttp: config.localStage === true })),
      clientSecretJwt(assertionDeps, unwrapped),
      federatedJwt({
        ...assertionDeps,
        keys: issuerKeys,
        onKeysUnavailable: (alias, reason) => observability.log({ level: 'WARN', message: 'identity provider keys unavailable', alias, reason }),
        callerIdentity: stsCallerIdentity({
          ...DEFAULT_STS_CALLER_OPTIONS,
          // Only the local stage sends to a loopback STS double; loadConfig refuses the override anywhere else.
          ...(config.localStage && config.localStsEndpoint ? { endpointOverride: config.localStsEndpoint, allowLoopbackHttp: true } : {}),
        }),
        onStsUnavailable: (alias, reason) => observability.log({ level: 'WARN', message: 'STS unavailable for an aws-iam assertion', alias, reason }),
      }),
      publicClient,
    ],
    issuerKeys,
    observability,
    throttle: new Throttle(
      { windowSeconds: 60, perSource: config.authFailuresPerSource, perClientAndSource: config.authFailuresPerClientAndSource },
      new FailureCounters(doc, config.sessionsTable),
    ),
    clientCache: new ClientCache(clients, config.clientCacheTtlSeconds),
    peppers,
    now,
  };
}

/** `realmVersion`: the version of the realm context this request holds, so the client cache drops clients read before a later write. */
export function authenticate(runtime: Runtime, input: ClientAuthInput, realmVersion?: number): Promise<AuthenticatedClient> {
  const { throttle } = runtime;
  return authenticateClient(
    {
      methods: runtime.clientAuthMethods,
      async lookup(realm, clientId, sourceIp) {
        throttle.checkBeforeVerifying(realm, clientId, sourceIp, runtime.now());
        return runtime.clientCache.get(realm, clientId, realmVersion);
      },
      recordFailure: (realm, clientId, sourceIp) => throttle.recordFailure(realm, clientId, sourceIp, runtime.now()),
    },
    input,
  );
}

/** `{base}/realms/{realm}`, base from ISSUER_BASE_URL or else the request's own origin (and its legacy `/auth`). */
export function issuerFor(runtime: Pick<Runtime, 'config'>, request: HttpRequest, realm: string): string {
  const base = runtime.config.issuerBaseUrl ?? request.origin;
  return `${base}${request.legacyAuthPrefix ? '/auth' : ''}/realms/${encodeURIComponent(realm)}`;
}

/** Both issuer forms of a realm (with and without Keycloak's legacy `/auth`): tokens from either are ours. */
export function issuersFor(runtime: Pick<Runtime, 'config'>, request: HttpRequest, realm: string): string[] {
  const plain = issuerFor(runtime, { ...request, legacyAuthPrefix: false }, realm);
  return [plain, issuerFor(runtime, { ...request, legacyAuthPrefix: true }, realm)];
}

/** What a function does with a preloaded realm beyond reading it, so it preloads only what it may and will use. */
export interface PreloadScope {
  /** Signs tokens: unwrap the realm's envelope signing keys (only the token and refresh functions may: infra/kms.yml). */
  signsTokens?: boolean;
  /** Authenticates clients: cache the realm's clients, unwrap its client-secret pepper and refresh-token key. */
  authenticatesClients?: boolean;
}

/**
 * PRELOAD_REALMS, at container init (top-level await in the function modules, so inside Lambda's
 * init phase): each realm's settings, roles, scopes and keys, and as the function needs them its
 * clients, its client-secret pepper and its unwrapped signing and refresh-token keys, so the first
 * request after a cold start makes no DynamoDB or KMS call for these realms. A failure only logs:
 * the first request then loads what it needs itself, as without preloading. Unset by default:
 * which realms is the deployment's choice (serverless.yml `preloadRealms`), because every cold
 * start of every function pays for every realm listed, hot or not.
 */
export async function preloadRealms(runtime: Runtime, scope: PreloadScope = {}): Promise<void> {
  const realms = runtime.config.preloadRealms ?? [];
  // Each part on its own: a KMS failure still leaves the realm and its clients loaded.
  const parts = realms.flatMap((realm) => [
    runtime.realms.get(realm).then((context) =>
      Promise.all([scope.signsTokens ? context.keys.ready() : undefined, scope.authenticatesClients ? context.refreshKey?.ready() : undefined]),
    ),
    // The realm (and so its version) before its clients: clients read after the version are at least that new.
    scope.authenticatesClients
      ? runtime.realms.get(realm).then(({ version }) => runtime.clients.listClients(realm).then((clients) => runtime.clientCache.prime(realm, clients, version)))
      : undefined,
    // The realm's pepper comes with the realm's Query; unwrapping it is the part that costs a KMS call.
    scope.authenticatesClients ? runtime.realms.get(realm).then((context) => runtime.peppers.get(realm, context.pepperCiphertext)) : undefined,
  ]);
  const results = await Promise.allSettled(parts);
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    const err = result.reason as Error | undefined;
    runtime.observability.log({ level: 'WARN', message: 'realm preload failed', realm: realms[Math.floor(i / 3)], errorName: err?.name, errorMessage: err?.message });
  });
}
