/**
 * Service configuration, read from the environment once per Lambda container.
 * Everything else receives a Config value; nothing deeper in lib/ reads process.env.
 */
export interface Config {
  /** DynamoDB table holding realms, roles, client scopes, clients and signing keys. */
  clientsTable: string;
  /** DynamoDB table holding sessions, revoked token ids and single-use markers (all with TTL). */
  sessionsTable: string;
  /**
   * Base URL the issuer is built from (`{base}/realms/{realm}`), and the only one client
   * assertions may name as audience. Every deployed stage sets it (serverless.yml: the HTTP API's
   * own URL, or the `issuerBaseUrl` parameter for a custom domain), and `npm start` sets it to its
   * own address. Only an in-process runtime without it (the integration tests) takes the request's
   * origin, as Keycloak does without a configured hostname.
   */
  issuerBaseUrl?: string;
  /**
   * The local stage (`npm start`, `npm test`): a client's `jwks.url` may be plain http to a
   * loopback address. LOCAL_STAGE=true; never set in a deployed stage.
   */
  localStage?: boolean;
  /**
   * LOCAL_STS_ENDPOINT, the local stage only: where `aws-iam` assertions' GetCallerIdentity
   * requests go instead of their STS host (a loopback URL; a test double answers there). Refused
   * at start without LOCAL_STAGE=true: in a deployed stage the STS host is always AWS's.
   */
  localStsEndpoint?: string;
  /** How long realm-level data (settings, composite roles, client scopes, keys) is cached per container. */
  realmCacheTtlSeconds: number;
  /** How long each container caches client records (0: read the client on every request). */
  clientCacheTtlSeconds: number;
  /**
   * The stage's symmetric KMS key (id, ARN or alias) that wraps envelope signing keys and
   * `client-secret-jwt` secrets. Unset: neither feature is available.
   */
  secretsKeyId?: string;
  /** Failed client authentications allowed per minute from one address, and for one client from one address. */
  authFailuresPerSource: number;
  authFailuresPerClientAndSource: number;
  /**
   * PRELOAD_REALMS: realms (comma-separated) a container loads at init, before its first request:
   * settings, roles, scopes, keys (envelope keys unwrapped) and clients. Unset: none.
   */
  preloadRealms?: string[];
  /**
   * REFRESH_RETRY_GRACE_SECONDS: for how long after a rotating refresh the same client may present
   * the spent refresh token again and get the same successor, so a refresh whose answer was lost
   * does not end its session as reuse (RFC 9700 §4.14.2). 0 disables it. docs/refresh-tokens.md.
   */
  refreshRetryGraceSeconds: number;
}

/** Default lifetime of the per-container realm cache: a role or scope change shows on new tokens within this. */
export const DEFAULT_REALM_CACHE_TTL_SECONDS = 60;

/** Default lifetime of a cached client record: a disabled client or rotated secret takes effect within this. */
export const DEFAULT_CLIENT_CACHE_TTL_SECONDS = 30;

/** Default refresh retry grace: long enough for a client's timeout and one retry, short enough to bound a stolen spent token. */
export const DEFAULT_REFRESH_RETRY_GRACE_SECONDS = 30;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const ttl = env.REALM_CACHE_TTL_SECONDS;
  const parsedTtl = ttl === undefined || ttl === '' ? DEFAULT_REALM_CACHE_TTL_SECONDS : Number(ttl);
  if (!Number.isFinite(parsedTtl) || parsedTtl < 0) {
    throw new Error('REALM_CACHE_TTL_SECONDS must be a non-negative number');
  }
  return {
    clientsTable: required(env, 'CLIENTS_TABLE'),
    sessionsTable: required(env, 'SESSIONS_TABLE'),
    issuerBaseUrl: issuerBaseUrl(env),
    localStage: env.LOCAL_STAGE === 'true',
    localStsEndpoint: localStsEndpoint(env),
    realmCacheTtlSeconds: parsedTtl,
    clientCacheTtlSeconds: nonNegative(env, 'CLIENT_CACHE_TTL_SECONDS', DEFAULT_CLIENT_CACHE_TTL_SECONDS),
    secretsKeyId: env.SECRETS_KEY_ID || undefined,
    authFailuresPerSource: positiveInteger(env, 'AUTH_FAILURES_PER_SOURCE', 30),
    authFailuresPerClientAndSource: positiveInteger(env, 'AUTH_FAILURES_PER_CLIENT_AND_SOURCE', 10),
    refreshRetryGraceSeconds: nonNegative(env, 'REFRESH_RETRY_GRACE_SECONDS', DEFAULT_REFRESH_RETRY_GRACE_SECONDS),
    preloadRealms: [...new Set((env.PRELOAD_REALMS ?? '').split(',').map((realm) => realm.trim()).filter((realm) => realm !== ''))],
  };
}

/**
 * ISSUER_BASE_URL: an absolute https URL (plain http only to this machine), no query or fragment,
 * trailing slashes dropped. A function running in AWS (not under serverless offline) without it
 * refuses to start: the issuer would otherwise follow the Host header a client sends.
 */
export function issuerBaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.ISSUER_BASE_URL;
  if (!value) {
    if (env.AWS_LAMBDA_FUNCTION_NAME && env.IS_OFFLINE !== 'true') throw new Error('ISSUER_BASE_URL must be set in a deployed stage');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('ISSUER_BASE_URL must be an absolute URL');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new Error('ISSUER_BASE_URL must be https (http only to localhost)');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw new Error('ISSUER_BASE_URL must not have a query, fragment or credentials');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function localStsEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.LOCAL_STS_ENDPOINT;
  if (!value) return undefined;
  if (env.LOCAL_STAGE !== 'true') throw new Error('LOCAL_STS_ENDPOINT is for the local stage only (LOCAL_STAGE=true)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('LOCAL_STS_ENDPOINT must be an absolute URL');
  }
  if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) throw new Error('LOCAL_STS_ENDPOINT must be a URL on this machine');
  return value;
}

function nonNegative(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative number`);
  return parsed;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${name} must be a positive integer`);
  return parsed;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
