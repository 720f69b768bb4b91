/**
 * Flat in the realm's size (issue 21, target 3). Realms of growing size (scripts/bench/realmScaleItems.ts:
 * one dimension at a time from a small base, and the large realm) written into DynamoDB
 * Local through the store's batch writer, and for each: the realm load as a container makes it
 * (RealmCache: the version, ClientsTable.loadRealm, the context built; wall time, CPU of this process
 * and of DynamoDB Local, Query pages, items, client items, read units), the bytes a container holds for the realm context (RealmCache, K
 * copies, after forced GCs), the read units per container-hour of keeping it fresh, and the CPU of
 * a warm grant of a client that uses none of the generated items, measured in blocks interleaved
 * with the same grant on the base realm, so the machine's load moves both alike.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { routesFromServerlessYml } from '../../infra/local/apiGateway.js';
import { DEMO_REALM_FILE, PROJECT_ROOT } from '../../infra/local/stack.js';
import { loadConfig } from '../../lib/config.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { RealmCache, REALM_RELOAD_BACKSTOP_SECONDS } from '../../lib/realmContext.js';
import { createRuntime } from '../../lib/runtime.js';
import { SignerCache } from '../../lib/signing/keyRing.js';
import { createSigningKey } from '../../lib/signing/keys.js';
import { ClientsTable, type ClientsTableItem } from '../../lib/store/clientsTable.js';
import { LogWriter } from '../../lib/logWriter.js';
import { Observability } from '../../lib/observability.js';
import { secretsKeyAlias } from '../../lib/deployment/stageNames.js';
import { itemsToWrite, realmItems, realmTemplates, SCALE_BASE, SCALE_CHAINS, SCALE_POINTS, type RealmSize } from './realmScaleItems.js';
import { BENCH_CLIENT, benchClient, grantEvent, STAGE } from './setup.js';

export { generatedExport, SCALE_POINTS, type RealmSize } from './realmScaleItems.js';

/** Points run by `--quick` (the smoke run, test/integration/bench.test.ts): the base realm only. */
const QUICK_POINTS = [0];

/**
 * Copies of the realm context held at once to size one (their heap growth ÷ K): more for a small
 * realm, whose one copy moves the heap by less than a run's noise (tens of KB), fewer for a large one.
 */
const heldCopies = (itemsRead: number) => (itemsRead < 500 ? 16 : itemsRead < 2_000 ? 8 : 4);
const LOADS = 5;

export interface RealmScaleResult extends RealmSize {
  realm: string;
  /** What this point changes from the base. */
  varies: string;
  /** Items this point added to its realm (the batch writer's), and the time they took. */
  itemsWritten: number;
  writeSeconds: number;
  /** Median of the loads (RealmCache's: version, Queries, context built), milliseconds of wall time (DynamoDB Local on this machine). */
  loadMs: number;
  /** CPU per load: this process's (SDK, unmarshalling, model), and DynamoDB Local's JVM (undefined when not found). */
  loadCpuMs: number;
  tableCpuMs?: number;
  pages: number;
  itemsRead: number;
  /** Items of the realm that are clients: a load must read none of them. */
  clientItemsRead: number;
  readUnits: number;
  /** Read units per container-hour of one realm kept fresh: version checks, backstop reloads, and a reload every TTL instead. */
  perHour: { ttlSeconds: number; backstopSeconds: number; versionReadUnits: number; checks: number; backstopReloads: number; total: number; reloadEveryTtl: number };
  /** Heap one realm context holds (RealmCache's), bytes: K copies' growth after forced GCs, ÷ K. */
  heapBytes: number;
  /** Warm-grant CPU here and, interleaved in the same window, on the base realm. */
  grantCpuMicros: number;
  baseGrantCpuMicros: number;
  grants: number;
}

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
interface Tally {
  pages: number;
  items: number;
  clientItems: number;
  readUnits: number;
  getReadUnits: number;
}

export async function measureRealmScale(options: {
  env: Record<string, string>;
  secret: string;
  durationMs: number;
  log: (line: string) => void;
  /** Indices into SCALE_POINTS, comma-separated (`--scale-sizes`); default every point, or QUICK_POINTS. */
  points?: string;
  quick?: boolean;
}): Promise<RealmScaleResult[]> {
  const chosen = new Set(options.points ? options.points.split(',').map(Number) : options.quick ? QUICK_POINTS : SCALE_POINTS.map((_, i) => i));
  const demo = JSON.parse(await readFile(DEMO_REALM_FILE, 'utf8')) as Record<string, unknown>;
  const tally: Tally = { pages: 0, items: 0, clientItems: 0, readUnits: 0, getReadUnits: 0 };
  const clientConfig = { region: options.env.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const awsClients = () => ({
    dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: options.env.AWS_ENDPOINT_URL_DYNAMODB }),
    kms: new KMSClient({ ...clientConfig, endpoint: options.env.AWS_ENDPOINT_URL_KMS }),
  });
  const { dynamodb, kms } = awsClients();
  dynamodb.middlewareStack.add(countReads(tally) as never, { step: 'initialize', name: 'benchRealmLoad' });
  const table = new ClientsTable(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), options.env.CLIENTS_TABLE!);
  const routes = await routesFromServerlessYml(PROJECT_ROOT);
  const tableCpu = await dynamoDbLocalCpu(options.env.AWS_ENDPOINT_URL_DYNAMODB!);
  const ttlSeconds = Number(options.env.REALM_CACHE_TTL_SECONDS ?? 60);
  const gc = exposeGc();

  /** Writes a realm's new items and its bench client; returns what was written and how long it took. */
  const grow = async (realm: string, held: ClientsTableItem[], next: ClientsTableItem[]) => {
    const writes = itemsToWrite(held, next);
    const started = performance.now();
    await table.batchPut(realm, writes, undefined, 8);
    if (held.length === 0) {
      await createSigningKey(kms, table, realm, { alg: 'ES256', mode: 'envelope', wrappingKeyId: secretsKeyAlias(STAGE), retainPreviousFor: 0, now: Math.floor(Date.now() / 1000) });
      const template = next.find((item) => item.kind === 'client' && item.clientId === 'product-sa-client');
      if (template?.kind !== 'client') throw new Error('the generated realm has no product-sa-client');
      await table.putClient(benchClient(template, realm, { clientId: BENCH_CLIENT, refresh: false, extraMappers: 0 }, options.secret));
    }
    return { itemsWritten: writes.length, writeSeconds: (performance.now() - started) / 1000 };
  };

  /** A warm grant's handler on a runtime as the token function builds it, with AWS clients of its own. */
  const grantHandler = (realm: string) => {
    const own = awsClients();
    const runtime = createRuntime({
      config: loadConfig({ ...options.env, REALM_CACHE_TTL_SECONDS: '60', CLIENT_CACHE_TTL_SECONDS: '30' }),
      ...own,
      signsTokens: true,
      // Audit lines off (INFO); a warning or an unhandled error goes to stderr with the progress.
      observability: new Observability({ logger: new LogWriter({ logLevel: 'WARN', write: (line) => void process.stderr.write(`${line}\n`) }) }),
    });
    const handler: Handler = httpHandler((request) => tokenEndpoint(runtime, request, tokenGrants), { noStore: true, observe: runtime.observability }) as Handler;
    const eventJson = JSON.stringify(grantEvent(routes, realm, BENCH_CLIENT, options.secret));
    return {
      invoke: async () => {
        const result = await handler(JSON.parse(eventJson) as APIGatewayProxyEventV2);
        if (result.statusCode !== 200) throw new Error(`${realm}: grant answered ${result.statusCode}: ${result.body}`);
      },
      destroy: () => {
        own.dynamodb.destroy();
        own.kms.destroy();
      },
    };
  };

  // The base realm, never grown: every point's grants are timed against it in the same window.
  const baseRealm = SCALE_CHAINS[0]!.realm;
  const baseItems = realmItems(await realmTemplates(demo, baseRealm), SCALE_BASE);
  const baseWrite = await grow(baseRealm, [], baseItems);
  const base = grantHandler(baseRealm);
  for (let i = 0; i < 300; i++) await base.invoke();

  const results: RealmScaleResult[] = [];
  let pointIndex = 0;
  for (const chain of SCALE_CHAINS) {
    const indices = chain.points.map(() => pointIndex++);
    const last = Math.max(-1, ...indices.filter((i) => chosen.has(i)));
    if (last < 0) continue;
    const templates = chain.realm === baseRealm ? undefined : await realmTemplates(demo, chain.realm);
    let held: ClientsTableItem[] = [];
    for (const [j, point] of chain.points.entries()) {
      if (indices[j]! > last) break;
      let written = baseWrite;
      if (point.varies !== 'base') {
        const next = realmItems(templates!, point.size);
        options.log(`realm scale: growing ${chain.realm} to ${JSON.stringify(point.size)}`);
        written = await grow(chain.realm, held, next);
        held = next;
      }
      if (!chosen.has(indices[j]!)) continue;
      const realm = chain.realm;
      const load = await measureLoads(table, kms, realm, tally, tableCpu);
      const heapBytes = await measureHeldBytes(table, kms, realm, gc, heldCopies(load.itemsRead));
      Object.assign(tally, { getReadUnits: 0 });
      await table.realmVersion(realm);
      const versionReadUnits = tally.getReadUnits;
      const grants = await interleavedGrants(realm === baseRealm ? undefined : grantHandler(realm), base, options.durationMs);
      const checks = (3600 / ttlSeconds) * versionReadUnits;
      const backstopReloads = (3600 / REALM_RELOAD_BACKSTOP_SECONDS) * load.readUnits;
      results.push({
        ...point.size,
        realm,
        varies: point.varies,
        ...written,
        ...load,
        perHour: { ttlSeconds, backstopSeconds: REALM_RELOAD_BACKSTOP_SECONDS, versionReadUnits, checks, backstopReloads, total: checks + backstopReloads, reloadEveryTtl: (3600 / ttlSeconds) * load.readUnits },
        heapBytes,
        ...grants,
      });
      options.log(`realm scale: ${realm} ${JSON.stringify(point.size)}: load ${load.loadMs.toFixed(0)} ms, ${load.pages} pages, ${load.readUnits} RRU, ${(heapBytes / 1024).toFixed(0)} KB held, grant ${grants.grantCpuMicros.toFixed(0)} µs vs base ${grants.baseGrantCpuMicros.toFixed(0)} µs`);
    }
  }
  base.destroy();
  dynamodb.destroy();
  kms.destroy();
  return results;
}

/**
 * LOADS realm loads as a container makes them: a RealmCache's first get (the version's GetItem,
 * ClientsTable.loadRealm's Queries, the realm context built for the grants). Median wall time; CPU
 * and reads per load.
 */
async function measureLoads(table: ClientsTable, kms: KMSClient, realm: string, tally: Tally, tableCpu: (() => number) | undefined) {
  const load = () => new RealmCache(table, new SignerCache(kms), 60).get(realm);
  await load();
  const times: number[] = [];
  let cpu = 0;
  let jvm = 0;
  for (let i = 0; i < LOADS; i++) {
    Object.assign(tally, { pages: 0, items: 0, clientItems: 0, readUnits: 0 });
    const jvmBefore = tableCpu?.() ?? 0;
    const cpuBefore = process.cpuUsage();
    const t = performance.now();
    await load();
    times.push(performance.now() - t);
    const used = process.cpuUsage(cpuBefore);
    cpu += (used.user + used.system) / 1000;
    jvm += (tableCpu?.() ?? 0) - jvmBefore;
  }
  return {
    loadMs: times.sort((a, b) => a - b)[Math.floor(LOADS / 2)]!,
    loadCpuMs: cpu / LOADS,
    ...(tableCpu ? { tableCpuMs: jvm / LOADS } : {}),
    pages: tally.pages,
    itemsRead: tally.items,
    clientItemsRead: tally.clientItems,
    readUnits: tally.readUnits,
  };
}

/**
 * The heap one realm context holds, as a container's RealmCache builds it (settings, roles, scopes
 * with compiled mappers, groups, key ring): `copies` caches each load the realm, and the heap's
 * growth after forced GCs, divided by their number, is one copy's bytes. One copy alone moves the
 * heap by less than the run's noise at the small sizes; K of them at once do not.
 */
async function measureHeldBytes(table: ClientsTable, kms: KMSClient, realm: string, gc: () => void, copies: number): Promise<number> {
  const caches = Array.from({ length: copies }, () => new RealmCache(table, new SignerCache(kms), 60));
  // One copy first, so code and shared (internalised) strings are in the heap before the baseline.
  await new RealmCache(table, new SignerCache(kms), 60).get(realm);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = [];
  for (const cache of caches) held.push(await cache.get(realm));
  gc();
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // Read after the GCs, so the copies are still reachable when the heap is measured.
  return Math.max(0, grown / held.length);
}

/**
 * Warm grants on the point's realm and on the base realm in alternating blocks until durationMs has
 * passed: CPU per grant of each, from the same stretch of the machine's load.
 */
async function interleavedGrants(point: { invoke(): Promise<void>; destroy(): void } | undefined, base: { invoke(): Promise<void> }, durationMs: number) {
  const here = point ?? base;
  for (let i = 0; i < 300; i++) await here.invoke();
  const spent = { here: 0, base: 0, hereGrants: 0, baseGrants: 0 };
  const block = async (side: 'here' | 'base') => {
    const target = side === 'here' ? here : base;
    const cpu = process.cpuUsage();
    for (let i = 0; i < 25; i++) await target.invoke();
    const used = process.cpuUsage(cpu);
    spent[side] += used.user + used.system;
    spent[`${side}Grants`] += 25;
  };
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    await block('here');
    await block('base');
  }
  point?.destroy();
  return { grantCpuMicros: spent.here / spent.hereGrants, baseGrantCpuMicros: spent.base / spent.baseGrants, grants: spent.hereGrants };
}

/** Counts Query pages, the items they returned (clients among them) and the read units DynamoDB charged; GetItem's read units apart. */
function countReads(tally: Tally): InitializeMiddleware<object, MetadataBearer> {
  return (next, context) => async (args) => {
    const get = context.commandName === 'GetItemCommand';
    if (context.commandName !== 'QueryCommand' && !get) return next(args);
    (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const output = result.output as { Items?: Record<string, { S?: string }>[]; ConsumedCapacity?: { CapacityUnits?: number } };
    if (get) {
      tally.getReadUnits += output.ConsumedCapacity?.CapacityUnits ?? 0;
      return result;
    }
    tally.pages++;
    tally.items += output.Items?.length ?? 0;
    tally.clientItems += (output.Items ?? []).filter((item) => item.kind?.S === 'client').length;
    tally.readUnits += output.ConsumedCapacity?.CapacityUnits ?? 0;
    return result;
  };
}

/**
 * The CPU milliseconds DynamoDB Local's JVM has used so far, read from /proc: the java process
 * listening on the endpoint's port. Undefined off Linux or when it is not found.
 */
async function dynamoDbLocalCpu(endpoint: string): Promise<(() => number) | undefined> {
  const port = new URL(endpoint).port;
  const pids = await readdir('/proc').catch(() => [] as string[]);
  for (const pid of pids.filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (!cmdline.includes('DynamoDBLocal') || args[args.indexOf('-port') + 1] !== port) continue;
    // Fields 14 and 15 of /proc/PID/stat (utime, stime), in clock ticks of 10 ms.
    return () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
  }
  return undefined;
}

/** `global.gc` without starting node with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
