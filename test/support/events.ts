import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** An API Gateway HTTP API (payload 2.0) event as API Gateway builds it. */
export function apiEvent(options: {
  method?: string;
  path: string;
  realm?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  sourceIp?: string;
}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  return {
    version: '2.0',
    routeKey: `${method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: '',
    headers: { host: 'localhost:3000', 'x-forwarded-proto': 'http', ...(options.headers ?? {}) },
    pathParameters: { realm: options.realm ?? 'demo' },
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: options.path, protocol: 'HTTP/1.1', sourceIp: options.sourceIp ?? '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: `${method} ${options.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  } as APIGatewayProxyEventV2;
}

export const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A client_credentials grant with HTTP Basic through an in-process handler; the parsed answer. */
export async function basicGrant(
  handler: (event: APIGatewayProxyEventV2) => Promise<{ statusCode?: number; body?: string }>,
  realm: string,
  clientId: string,
  secret: string,
): Promise<{ status: number; body: any }> {
  const res = await handler(
    apiEvent({
      path: `/realms/${realm}/protocol/openid-connect/token`,
      realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) },
      body: 'grant_type=client_credentials',
    }),
  );
  return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
}
