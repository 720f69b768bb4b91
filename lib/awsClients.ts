import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { deadlineMiddleware } from './deadline.js';

/**
 * How patient each caller is with DynamoDB and KMS.
 * - `token`: DynamoDB and KMS answer in single-digit milliseconds; an attempt that takes a second
 *   is a failing dependency. Two attempts each, within the per-request budget (lib/deadline.ts),
 *   keep a failing dependency's answer (503) well inside the 10 s function timeout.
 * - `admin`: creating a realm generates key pairs and data keys in KMS, which can take longer than
 *   one second; serverless.yml gives the admin function 29 s, the HTTP API's limit.
 * - `cli`: the SDK's defaults (an operator waits at a terminal).
 * Connections are kept alive between invocations (the SDK's default in Node).
 */
export const AWS_CLIENT_PROFILES = {
  token: { maxAttempts: 2, requestHandler: { connectionTimeout: 300, requestTimeout: 1000, throwOnRequestTimeout: true } },
  admin: { maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true } },
  cli: {},
} as const satisfies Record<string, DynamoDBClientConfig>;

export type AwsClientProfile = keyof typeof AWS_CLIENT_PROFILES;

export interface AwsClients {
  dynamodb: DynamoDBClient;
  kms: KMSClient;
  /** Document client over `dynamodb`; undefined attributes are left out, as every store writes them. */
  doc: DynamoDBDocumentClient;
}

export interface AwsClientOptions {
  /** Clients built by the caller (tests count or fault their calls); they get the deadline middleware too. */
  dynamodb?: DynamoDBClient;
  kms?: KMSClient;
  /** Endpoints of the local stack, which has no credentials or region of its own (any value works). */
  local?: { dynamodb: string; kms: string };
}

/**
 * The SDK rebuilds a command's middleware chain on every `send` (copies and sorts the client's
 * stack) unless `cacheMiddleware` keeps one handler per command class: a quarter of a call's
 * client-side CPU (scripts/bench/sdkCallCost.ts, docs/performance.md "One DynamoDB call's CPU").
 * The cached chain is the stack as it is at the first send, so nothing may be added to these
 * clients later: buildAwsClients adds the deadline before returning them. DynamoDB cannot have it:
 * lib-dynamodb's document client refuses a client with `cacheMiddleware` (its commands carry their
 * own marshalling middleware, which a cached chain would replay for the wrong input).
 */
const KMS_CLIENT_CONFIG = { cacheMiddleware: true } as const;

const LOCAL_CLIENT_CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/**
 * The AWS SDK clients of one container or CLI run, built once. Every attempt (retries included)
 * checks the request's time budget first (lib/deadline.ts: `finalizeRequest` runs once per attempt
 * inside the SDK's retry loop); outside a budget the check does nothing.
 */
export function buildAwsClients(profile: AwsClientProfile, options: AwsClientOptions = {}): AwsClients {
  const config = AWS_CLIENT_PROFILES[profile];
  const dynamodb = options.dynamodb ?? new DynamoDBClient(options.local ? { ...config, ...LOCAL_CLIENT_CONFIG, endpoint: options.local.dynamodb } : config);
  const kmsConfig = { ...config, ...KMS_CLIENT_CONFIG };
  const kms = options.kms ?? new KMSClient(options.local ? { ...kmsConfig, ...LOCAL_CLIENT_CONFIG, endpoint: options.local.kms } : kmsConfig);
  const deadline = { step: 'finalizeRequest', name: 'requestDeadline', priority: 'low' } as const;
  dynamodb.middlewareStack.add(deadlineMiddleware as never, deadline);
  kms.middlewareStack.add(deadlineMiddleware as never, deadline);
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  return { dynamodb, kms, doc };
}
