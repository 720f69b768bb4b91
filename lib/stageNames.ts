import type { SignatureAlgorithm } from './store/model.js';

/**
 * How a stage's resources are named, as serverless.yml and infra/*.yml name them
 * (`${service}-${stage}-…`). The CLI, the local stack, the bench and the tests derive names from
 * here; the deployed functions read theirs from the environment serverless.yml sets.
 */
export const DEFAULT_SERVICE = 'sa-token-service';

/** What the admin operations need to know of a stage. */
export interface StageNames {
  stage: string;
  /** The Serverless service name, the prefix of every resource name. */
  service: string;
  clientsTable: string;
  /** The stage's KMS signing keys (aliases), used by realms in `kms` signing mode. */
  signingKeyAliases: Record<SignatureAlgorithm, string>;
  /** The stage's symmetric key: wraps envelope signing keys, refresh-token keys, peppers and client-secret-jwt secrets. */
  secretsKeyId: string;
}

export interface TableNames {
  clients: string;
  sessions: string;
}

/** Table names as serverless.yml builds them. */
export function tableNames(stage: string, service = DEFAULT_SERVICE): TableNames {
  return { clients: `${service}-${stage}-clients`, sessions: `${service}-${stage}-sessions` };
}

/** The signing keys' aliases as infra/kms.yml names them. */
export function signingKeyAliases(stage: string, service = DEFAULT_SERVICE) {
  return { RS256: `alias/${service}-${stage}-signing-rs256`, ES256: `alias/${service}-${stage}-signing-es256` } as const;
}

/** The stage's symmetric wrapping key, as infra/kms.yml names it. */
export function secretsKeyAlias(stage: string, service = DEFAULT_SERVICE): string {
  return `alias/${service}-${stage}-secrets`;
}

export function stageNames(stage: string, clientsTable: string, service = DEFAULT_SERVICE): StageNames {
  return { stage, service, clientsTable, signingKeyAliases: signingKeyAliases(stage, service), secretsKeyId: secretsKeyAlias(stage, service) };
}
