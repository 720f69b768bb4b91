import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { AdminContext } from './admin/context.js';
import { authenticateBearer, type BearerDeps } from './adminApi/auth.js';
import type { AdminApiDeps } from './adminApi/router.js';
import { loadConfig, type Config } from './config.js';
import { deadlineMiddleware } from './deadline.js';
import type { HttpRequest } from './http/request.js';
import type { RealmContext } from './realmContext.js';
import { issuersFor } from './runtime.js';
import { KeyRing, SignerCache } from './signing/keyRing.js';
import { ClientsTable } from './store/clientsTable.js';
import type { SignatureAlgorithm } from './store/model.js';
import { SessionsTable } from './store/sessionsTable.js';
import { activeTokenReads } from './tokens/activeAccessToken.js';
import { tokenRealm } from './tokens/tokenContext.js';

/**
 * What the admin function builds once per container: the stores, KMS, the admin operations'
 * context (the same lib/admin operations sa-admin calls) and bearer authentication. Apart from
 * lib/runtime.ts so the token function's bundle never carries the admin code.
 */
export interface AdminRuntime {
  config: Config;
  deps: AdminApiDeps;
  /** One JSON line per entry on stdout (CloudWatch); never a body, a secret or a token. */
  log(entry: Record<string, unknown>): void;
}

/**
 * The admin API is not on the token path: creating a realm generates key pairs and data keys in
 * KMS, which can take longer than the token functions' one-second attempts allow
 * (lib/runtime.ts AWS_CLIENT_CONFIG). serverless.yml gives the function 29 s, the HTTP API's limit.
 */
const ADMIN_AWS_CLIENT_CONFIG = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
} as const;

/** The per-request time budget (lib/deadline.ts), inside the function's 29 s timeout. */
export const ADMIN_BUDGET_MS = 25_000;

export interface AdminRuntimeOverrides {
  env?: NodeJS.ProcessEnv;
  dynamodb?: DynamoDBClient;
  kms?: KMSClient;
  now?: () => number;
}

export function createAdminRuntime(overrides: AdminRuntimeOverrides = {}): AdminRuntime {
  const env = overrides.env ?? process.env;
  const config = loadConfig(env);
  if (!config.secretsKeyId) throw new Error('SECRETS_KEY_ID is not set');
  const now = overrides.now ?? (() => Math.floor(Date.now() / 1000));
  const dynamodb = overrides.dynamodb ?? new DynamoDBClient(ADMIN_AWS_CLIENT_CONFIG);
  const kms = overrides.kms ?? new KMSClient(ADMIN_AWS_CLIENT_CONFIG);
  const deadline = { step: 'finalizeRequest', name: 'requestDeadline', priority: 'low' } as const;
  dynamodb.middlewareStack.add(deadlineMiddleware as never, deadline);
  kms.middlewareStack.add(deadlineMiddleware as never, deadline);
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const table = new ClientsTable(doc, config.clientsTable);
  const sessions = new SessionsTable(doc, config.sessionsTable);
  const admin: AdminContext = {
    names: {
      stage: env.STAGE ?? '',
      service: env.SERVICE_NAME ?? 'sa-token-service',
      clientsTable: config.clientsTable,
      // Only `kms`-mode key operations name the stage keys; realms made here use envelope keys.
      signingKeyAliases: { RS256: env.SIGNING_KEY_RS256 ?? '', ES256: env.SIGNING_KEY_ES256 ?? '' } satisfies Record<SignatureAlgorithm, string>,
      secretsKeyId: config.secretsKeyId,
    },
    table,
    kms,
    now,
    // The local stage's issuers and JWKS are plain http on loopback (lib/clientAuth/jwksUrl.ts).
    localStage: config.localStage === true,
  };
  const realms = new VerificationRealms(table, new SignerCache(kms), config.realmCacheTtlSeconds);
  const bearer: BearerDeps = {
    ...activeTokenReads(table, sessions),
    realm: (name) => realms.get(name),
    issuers: (request: HttpRequest, realm: string) => issuersFor({ config }, request, realm),
    now,
  };
  // Plain JSON lines rather than Powertools: the admin bundle stays under 400 KB without its logger and metrics.
  const log = (entry: Record<string, unknown>) => console.log(JSON.stringify({ timestamp: new Date().toISOString(), ...entry }));
  return {
    config,
    log,
    deps: {
      admin,
      authenticate: (request) => authenticateBearer(bearer, request),
      audit: (event) => log({ level: 'INFO', message: 'admin event', ...event }),
    },
  };
}

/**
 * Realms as bearer verification needs them (public keys, role graph), cached for the realm cache
 * time. Unlike lib/realmContext.ts it never unwraps envelope signing keys: the admin function
 * does not sign, and its role may not decrypt them.
 */
class VerificationRealms {
  private readonly entries = new Map<string, { expires: number; context: Promise<RealmContext | undefined> }>();

  constructor(
    private readonly table: ClientsTable,
    private readonly signers: SignerCache,
    private readonly ttlSeconds: number,
  ) {}

  async get(realm: string): Promise<RealmContext | undefined> {
    const now = Date.now();
    let entry = this.entries.get(realm);
    if (!entry || entry.expires <= now) {
      entry = { expires: now + this.ttlSeconds * 1000, context: this.load(realm) };
      if (this.entries.size >= 1000) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(realm, entry);
      entry.context.catch(() => this.entries.delete(realm));
    }
    const context = await entry.context;
    return context?.settings.enabled ? context : undefined;
  }

  private async load(realm: string): Promise<RealmContext | undefined> {
    const data = await this.table.loadRealm(realm);
    if (!data) return undefined;
    return { ...tokenRealm(data), keys: new KeyRing(realm, data.keys, this.signers) };
  }
}
