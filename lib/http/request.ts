import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { invalidRequest } from './errors.js';

/** The parts of an HTTP request the endpoints use, independent of API Gateway's event shape. */
export interface HttpRequest {
  method: string;
  /** The raw path, e.g. `/auth/realms/demo/protocol/openid-connect/token`. */
  path: string;
  /** The raw query string without `?` (the Admin REST API reads `clientId`, `first`, `max`, …). */
  query?: string;
  realm: string;
  /** Header names lower-cased. API Gateway HTTP APIs join repeated headers with a comma. */
  headers: Record<string, string>;
  /** The body as text (API Gateway's base64 encoding undone). */
  body: string;
  sourceIp: string;
  /** `scheme://host` the client used: the default issuer base when none is configured. */
  origin: string;
  /** The request used Keycloak's legacy `/auth` prefix, so links and issuer keep it. */
  legacyAuthPrefix: boolean;
  requestId: string;
}

/** Beyond this a form is refused outright: no OAuth request needs more. */
export const MAX_BODY_BYTES = 64 * 1024;

export function fromApiGatewayEvent(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const raw = event.body ?? '';
  // Check the size before decoding so a huge base64 body is never materialised twice.
  if (raw.length > (event.isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES)) {
    throw invalidRequest('Request body too large', 413);
  }
  const body = event.isBase64Encoded ? decodeUtf8(Buffer.from(raw, 'base64')) : raw;
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw invalidRequest('Request body too large', 413);

  const path = event.rawPath ?? '';
  // Not X-Forwarded-Host: a client could choose the issuer of its own tokens. API Gateway routes by Host.
  const host = headers.host ?? event.requestContext?.domainName ?? 'localhost';
  // API Gateway always sets X-Forwarded-Proto (https); without it we are behind a plain local server.
  const proto = (headers['x-forwarded-proto'] ?? 'http').split(',')[0]!.trim();
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path,
    query: event.rawQueryString ?? '',
    realm: event.pathParameters?.realm ?? '',
    headers,
    body,
    sourceIp: event.requestContext?.http?.sourceIp ?? '',
    origin: `${proto === 'http' ? 'http' : 'https'}://${host.split(',')[0]!.trim()}`,
    legacyAuthPrefix: path.startsWith('/auth/'),
    requestId: event.requestContext?.requestId ?? '',
  };
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
