import { randomUUID } from 'node:crypto';
import type { ALBEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

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

/**
 * An Application Load Balancer event as the ALB builds it for a Lambda target group: with
 * `multiValueHeaders` when the target group enables them (the alb front door does), else `headers`.
 */
export function albEvent(options: {
  method?: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  isBase64Encoded?: boolean;
  multiValueHeaders?: boolean;
}): ALBEvent {
  const headers: Record<string, string[]> = { host: ['sso.example.com'], 'x-forwarded-proto': ['https'], 'x-forwarded-for': ['203.0.113.9'], 'x-amzn-trace-id': [`Root=1-${randomUUID()}`] };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name] = [value].flat();
  const multi = options.multiValueHeaders ?? true;
  return {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/token/0123456789abcdef' } },
    httpMethod: options.method ?? 'POST',
    path: options.path,
    ...(multi
      ? { multiValueHeaders: headers, multiValueQueryStringParameters: {} }
      : { headers: Object.fromEntries(Object.entries(headers).map(([name, values]) => [name, values.at(-1)!])), queryStringParameters: {} }),
    body: options.body ?? '',
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}
