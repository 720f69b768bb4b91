import { withDeadline } from '../deadline.js';
import { OAuthError, temporarilyUnavailable } from './errors.js';
import { fromLambdaEvent, requestIdOf, type HttpRequest, type LambdaHttpEvent } from './request.js';
import { json, NO_STORE, toLambdaResult, type HttpResponse, type LambdaHttpResult } from './response.js';

export type Endpoint = (request: HttpRequest) => Promise<HttpResponse>;

export interface HandlerOptions {
  /** Token-endpoint family: every response, errors too, carries Cache-Control: no-store. */
  noStore?: boolean;
  log?: (entry: Record<string, unknown>) => void;
  /** Per-request hooks: correlation id at the start, metrics flushed at the end. */
  observe?: { startRequest(requestId: string): void; endRequest(): void; log(entry: Record<string, unknown>): void };
  /** Time budget per request; serverless.yml's function timeout (10 s) leaves room above it. */
  budgetMs?: number;
}

export const DEFAULT_BUDGET_MS = 8000;

/**
 * Adapts an endpoint to a Lambda handler behind either front door (API Gateway HTTP API or an
 * Application Load Balancer, answered in the shape of the event that came in), and is the one place where
 * errors become HTTP responses: OAuthError as its OAuth body, a failing dependency as 503
 * temporarily_unavailable, anything else as a bare 500 that reveals nothing.
 */
export function httpHandler(endpoint: Endpoint, options: HandlerOptions = {}) {
  const log = options.log ?? (options.observe ? (entry: Record<string, unknown>) => options.observe!.log(entry) : (entry) => console.error(JSON.stringify(entry)));
  return async (event: LambdaHttpEvent): Promise<LambdaHttpResult> => {
    const requestId = requestIdOf(event);
    options.observe?.startRequest(requestId);
    let response: HttpResponse;
    try {
      response = await withDeadline(options.budgetMs ?? DEFAULT_BUDGET_MS, () => endpoint(fromLambdaEvent(event)));
    } catch (err) {
      response = renderError(err, log, requestId);
    }
    if (options.noStore) response.headers = { ...response.headers, ...NO_STORE };
    options.observe?.endRequest();
    return toLambdaResult(response, event);
  };
}

export function renderError(err: unknown, log: (entry: Record<string, unknown>) => void, requestId?: string): HttpResponse {
  const known = err instanceof OAuthError ? err : isDependencyFailure(err) ? temporarilyUnavailable() : undefined;
  if (!known) {
    // Only the error's class and message: never the request, which may carry credentials.
    log({ level: 'ERROR', message: 'unhandled error', requestId, errorName: (err as Error)?.name, errorMessage: (err as Error)?.message });
    return json(500, { error: 'server_error', error_description: 'Internal server error' });
  }
  if (known !== err) {
    log({ level: 'WARN', message: 'dependency failure', requestId, errorName: (err as Error)?.name, errorMessage: (err as Error)?.message });
  }
  const body: Record<string, string> = { error: known.error };
  if (known.description !== undefined) body.error_description = known.description;
  return json(known.status, body, known.headers);
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** DynamoDB or KMS could not answer (throttled, down, unreachable), as opposed to a bug of ours. */
export function isDependencyFailure(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.$fault === 'server') return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return e.cause !== undefined && e.cause !== err && isDependencyFailure(e.cause);
}
