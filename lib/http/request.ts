import type { ALBEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { invalidRequest } from './errors.js';

/** The parts of an HTTP request the endpoints use, independent of the front door's event shape. */
export interface HttpRequest {
  method: string;
  /** The raw path, e.g. `/auth/realms/demo/protocol/openid-connect/token`. */
  path: string;
  /** The raw query string without `?` (the Admin REST API reads `clientId`, `first`, `max`, …). */
  query?: string;
  realm: string;
  /** Header names lower-cased. Repeated headers are joined with a comma, as API Gateway HTTP APIs join them. */
  headers: Record<string, string>;
  /** The body as text (the front door's base64 encoding undone). */
  body: string;
  sourceIp: string;
  /** `scheme://host` the client used: the default issuer base when none is configured. */
  origin: string;
  /** The request used Keycloak's legacy `/auth` prefix, so links and issuer keep it. */
  legacyAuthPrefix: boolean;
  requestId: string;
}

/** What a function receives: an API Gateway HTTP API event (payload 2.0) or an Application Load Balancer event. */
export type LambdaHttpEvent = APIGatewayProxyEventV2 | ALBEvent;

/** Beyond this a form is refused outright: no OAuth request needs more. */
export const MAX_BODY_BYTES = 64 * 1024;

export const isAlbEvent = (event: LambdaHttpEvent): event is ALBEvent => (event as ALBEvent).requestContext?.elb !== undefined;

export function fromLambdaEvent(event: LambdaHttpEvent): HttpRequest {
  return isAlbEvent(event) ? fromAlbEvent(event) : fromApiGatewayEvent(event);
}

export function fromApiGatewayEvent(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  const source = event.headers;
  // A for…in over the plain object API Gateway sends: no entries array per request on the hot path.
  for (const name in source) {
    const value = source[name];
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const path = event.rawPath ?? '';
  // Not X-Forwarded-Host: a client could choose the issuer of its own tokens. API Gateway routes by Host.
  const host = headers.host ?? event.requestContext?.domainName ?? 'localhost';
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path,
    query: event.rawQueryString ?? '',
    realm: event.pathParameters?.realm ?? '',
    headers,
    body: decodeBody(event.body, event.isBase64Encoded),
    sourceIp: event.requestContext?.http?.sourceIp ?? '',
    origin: origin(headers, host),
    legacyAuthPrefix: path.startsWith('/auth/'),
    requestId: requestIdOf(event),
  };
}

/**
 * An Application Load Balancer event (Lambda target group). Unlike API Gateway the ALB gives no
 * path parameters, no source IP and no request id: the realm is the path segment after `/realms/`
 * (the listener rules send only Keycloak's paths here), the client address is the last entry of
 * X-Forwarded-For (the ALB appends the address it saw; earlier entries are the client's own say),
 * and the request id is the X-Amzn-Trace-Id the ALB adds. With multi-value headers enabled on the
 * target group, repeated headers are joined with a comma, as API Gateway joins them, so a repeated
 * Authorization header is refused the same way behind both front doors.
 */
export function fromAlbEvent(event: ALBEvent): HttpRequest {
  const headers: Record<string, string> = {};
  if (event.multiValueHeaders) {
    for (const name in event.multiValueHeaders) {
      const values = event.multiValueHeaders[name];
      if (values !== undefined && values.length > 0) headers[name.toLowerCase()] = values.join(',');
    }
  } else {
    for (const name in event.headers) {
      const value = event.headers[name];
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
  }
  const path = event.path ?? '';
  const forwardedFor = headers['x-forwarded-for'] ?? '';
  return {
    method: event.httpMethod ?? 'GET',
    path,
    realm: realmFromPath(path),
    headers,
    body: decodeBody(event.body, event.isBase64Encoded),
    sourceIp: forwardedFor.slice(forwardedFor.lastIndexOf(',') + 1).trim(),
    origin: origin(headers, headers.host ?? 'localhost'),
    legacyAuthPrefix: path.startsWith('/auth/'),
    requestId: requestIdOf(event),
  };
}

/** API Gateway's request id, or for the ALB (which has none) the X-Amzn-Trace-Id it adds to every request. */
export function requestIdOf(event: LambdaHttpEvent): string {
  if (!isAlbEvent(event)) return event.requestContext?.requestId ?? '';
  return event.multiValueHeaders?.['x-amzn-trace-id']?.[0] ?? event.headers?.['x-amzn-trace-id'] ?? '';
}

const REALM_IN_PATH = /^(?:\/auth)?\/realms\/([^/]+)\//;

/** `/realms/{realm}/…` or `/auth/realms/{realm}/…`, percent-decoded as API Gateway decodes path parameters. */
export function realmFromPath(path: string): string {
  const segment = REALM_IN_PATH.exec(path)?.[1];
  if (segment === undefined) return '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function origin(headers: Record<string, string>, host: string): string {
  // Both front doors always set X-Forwarded-Proto (https); without it we are behind a plain local server.
  const proto = (headers['x-forwarded-proto'] ?? 'http').split(',')[0]!.trim();
  return `${proto === 'http' ? 'http' : 'https'}://${host.split(',')[0]!.trim()}`;
}

function decodeBody(raw: string | null | undefined, isBase64Encoded: boolean | undefined): string {
  const text = raw ?? '';
  // Check the size before decoding so a huge base64 body is never materialised twice.
  if (text.length > (isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES)) {
    throw invalidRequest('Request body too large', 413);
  }
  const body = isBase64Encoded ? decodeUtf8(Buffer.from(text, 'base64')) : text;
  // Only a body that may hold multi-byte characters can be longer in bytes than in characters.
  if (body.length * 3 > MAX_BODY_BYTES && Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw invalidRequest('Request body too large', 413);
  return body;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Invalid UTF-8 is refused, as it is in percent-encoding, never silently replaced by U+FFFD. */
function decodeUtf8(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw invalidRequest('Malformed body: not UTF-8');
  }
}
