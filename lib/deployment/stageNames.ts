/**
 * How a deployed stage names its resources, as serverless.yml and infra/*.yml build them
 * (`${service}-${stage}-…`). The CLI, the local stack and the seed derive every name from here.
 */
import type { SignatureAlgorithm } from '../model/stored.js';

/**
 * What the admin operations need to know of a stage: its resources' names, as the deployed
 * stack names them (stageNames below derives them from the stage).
 */
export interface StageNames {
  stage: string;
  /** The Serverless service name, the prefix of every resource name. */
  service: string;
  clientsTable: string;
  /** The sessions table: only the operations on sessions (list a client's, end one) need it. */
  sessionsTable?: string;
  /** The stage's KMS signing keys (aliases), used by realms in `kms` signing mode. */
  signingKeyAliases: Record<SignatureAlgorithm, string>;
  /** The stage's symmetric key: wraps envelope signing keys, refresh-token keys, peppers and client-secret-jwt secrets. */
  secretsKeyId: string;
}

/** The Serverless service name, the prefix of every resource name. */
export const SERVICE = 'sa-token-service';

export interface TableNames {
  clients: string;
  sessions: string;
}

/** Table names as serverless.yml builds them: `${service}-${stage}-<name>`. */
export function tableNames(stage: string, service = SERVICE): TableNames {
  return { clients: `${service}-${stage}-clients`, sessions: `${service}-${stage}-sessions` };
}

/**
 * The signing keys' aliases as infra/kms.yml names them. CloudFormation creates them when
 * deployed; the local stack creates them in the local KMS.
 */
export function signingKeyAliases(stage: string, service = SERVICE) {
  return { RS256: `alias/${service}-${stage}-signing-rs256`, ES256: `alias/${service}-${stage}-signing-es256` } as const;
}

/** The stage's symmetric wrapping key, as infra/kms.yml names it. */
export function secretsKeyAlias(stage: string, service = SERVICE): string {
  return `alias/${service}-${stage}-secrets`;
}

/** What the admin operations need to know of a stage, named as infra/*.yml name its resources. */
export function stageNames(stage: string, clientsTable = tableNames(stage).clients, service = SERVICE): StageNames {
  return { stage, service, clientsTable, sessionsTable: tableNames(stage, service).sessions, signingKeyAliases: signingKeyAliases(stage, service), secretsKeyId: secretsKeyAlias(stage, service) };
}
