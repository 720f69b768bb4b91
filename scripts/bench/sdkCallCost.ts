/**
 * Part `sdk`: the client-side CPU of one DynamoDB call, the write an assertion grant makes for its
 * `jti` (a conditional PutItem, lib/store/sessionsTable.ts `useOnce`) and the read a realm-version
 * check makes (a strongly consistent GetItem, lib/store/clientsTable.ts `realmVersion`), split
 * into what the HTTP round trip costs and what the AWS SDK adds on top:
 *
 * - `raw http`: node:http with a keep-alive agent posting the same JSON DynamoDB Local would get
 *   from the SDK (DynamoDB Local does not check signatures): the floor, HTTP and JSON only.
 * - `builder`: lib/awsClients.ts's `token` clients built from the environment the functions get
 *   (credentials, region and endpoint from `AWS_*` variables), through the document client: what a
 *   request pays.
 * - `builder, no network`: the same clients over a request handler that answers at once with the
 *   response DynamoDB would send: the SDK's own JavaScript (middleware, SigV4, serde, marshalling).
 * - `bare document client`: the SDK's defaults under the same document client, outside any request
 *   budget: the builder minus our configuration.
 * - `bare client`: `new DynamoDBClient({})`, low-level commands, the SDK's defaults.
 * - `bare client, cacheMiddleware`: the same with the SDK's per-command handler cache.
 *
 * All variants run in this process, interleaved in slices of 100 calls (GetItems, then PutItems,
 * variant after variant, every other round in reverse order, until the time is up), so a change of the machine's load between slices
 * moves every variant alike; the builder's calls run inside a request budget (lib/deadline.ts) as a
 * request's do. CPU is `process.cpuUsage()` (every thread of the process: GC helpers included);
 * DynamoDB Local's own CPU is in another process and not counted. `new TCP connections` counts
 * the sockets opened while measuring (keep-alive working = 0).
 */
import { request as httpRequest, Agent } from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { loadavg } from 'node:os';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AWS_CLIENT_PROFILES, buildAwsClients } from '../../lib/awsClients.js';
import { withDeadline } from '../../lib/deadline.js';

/** Long enough never to end a call here: the check runs, it does not fire. */
const REQUEST_BUDGET_MS = 60_000;

export const SDK_VARIANTS = ['raw-http', 'builder', 'builder-no-network', 'bare-doc', 'bare', 'bare-cached'] as const;
type Variant = (typeof SDK_VARIANTS)[number];

const DESCRIPTIONS: Record<Variant, string> = {
  'raw-http': 'raw http (node:http, keep-alive, same JSON)',
  builder: 'lib/awsClients.ts `token`, document client (what a request pays)',
  'builder-no-network': 'the same, request handler answering at once (SDK JavaScript only)',
  'bare-doc': '`DynamoDBDocumentClient.from(new DynamoDBClient({}))`, no request budget',
  bare: '`new DynamoDBClient({})`, low-level commands',
  'bare-cached': 'the same with `cacheMiddleware: true`',
};

export interface SdkCallRow {
  variant: Variant;
  description: string;
  getMicros: number;
  putMicros: number;
  /** User and system CPU of both operations together, per call. */
  userMicros: number;
  systemMicros: number;
  wallMicros: number;
  calls: number;
}

export interface SdkCallCostResult {
  rows: SdkCallRow[];
  /** TCP connections the process opened while measuring, all variants together. */
  connects: number;
  loadAverage: number[];
}

/** Every variant, interleaved, for `durationMs`, against the bench stack's DynamoDB Local (`env`). */
export async function measureSdkCallCost(options: { env: Record<string, string>; durationMs: number; log: (line: string) => void }): Promise<SdkCallCostResult> {
  Object.assign(process.env, options.env);
  const loadAverage = loadavg();
  const table = process.env.SESSIONS_TABLE!;
  const prefix = `SDKCOST#${process.pid}#${Date.now()}#`;
  const readKey = `${prefix}read`;
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const setup = buildAwsClients('cli');
  await setup.doc.send(new PutCommand({ TableName: table, Item: { pk: readKey, ttl: expiresAt } }));
  setup.dynamodb.destroy();
  setup.kms.destroy();

  const variants = SDK_VARIANTS.map((variant) => ({ variant, ops: callsOf(variant, table, readKey, expiresAt), get: 0, put: 0, user: 0, system: 0, wall: 0, calls: 0 }));
  let n = 0;
  for (const v of variants) for (let i = 0; i < 200; i++) await Promise.all([v.ops.get(), v.ops.put(`${prefix}${n++}`)]);
  const connects = countConnects();
  const slice = 100;
  const until = performance.now() + options.durationMs;
  for (let round = 0; performance.now() < until; round++) {
    // Every other round backwards: no variant always follows the same one.
    for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
      const started = performance.now();
      let before = process.cpuUsage();
      for (let i = 0; i < slice; i++) await v.ops.get();
      let used = process.cpuUsage(before);
      v.get += used.user + used.system;
      v.user += used.user;
      v.system += used.system;
      before = process.cpuUsage();
      for (let i = 0; i < slice; i++) await v.ops.put(`${prefix}${n++}`);
      used = process.cpuUsage(before);
      v.put += used.user + used.system;
      v.user += used.user;
      v.system += used.system;
      v.wall += (performance.now() - started) * 1000;
      v.calls += slice;
    }
  }
  const opened = connects.stop();
  for (const v of variants) v.ops.destroy();
  const rows = variants.map((v) => ({
    variant: v.variant,
    description: DESCRIPTIONS[v.variant],
    getMicros: v.get / v.calls,
    putMicros: v.put / v.calls,
    userMicros: v.user / (2 * v.calls),
    systemMicros: v.system / (2 * v.calls),
    wallMicros: v.wall / (2 * v.calls),
    calls: v.calls,
  }));
  for (const row of rows) options.log(`sdk ${row.variant}: GetItem ${row.getMicros.toFixed(0)} µs, PutItem ${row.putMicros.toFixed(0)} µs CPU per call (${row.calls} each)`);
  return { rows, connects: opened, loadAverage };
}

/** Counts the TCP connections this process opens until `stop()`. */
function countConnects(): { stop(): number } {
  let opened = 0;
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    opened++;
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  return {
    stop() {
      net.Socket.prototype.connect = connect;
      return opened;
    },
  };
}

/** The two calls of one variant: a strongly consistent GetItem of one item, a conditional PutItem of a new one. */
interface Calls {
  get(): Promise<unknown>;
  put(key: string): Promise<unknown>;
  destroy(): void;
}

const CONDITION = {
  ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
  ExpressionAttributeNames: { '#ttl': 'ttl' },
};

function callsOf(variant: Variant, table: string, readKey: string, expiresAt: number): Calls {
  const now = Math.floor(Date.now() / 1000);
  if (variant === 'raw-http') return rawHttpCalls(table, readKey, expiresAt, now);
  if (variant === 'bare' || variant === 'bare-cached') {
    const client = new DynamoDBClient(variant === 'bare-cached' ? { cacheMiddleware: true } : {});
    return {
      get: () => client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: readKey } }, ConsistentRead: true })),
      put: (key) =>
        client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: key }, ttl: { N: String(expiresAt) } }, ...CONDITION, ExpressionAttributeValues: { ':now': { N: String(now) } } })),
      destroy: () => client.destroy(),
    };
  }
  if (variant === 'bare-doc') {
    const client = new DynamoDBClient({});
    const doc = DynamoDBDocumentClient.from(client);
    return {
      get: () => doc.send(new GetCommand({ TableName: table, Key: { pk: readKey }, ConsistentRead: true })),
      put: (key) => doc.send(new PutCommand({ TableName: table, Item: { pk: key, ttl: expiresAt }, ...CONDITION, ExpressionAttributeValues: { ':now': now } })),
      destroy: () => client.destroy(),
    };
  }
  const clients = variant === 'builder' ? buildAwsClients('token') : buildAwsClients('token', { dynamodb: new DynamoDBClient({ ...AWS_CLIENT_PROFILES.token, requestHandler: answeringHandler(readKey, expiresAt) }) });
  const { doc } = clients;
  // As lib/http/handler.ts runs every request: inside its time budget.
  return {
    get: () => withDeadline(REQUEST_BUDGET_MS, () => doc.send(new GetCommand({ TableName: table, Key: { pk: readKey }, ConsistentRead: true }))),
    put: (key) => withDeadline(REQUEST_BUDGET_MS, () => doc.send(new PutCommand({ TableName: table, Item: { pk: key, ttl: expiresAt }, ...CONDITION, ExpressionAttributeValues: { ':now': now } }))),
    destroy: () => {
      clients.dynamodb.destroy();
      clients.kms.destroy();
    },
  };
}

/** A request handler that answers as DynamoDB would, at once: the SDK's work without a socket. */
function answeringHandler(readKey: string, expiresAt: number) {
  const item = JSON.stringify({ Item: { pk: { S: readKey }, ttl: { N: String(expiresAt) } } });
  return {
    async handle(request: { headers: Record<string, string> }) {
      const body = request.headers['x-amz-target']?.endsWith('.GetItem') ? item : '{}';
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'local', 'content-length': String(body.length) },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  } as never;
}

function rawHttpCalls(table: string, readKey: string, expiresAt: number, now: number): Calls {
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB!);
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  // DynamoDB Local reads the access key from the Authorization header and checks no signature.
  const authorization = `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID}/20260101/${process.env.AWS_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`;
  const post = (target: string, body: string) =>
    new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: endpoint.hostname, port: endpoint.port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}`, authorization, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${target} ${res.statusCode}: ${text}`))));
        },
      );
      req.once('error', reject);
      req.end(body);
    });
  return {
    get: () => post('GetItem', JSON.stringify({ TableName: table, Key: { pk: { S: readKey } }, ConsistentRead: true })),
    destroy: () => agent.destroy(),
    put: (key) => post('PutItem', JSON.stringify({ TableName: table, Item: { pk: { S: key }, ttl: { N: String(expiresAt) } }, ...CONDITION, ExpressionAttributeValues: { ':now': { N: String(now) } } })),
  };
}

/** The table of part `sdk`, for renderReport. */
export function renderSdkCallCost(result: SdkCallCostResult, table: (header: string[], rows: string[][]) => string): string {
  const us = (value: number) => `${Math.round(value).toLocaleString('en-US')} µs`;
  const raw = result.rows.find((row) => row.variant === 'raw-http');
  return [
    `### 1d. One DynamoDB call's client-side CPU (in-process, variants interleaved in slices of 100 calls; load average ${result.loadAverage.map((l) => l.toFixed(1)).join(' / ')} at start; ${result.connects} new TCP connections while measuring)`,
    table(
      ['variant', 'GetItem (consistent)', 'PutItem (conditional)', 'user + system per call', 'wall per call', '÷ raw http', 'calls of each'],
      result.rows.map((row) => [
        row.description,
        us(row.getMicros),
        `**${us(row.putMicros)}**`,
        `${us(row.userMicros)} + ${us(row.systemMicros)}`,
        us(row.wallMicros),
        raw ? `${((row.getMicros + row.putMicros) / (raw.getMicros + raw.putMicros)).toFixed(2)}×` : '',
        row.calls.toLocaleString('en-US'),
      ]),
    ),
  ].join('\n\n');
}

