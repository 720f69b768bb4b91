import { STATUS_CODES } from 'node:http';
import type { ALBResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isAlbEvent, type LambdaHttpEvent } from './request.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

/** What a function returns: API Gateway's structured result, or the ALB's (for an ALB event). */
export type LambdaHttpResult = APIGatewayProxyStructuredResultV2 | ALBResult;

/**
 * Token responses and errors must not be cached (RFC 6749 §5.1); Keycloak sends both headers on
 * every token-endpoint response, errors included.
 */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function empty(statusCode: number, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { ...headers }, body: '' };
}

/**
 * The response in the shape of the front door that sent the event. API Gateway takes the
 * structured result as it is. The ALB wants a status line (`statusDescription`), an explicit
 * `isBase64Encoded`, and `multiValueHeaders` instead of `headers` when the target group has
 * multi-value headers enabled, which it tells by sending `multiValueHeaders` in the event
 * (Elastic Load Balancing guide, "Lambda functions as targets").
 */
export function toLambdaResult(response: HttpResponse, event: LambdaHttpEvent): LambdaHttpResult {
  if (!isAlbEvent(event)) return response;
  const result: ALBResult = {
    statusCode: response.statusCode,
    statusDescription: `${response.statusCode} ${STATUS_CODES[response.statusCode] ?? ''}`.trim(),
    body: response.body ?? '',
    isBase64Encoded: response.isBase64Encoded ?? false,
  };
  const headers = response.headers;
  if (event.multiValueHeaders) {
    const multiValueHeaders: Record<string, string[]> = {};
    for (const name in headers) multiValueHeaders[name] = [headers[name]!];
    result.multiValueHeaders = multiValueHeaders;
  } else {
    result.headers = headers;
  }
  return result;
}
