import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { AdminContext } from './admin/context.js';
import { ClientListingCursors } from './admin/clientCursors.js';
import { authenticateBearer, type BearerDeps } from './adminApi/auth.js';
import type { AdminApiDeps } from './adminApi/router.js';
import { loadConfig, type Config } from './config.js';
import { buildAwsClients } from './awsClients.js';
import { LoadingCache } from './cache.js';
import type { HttpRequest } from './http/request.js';
import type { RealmContext } from './realmContext.js';
import { issuersFor } from './runtime.js';
import { KeyRing, SignerCache } from './signing/keyRing.js';
import { ClientsTable } from './store/clientsTable.js';
import type { SignatureAlgorithm } from './model/stored.js';
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
  // The admin API is not on the token path: KMS key generation may take its time (lib/awsClients.ts).
  const { kms, doc } = buildAwsClients('admin', overrides);
  const table = new ClientsTable(doc, config.clientsTable);
  const sessions = new SessionsTable(doc, config.sessionsTable);
  const admin: AdminContext = {
    names: {
      stage: env.STAGE ?? '',
      service: env.SERVICE_NAME ?? 'sa-token-service',
      clientsTable: config.clientsTable,
      sessionsTable: config.sessionsTable,
      // Only `kms`-mode key operations name the stage keys; realms made here use envelope keys.
      signingKeyAliases: { RS256: env.SIGNING_KEY_RS256 ?? '', ES256: env.SIGNING_KEY_ES256 ?? '' } satisfies Record<SignatureAlgorithm, string>,
      secretsKeyId: config.secretsKeyId,
    },
    table,
    sessions,
    kms,
    now,
    realmCacheTtlSeconds: config.realmCacheTtlSeconds,
    // The local stage's issuers and JWKS are plain http on loopback (lib/clientAuth/jwksUrl.ts).
    localStage: config.localStage === true,
    clientCursors: new ClientListingCursors(),
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
  private readonly entries: LoadingCache<string, RealmContext | undefined>;

  constructor(
    private readonly table: ClientsTable,
    private readonly signers: SignerCache,
    ttlSeconds: number,
  ) {
    this.entries = new LoadingCache({ maxEntries: 1000, ttlMs: ttlSeconds * 1000 });
  }

  async get(realm: string): Promise<RealmContext | undefined> {
    const context = await this.entries.get(realm, () => this.load(realm));
    return context?.settings.enabled ? context : undefined;
  }

  private async load(realm: string): Promise<RealmContext | undefined> {
    const data = await this.table.loadRealm(realm);
    if (!data) return undefined;
    return { ...tokenRealm(data), keys: new KeyRing(realm, data.keys, this.signers) };
  }
}
