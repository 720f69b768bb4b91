/**
 * AWS calls per operation: each operation run warm through the same endpoint code the functions
 * run, on a runtime whose SDK clients count every command (as test/support/localAws.ts does) and
 * ask DynamoDB for the capacity each request consumed. From the counts, the measured duration and
 * the price table, what a million of each operation costs.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { buildEvent, matchRoute, routesFromServerlessYml, type Route } from '../../infra/local/apiGateway.js';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { loadConfig } from '../../lib/config.js';
import { introspect } from '../../lib/grants/introspect.js';
import { logout } from '../../lib/grants/logout.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { createRuntime } from '../../lib/runtime.js';
import type { SignatureAlgorithm, SigningMode } from '../../lib/model/stored.js';
import { costPerMillion, type CostBreakdown, type OperationUsage } from './cost.js';
import { BENCH_CLIENT, BENCH_REFRESH_CLIENT, deployedMemoryMb, realmFor } from './setup.js';

export type Operation = 'grant' | 'grant with refresh token' | 'refresh' | 'logout' | 'introspection';

export interface OperationResult {
  operation: Operation;
  mode: SigningMode;
  alg: SignatureAlgorithm;
  /** Whether the operation hands out an access token. */
  issuesToken: boolean;
  /** SDK commands per operation, by name (e.g. `GetItemCommand: 1`). */
  calls: Record<string, number>;
  usage: OperationUsage;
  costPerMillion: CostBreakdown;
  /** One request and its response as HTTP/1.1 would carry them (request line, headers, body; TLS not counted). */
  wireBytes: number;
}

export interface AwsCallsOptions {
  env: Record<string, string>;
  secret: string;
  /** Measured repetitions of each operation (after warm-up). */
  repetitions: number;
  log: (line: string) => void;
}

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

interface Tally {
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

/** SDK clients that count commands and add up the DynamoDB capacity each one consumed. */
function countingClients(env: Record<string, string>) {
  const tally: Tally = { calls: {}, readUnits: 0, writeUnits: 0 };
  const clientConfig = { region: env.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB });
  const kms = new KMSClient({ ...clientConfig, endpoint: env.AWS_ENDPOINT_URL_KMS });
  const counter: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    const name = context.commandName!;
    tally.calls[name] = (tally.calls[name] ?? 0) + 1;
    return next(args);
  };
  dynamodb.middlewareStack.add(counter as never, { step: 'initialize', name: 'benchCountCalls' });
  dynamodb.middlewareStack.add(capacityByCommand(tally) as never, { step: 'initialize', name: 'benchConsumedCapacity' });
  kms.middlewareStack.add(counter as never, { step: 'initialize', name: 'benchCountCalls' });
  const reset = () => {
    tally.calls = {};
    tally.readUnits = 0;
    tally.writeUnits = 0;
  };
  return { dynamodb, kms, tally, reset };
}

interface ConsumedCapacity {
  CapacityUnits?: number;
}

const READ_COMMANDS = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems)Command$/;

/**
 * Asks DynamoDB for the capacity each request consumed (DynamoDB Local reports it as DynamoDB
 * would bill it: 4 KB read steps, halved when eventually consistent; 1 KB write steps) and adds it
 * up as reads or writes by command.
 */
function capacityByCommand(tally: Tally): InitializeMiddleware<object, MetadataBearer> {
  return (next, context) => async (args) => {
    (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      const units = entry.CapacityUnits ?? 0;
      if (READ_COMMANDS.test(context.commandName ?? '')) tally.readUnits += units;
      else tally.writeUnits += units;
    }
    return result;
  };
}

const FORM = 'application/x-www-form-urlencoded';

export async function measureAwsCalls(options: AwsCallsOptions): Promise<OperationResult[]> {
  const { dynamodb, kms, tally, reset } = countingClients(options.env);
  // The same endpoints, options and runtime the functions build, with counting SDK clients.
  const runtime = createRuntime({ config: loadConfig(options.env), dynamodb, kms });
  const handlers: Record<'token' | 'logout' | 'introspect', Handler> = {
    token: httpHandler((request) => tokenEndpoint(runtime, request, tokenGrants), { noStore: true }),
    logout: httpHandler((request) => logout(runtime, request), { noStore: true }),
    introspect: httpHandler((request) => introspect(runtime, request), { noStore: true }),
  };
  const routes = await routesFromServerlessYml(PROJECT_ROOT);
  let lastWireBytes = 0;
  const call = async (fn: keyof typeof handlers, realm: string, path: string, clientId: string, body: string) => {
    const event = postEvent(routes, `/realms/${realm}/protocol/openid-connect/${path}`, clientId, options.secret, body);
    const result = await handlers[fn](event);
    if (result.statusCode !== 200 && result.statusCode !== 204) throw new Error(`${path} in ${realm} answered ${result.statusCode}: ${result.body}`);
    lastWireBytes = wireBytes(event, result);
    return result.body ? (JSON.parse(result.body) as Record<string, string>) : {};
  };
  const grant = (realm: string, clientId: string) => call('token', realm, 'token', clientId, 'grant_type=client_credentials');

  const results: OperationResult[] = [];
  const n = options.repetitions;
  const memoryMb = await deployedMemoryMb();
  const measure = async (operation: Operation, mode: SigningMode, alg: SignatureAlgorithm, prepare: () => Promise<(i: number) => Promise<unknown>>) => {
    const run = await prepare();
    for (let i = 0; i < Math.min(5, n); i++) await run(i); // warm: realm cached, envelope key unwrapped
    const measured = await prepare();
    reset();
    let elapsedMs = 0;
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      await measured(i);
      elapsedMs += performance.now() - start;
    }
    const calls = Object.fromEntries(Object.entries(tally.calls).map(([name, count]) => [name, count / n]));
    const signs = calls.SignCommand ?? 0;
    const usage: OperationUsage = {
      durationMs: elapsedMs / n,
      memoryMb,
      readRequestUnits: tally.readUnits / n,
      writeRequestUnits: tally.writeUnits / n,
      kmsSymmetricRequests: (calls.DecryptCommand ?? 0) + (calls.EncryptCommand ?? 0) + (calls.GenerateDataKeyCommand ?? 0),
      kmsRsa2048Signs: alg === 'RS256' ? signs : 0,
      kmsEccSigns: alg === 'ES256' ? signs : 0,
    };
    const issuesToken = operation === 'grant' || operation === 'grant with refresh token' || operation === 'refresh';
    results.push({ operation, mode, alg, issuesToken, calls, usage, costPerMillion: costPerMillion(usage), wireBytes: lastWireBytes });
  };

  for (const [mode, alg, all] of [
    ['envelope', 'RS256', true],
    ['envelope', 'ES256', false],
    ['kms', 'RS256', true],
    ['kms', 'ES256', false],
  ] as const) {
    const realm = realmFor(mode, alg);
    options.log(`AWS calls: ${mode} ${alg}`);
    await measure('grant', mode, alg, async () => () => grant(realm, BENCH_CLIENT));
    if (!all) continue;
    await measure('grant with refresh token', mode, alg, async () => () => grant(realm, BENCH_REFRESH_CLIENT));
    await measure('refresh', mode, alg, async () => {
      // Each refresh presents the token the previous one returned (the demo realm rotates them).
      let token = (await grant(realm, BENCH_REFRESH_CLIENT)).refresh_token!;
      return async () => {
        token = (await call('token', realm, 'token', BENCH_REFRESH_CLIENT, `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`)).refresh_token!;
      };
    });
    await measure('logout', mode, alg, async () => {
      const tokens: string[] = [];
      for (let i = 0; i < n; i++) tokens.push((await grant(realm, BENCH_REFRESH_CLIENT)).refresh_token!);
      return (i) => call('logout', realm, 'logout', BENCH_REFRESH_CLIENT, `refresh_token=${encodeURIComponent(tokens[i]!)}`);
    });
    await measure('introspection', mode, alg, async () => {
      const token = (await grant(realm, BENCH_CLIENT)).access_token!;
      return () => call('introspect', realm, 'token/introspect', BENCH_CLIENT, `token=${encodeURIComponent(token)}`);
    });
  }
  dynamodb.destroy();
  kms.destroy();
  return results;
}

/** What the client sent (not the X-Forwarded-* headers the front door adds) and what it got back, with Content-Length and Date. */
function wireBytes(event: APIGatewayProxyEventV2, result: APIGatewayProxyStructuredResultV2): number {
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').length : 0;
  const sent = Object.entries(event.headers).flatMap(([name, value]) => (value === undefined || /^x-(forwarded-|amzn-)/.test(name) ? [] : [[name, value]]));
  const request = `${event.requestContext.http.method} ${event.rawPath} HTTP/1.1\r\n`.length + headerBytes([...sent, ['content-length', String(body)]]) + body;
  const responseBody = Buffer.byteLength(result.body ?? '');
  const received = [...Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]), ['content-length', String(responseBody)], ['date', new Date().toUTCString()]];
  const response = `HTTP/1.1 ${result.statusCode} OK\r\n`.length + headerBytes(received) + responseBody;
  return request + response;
}

const headerBytes = (headers: string[][]) => headers.reduce((sum, [name, value]) => sum + `${name}: ${value}\r\n`.length, 0) + 2;

function postEvent(routes: Route[], path: string, clientId: string, secret: string, body: string): APIGatewayProxyEventV2 {
  const matched = matchRoute(routes, 'POST', path);
  if (!matched) throw new Error(`no route for POST ${path}`);
  return buildEvent(
    {
      method: 'POST',
      url: path,
      rawHeaders: ['Host', 'localhost', 'Authorization', `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'Content-Type', FORM],
      body: Buffer.from(body),
      sourceIp: '127.0.0.1',
      localPort: 443,
    },
    matched.route,
    matched.pathParameters,
  );
}
