import type { KMSClient } from '@aws-sdk/client-kms';
import { buildAwsClients } from '../awsClients.js';
import type { ClientListingCursors } from './clientCursors.js';
import { ClientsTable } from '../store/clientsTable.js';
import type { StageNames } from '../deployment/stageNames.js';
import { SessionsTable } from '../store/sessionsTable.js';
import type { SignatureAlgorithm } from '../model/stored.js';

/**
 * What the admin operations work on: one stage's clients table and KMS keys, reached with the
 * standard AWS SDK configuration (region, profile, credentials, AWS_ENDPOINT_URL_*), or the local
 * stack's endpoints. The names come from the caller (lib/deployment/stageNames.ts, where their type
 * lives: deployment knows nothing of the admin operations).
 */
export interface AdminContext {
  names: StageNames;
  table: ClientsTable;
  /** Present when the stage names its sessions table (StageNames.sessionsTable). */
  sessions?: SessionsTable;
  kms: KMSClient;
  /** Epoch seconds. */
  now(): number;
  /**
   * The stage's REALM_CACHE_TTL_SECONDS, where the caller knows it (the admin function reads its
   * own configuration): how long a token function may keep signing with a key just rotated out.
   */
  realmCacheTtlSeconds?: number;
  /**
   * The target is the local stack (its tables are on this machine): a client's `jwks.url` may
   * then be plain http to a loopback address (lib/clientAuth/jwksUrl.ts). Deployed stages: https only.
   */
  localStage?: boolean;
  /**
   * Where pages of client listings start, kept for the container's life (the admin function's);
   * without it every page reads the keys of the clients before it.
   */
  clientCursors?: ClientListingCursors;
}

export interface LocalEndpoints {
  dynamodb: string;
  kms: string;
}

export function createAdminContext(options: { names: StageNames; local?: LocalEndpoints; localStage?: boolean; now?: () => number }): AdminContext {
  const { kms, doc } = buildAwsClients('cli', { local: options.local });
  return {
    names: options.names,
    table: new ClientsTable(doc, options.names.clientsTable),
    ...(options.names.sessionsTable === undefined ? {} : { sessions: new SessionsTable(doc, options.names.sessionsTable) }),
    kms,
    now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    localStage: options.local !== undefined || options.localStage === true,
  };
}
