/**
 * A small local stand-in for an API Gateway HTTP API (payload format 2.0) in front of the
 * handlers in functions/: routes read from serverless.yml, the Lambda event built as API Gateway
 * builds it, the structured result written back. It exists so that a load test measures the
 * handlers and not `serverless offline`'s own machinery; it is not a general emulator (no
 * authorizers, no CORS, no stage variables, no timeouts).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parse } from 'yaml';

export type LambdaHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

export interface Route {
  method: string;
  /** The route's path template, e.g. `/realms/{realm}/protocol/openid-connect/token`. */
  path: string;
  /** serverless.yml's `handler`, e.g. `functions/token.handler`. */
  handler: string;
  /** Matches a raw path; the named groups are the path parameters. */
  pattern: RegExp;
}

/** Every `httpApi` event of every function in serverless.yml. */
export async function routesFromServerlessYml(projectRoot: string): Promise<Route[]> {
  const config = parse(await readFile(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    functions: Record<string, { handler: string; events?: { httpApi?: { method: string; path: string } }[] }>;
  };
  const routes: Route[] = [];
  for (const fn of Object.values(config.functions)) {
    for (const event of fn.events ?? []) {
      if (!event.httpApi) continue;
      const { method, path } = event.httpApi;
      routes.push({ method: method.toUpperCase(), path, handler: fn.handler, pattern: templatePattern(path) });
    }
  }
  // API Gateway picks the most specific route and a greedy `{proxy+}` last: the console's and
  // adminHeavy's routes lie inside the admin function's `/admin/{proxy+}` (matchRoute takes the first match).
  const greedy = (route: Route) => (route.path.includes('+}') ? 1 : 0);
  return routes.sort((a, b) => greedy(a) - greedy(b));
}

/**
 * `{name}` matches one non-empty path segment and a greedy `{name+}` the rest of the path (the
 * admin function's `/admin/{proxy+}`), as in API Gateway route templates; the rest is literal.
 */
function templatePattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) =>
      /^\{[^}+]+\+\}$/.test(part)
        ? `(?<${part.slice(1, -2)}>.+)`
        : /^\{[^}+]+\}$/.test(part)
          ? `(?<${part.slice(1, -1)}>[^/]+)`
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

export function matchRoute(routes: Route[], method: string, rawPath: string): { route: Route; pathParameters: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const match = route.pattern.exec(rawPath);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) pathParameters[name] = safeDecode(value);
    return { route, pathParameters };
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Content types API Gateway HTTP APIs pass as text; every other body, a missing Content-Type and
 * `application/x-www-form-urlencoded` included, arrives base64-encoded with `isBase64Encoded: true`
 * (observed against AWS and written down in ministackorg/ministack#766; AWS's documentation says only
 * "if the content type of the request is binary").
 */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type.startsWith('text/') || ['application/json', 'application/xml', 'application/javascript'].includes(type);
}

export interface RawRequest {
  method: string;
  /** Path and query string as sent, e.g. `/realms/demo/protocol/openid-connect/token?x=1`. */
  url: string;
  /** Header name/value pairs in the order received (Node's `rawHeaders`, flattened). */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** The port the client connected to, for X-Forwarded-Port. */
  localPort: number;
  /** Protocol as API Gateway reports it in requestContext.http.protocol. */
  protocol?: string;
}

/** The payload-2.0 event API Gateway would send for this request, with the matched route. */
export function buildEvent(request: RawRequest, route: Route, pathParameters: Record<string, string>, now = new Date()): APIGatewayProxyEventV2 {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.url.slice(queryStart + 1);

  // Header names lower-cased; a repeated header becomes one comma-joined value. Cookies move to
  // `cookies` and are not repeated among the headers.
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter((cookie) => cookie !== ''));
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const clientForwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = clientForwardedFor ? `${clientForwardedFor}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-port'] = String(request.localPort);
  // API Gateway only listens on HTTPS and says so; this server speaks plain HTTP, and saying so
  // keeps the issuer the URL the client actually used.
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= traceId(now);

  const host = hostName(headers.host);
  const method = request.method.toUpperCase();
  const routeKey = `${route.method} ${route.path}`;
  const hasBody = request.body.length > 0;
  const text = isTextContentType(headers['content-type']);
  // The optional fields only when API Gateway sends them.
  const event: APIGatewayProxyEventV2 = { version: '2.0', routeKey, rawPath, rawQueryString, headers } as APIGatewayProxyEventV2;
  if (cookies.length > 0) event.cookies = cookies;
  if (rawQueryString !== '') event.queryStringParameters = queryParameters(rawQueryString);
  for (const _ in pathParameters) {
    event.pathParameters = pathParameters;
    break;
  }
  event.requestContext = {
    accountId: '000000000000',
    apiId: 'local',
    domainName: host,
    domainPrefix: host.split('.')[0]!,
    http: { method, path: rawPath, protocol: request.protocol ?? 'HTTP/1.1', sourceIp: request.sourceIp, userAgent: headers['user-agent'] ?? '' },
    requestId: randomUUID(),
    routeKey,
    stage: '$default',
    time: clfTime(now),
    timeEpoch: now.getTime(),
  };
  if (hasBody) event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
  event.isBase64Encoded = hasBody && !text;
  return event;
}

/** The Host header without its port: requestContext.domainName. */
function hostName(host: string | undefined): string {
  if (host === undefined) return 'localhost';
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** An X-Ray trace header as API Gateway adds it: `Root=1-<epoch seconds, hex>-<96 random bits, hex>`. */
function traceId(now: Date): string {
  const uuid = randomUUID();
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(14, 18)}${uuid.slice(19, 23)}`;
}

/** API Gateway joins repeated query parameters with a comma and decodes the values. */
function queryParameters(rawQueryString: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.time` is in Common Log Format: `12/Mar/2020:19:03:58 +0000`. Whole seconds: the last one is kept. */
let lastTime = { second: Number.NaN, text: '' };
function clfTime(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second === lastTime.second) return lastTime.text;
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
  lastTime = { second, text };
  return text;
}

/**
 * Writes a handler's result as API Gateway does for payload 2.0: a structured result as given;
 * anything else (a string, an object without statusCode) as a 200 JSON body.
 */
export function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2, requestId: string): void {
  const structured: APIGatewayProxyStructuredResultV2 =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? result
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof result === 'string' ? result : JSON.stringify(result) };
  // A text body goes to node:http as the string it is (one write with the head); only base64 is decoded.
  const body = structured.body === undefined ? '' : structured.isBase64Encoded ? Buffer.from(structured.body, 'base64') : structured.body;
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  const given = structured.headers;
  for (const name in given) headers[name.toLowerCase()] = String(given[name]);
  if (structured.cookies && structured.cookies.length > 0) headers['set-cookie'] = structured.cookies;
  headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
}

export interface ApiGatewayOptions {
  projectRoot: string;
  port: number;
  host?: string;
  /** Loads a function module; the default imports `<projectRoot>/<file>.ts`. */
  load?: (file: string) => Promise<Record<string, unknown>>;
  log?: (line: string) => void;
}

export interface LocalApiGateway {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves the routes of serverless.yml on a node:http server. Each function module is imported on
 * its first request, so the environment (tables, endpoints, keys) must be set before: the
 * handlers build their runtime when imported, as a Lambda container does at init.
 */
export async function startApiGateway(options: ApiGatewayOptions): Promise<LocalApiGateway> {
  const routes = await routesFromServerlessYml(options.projectRoot);
  const load = options.load ?? ((file: string) => import(pathToFileURL(join(options.projectRoot, `${file}.ts`)).href) as Promise<Record<string, unknown>>);
  const handlers = new Map<string, Promise<LambdaHandler>>();
  const handlerFor = (spec: string) => {
    let handler = handlers.get(spec);
    if (!handler) {
      const dot = spec.lastIndexOf('.');
      const [file, exported] = [spec.slice(0, dot), spec.slice(dot + 1)];
      handler = load(file).then((module) => {
        const fn = module[exported];
        if (typeof fn !== 'function') throw new Error(`${file} exports no function ${exported}`);
        return fn as LambdaHandler;
      });
      handlers.set(spec, handler);
    }
    return handler;
  };

  // Matching is the same for every request to a path: remember the last thousand answers.
  const matches = new Map<string, ReturnType<typeof matchRoute>>();
  const match = (method: string, rawPath: string) => {
    const key = `${method} ${rawPath}`;
    if (!matches.has(key)) {
      if (matches.size >= 1000) matches.delete(matches.keys().next().value!);
      matches.set(key, matchRoute(routes, method, rawPath));
    }
    return matches.get(key);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void serve(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  });
  async function serve(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const matched = match((req.method ?? 'GET').toUpperCase(), queryStart === -1 ? url : url.slice(0, queryStart));
    if (!matched) {
      // What an HTTP API answers for a path or method no route matches.
      writeResult(res, { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' }, randomUUID());
      return;
    }
    const event = buildEvent(
      { method: req.method ?? 'GET', url, rawHeaders: req.rawHeaders, body, sourceIp: normaliseIp(req.socket.remoteAddress), localPort: req.socket.localPort ?? 0, protocol: `HTTP/${req.httpVersion}` },
      matched.route,
      matched.pathParameters,
    );
    try {
      const handler = await handlerFor(matched.route.handler);
      writeResult(res, await handler(event), event.requestContext.requestId);
    } catch (err) {
      // A Lambda that throws is a 500 with this body from API Gateway.
      options.log?.(`${matched.route.handler} threw: ${(err as Error).message}`);
      writeResult(res, { statusCode: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal Server Error"}' }, event.requestContext.requestId);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function normaliseIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
