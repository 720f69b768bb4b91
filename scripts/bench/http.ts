/**
 * Over HTTP, side by side: this service (its token function bundled as deployed, behind the local
 * API Gateway stand-in) and
 * oidc-provider, each in a child process of its own, and a bare node:http server answering the
 * service's very response (the floor: what node:http costs for this exchange), all started and
 * warmed, then loaded in turn in short alternating slices (never together), so that a load that
 * drifts on a shared machine falls on all alike; driven by autocannon from this process with the
 * same connections, request and secret. Then each warm token server is CPU-profiled under the same
 * load, for where its CPU goes (httpSplit.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import type { SignatureAlgorithm } from '../../lib/model/stored.js';
import { BENCH_CLIENT, realmFor, stopChild, waitForLine } from './setup.js';
import { bundleTokenFunction } from './servers/tokenBundle.js';
import { oidcProviderAttribution, serviceAttribution, splitProfileFile, type CpuSplit } from './httpSplit.js';

export type Server = 'sa-token-service' | 'oidc-provider' | 'bare node:http';

export interface HttpRun {
  server: Server;
  alg: SignatureAlgorithm;
  /** 200 responses per second of the measured slices. */
  tokensPerSecond: number;
  /** Medians over the slices of each slice's p50 and p99. */
  p50Ms: number;
  p99Ms: number;
  ok: number;
  /** Anything but a 200, plus connection errors and timeouts: must be 0 for the run to count. */
  failed: number;
  /** CPU seconds the server process used during its slices, and tokens per such second. */
  serverCpuSeconds: number;
  tokensPerServerCpuSecond: number;
  /** Of serverCpuSeconds, the main thread's (JavaScript, node:http); the rest is libuv's pool and V8's helper threads. */
  serverMainThreadCpuSeconds: number;
  /** CPU seconds DynamoDB Local (Java) used during the run: this service's every grant reads from it. */
  dynamoDbLocalCpuSeconds: number;
  /** CPU seconds of autocannon (this process) during the run. */
  loadGeneratorCpuSeconds: number;
  /**
   * Where the server's CPU per token goes: a CPU profile of a further window of the same warm
   * child under the same load splits the main thread's share of the CPU per token measured above.
   */
  split: CpuSplit;
  /** Server CPU per token in the profiled window: the profiler's own cost shows against 1e6 / tokensPerServerCpuSecond. */
  profiledCpuMicrosPerToken: number;
}

/** The bare node:http server answering the service's response (servers/bareHttp.ts), in the same slices. */
export interface HttpFloor {
  requests: number;
  failed: number;
  /** Its CPU per request (all threads, and the main thread's): what any Node server pays for the exchange. */
  cpuMicrosPerRequest: number;
  mainThreadCpuMicrosPerRequest: number;
}

export interface HttpComparison {
  alg: SignatureAlgorithm;
  service: HttpRun;
  oidcProvider: HttpRun;
  floor: HttpFloor;
  /** service / oidc-provider tokens per second. */
  ratio: number;
}

export interface HttpOptions {
  env: Record<string, string>;
  secret: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  log: (line: string) => void;
}

/** Each server gets durationSeconds in slices of this length, alternating with the other. */
const SLICE_SECONDS = 2;

export async function measureHttp(options: HttpOptions): Promise<HttpComparison[]> {
  const comparisons: HttpComparison[] = [];
  const token = await bundleTokenFunction(PROFILE_DIR());
  options.log(`HTTP: the token function bundled as deployed (${token.bundle}), node ${token.nodeOptions.join(' ')}`);
  const serviceEnv = { ...options.env, BENCH_TOKEN_BUNDLE: token.bundle };
  for (const alg of ['RS256', 'ES256'] as const) {
    const servers: Started[] = [];
    try {
      servers.push(await startServer('sa-token-service', alg, { ...options, env: serviceEnv }, undefined, token.nodeOptions));
      servers.push(await startServer('oidc-provider', alg, options));
      servers.push(await startServer('bare node:http', alg, options, servers[0]!.response));
      for (const s of servers) {
        options.log(`HTTP: ${s.server} ${alg} warm-up ${options.warmupSeconds} s`);
        await load({ ...s.request, connections: options.connections, duration: options.warmupSeconds });
      }
      const slices = Math.max(1, Math.round(options.durationSeconds / SLICE_SECONDS));
      options.log(`HTTP: ${alg} ${slices} × ${SLICE_SECONDS} s each, alternating, ${options.connections} connections`);
      const totals = servers.map(() => emptyTotals());
      for (let i = 0; i < slices; i++) {
        // ABC CBA order: no server always follows another's load.
        const order = i % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
        for (const index of order) addSlice(totals[index]!, await slice(servers[index]!, options.connections, SLICE_SECONDS));
      }
      const service = await finish(servers[0]!, totals[0]!, options);
      const oidcProvider = await finish(servers[1]!, totals[1]!, options);
      const bare = totals[2]!;
      const floor = { requests: bare.ok, failed: bare.failed, cpuMicrosPerRequest: (bare.cpu / bare.ok) * 1e6, mainThreadCpuMicrosPerRequest: (bare.mainThreadCpu / bare.ok) * 1e6 };
      comparisons.push({ alg, service, oidcProvider, floor, ratio: service.tokensPerSecond / oidcProvider.tokensPerSecond });
    } finally {
      for (const s of servers) await stopChild(s.child);
    }
  }
  return comparisons;
}

interface Started {
  server: Server;
  alg: SignatureAlgorithm;
  child: ChildProcess;
  request: { url: string; method: 'POST'; headers: Record<string, string>; body: string };
  /** What it answered the first request with. */
  response: Answer;
  /** The token function's bundle the service runs, if not the source. */
  bundle?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Hop-by-hop and per-response headers node:http writes itself. */
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

async function startServer(server: Server, alg: SignatureAlgorithm, options: HttpOptions, replay?: Answer, nodeOptions: string[] = []): Promise<Started> {
  const child =
    server === 'sa-token-service'
      ? spawnChild('scripts/bench/servers/service.ts', options.env, nodeOptions)
      : server === 'oidc-provider'
        ? spawnChild('scripts/bench/servers/oidcProvider.ts', { BENCH_ALG: alg, BENCH_CLIENT_ID: BENCH_CLIENT, BENCH_CLIENT_SECRET: options.secret, NODE_ENV: 'production' })
        : spawnChild('scripts/bench/servers/bareHttp.ts', { BENCH_RESPONSE: JSON.stringify(replay) });
  try {
    const base = await waitForLine(child, /listening (http:\/\/\S+)/, server);
    const url = server === 'sa-token-service' ? `${base}/realms/${realmFor('envelope', alg)}/protocol/openid-connect/token` : base;
    const request = {
      url,
      method: 'POST' as const,
      headers: {
        authorization: `Basic ${Buffer.from(`${BENCH_CLIENT}:${options.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    };
    // One request first: it must be a token of the right algorithm, or nothing after it means anything.
    const check = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
    const text = await check.text();
    const body = JSON.parse(text) as { access_token?: string };
    const header = body.access_token ? (JSON.parse(Buffer.from(body.access_token.split('.')[0]!, 'base64url').toString()) as { alg?: string }) : {};
    if (check.status !== 200 || header.alg !== alg) throw new Error(`${server} ${alg}: first request answered ${check.status} ${text}`);
    const headers: Record<string, string> = {};
    check.headers.forEach((value, name) => {
      if (!OWN_HEADERS.has(name)) headers[name] = value;
    });
    return { server, alg, child, request, response: { status: check.status, headers, body: text }, bundle: server === 'sa-token-service' ? options.env.BENCH_TOKEN_BUNDLE : undefined };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

interface Totals {
  seconds: number;
  ok: number;
  failed: number;
  cpu: number;
  mainThreadCpu: number;
  java: number;
  own: number;
  p50: number[];
  p99: number[];
}
const emptyTotals = (): Totals => ({ seconds: 0, ok: 0, failed: 0, cpu: 0, mainThreadCpu: 0, java: 0, own: 0, p50: [], p99: [] });

function addSlice(to: Totals, from: Totals): void {
  to.seconds += from.seconds;
  to.ok += from.ok;
  to.failed += from.failed;
  to.cpu += from.cpu;
  to.mainThreadCpu += from.mainThreadCpu;
  to.java += from.java;
  to.own += from.own;
  to.p50.push(...from.p50);
  to.p99.push(...from.p99);
}

async function slice(s: Started, connections: number, seconds: number): Promise<Totals> {
  const pid = s.child.pid!;
  const java = childPidsNamed('java');
  const before = processCpuSeconds(pid);
  const javaBefore = sum(java.map((p) => processCpuSeconds(p).total));
  const ownBefore = process.cpuUsage();
  const result = await load({ ...s.request, connections, duration: seconds });
  const own = process.cpuUsage(ownBefore);
  const after = processCpuSeconds(pid);
  return {
    seconds: result.duration,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    cpu: after.total - before.total,
    mainThreadCpu: after.main - before.main,
    java: sum(java.map((p) => processCpuSeconds(p).total)) - javaBefore,
    own: (own.user + own.system) / 1e6,
    p50: [result.latency.p50],
    p99: [result.latency.p99],
  };
}

/** The run's figures, and then the same warm child profiled under the same load: the shares of its CPU per bucket. */
async function finish(s: Started, t: Totals, options: HttpOptions): Promise<HttpRun> {
  const profileSeconds = Math.max(2, Math.round(options.durationSeconds / 2));
  options.log(`HTTP: ${s.server} ${s.alg} ${profileSeconds} s profiled`);
  const file = join(PROFILE_DIR(), `${s.server}-${s.alg}.cpuprofile`);
  await ask(s.child, { profile: 'start' }, 'profiling');
  const before = processCpuSeconds(s.child.pid!);
  const profiled = await load({ ...s.request, connections: options.connections, duration: profileSeconds });
  const profiledCpu = processCpuSeconds(s.child.pid!).total - before.total;
  await ask(s.child, { profile: 'stop', file }, 'profiled');
  const attribution = s.server === 'sa-token-service' ? serviceAttribution(PROJECT_ROOT, s.bundle) : oidcProviderAttribution();
  const split = await splitProfileFile(file, attribution, { mainThreadMicrosPerToken: (t.mainThreadCpu / t.ok) * 1e6, otherThreadsMicrosPerToken: ((t.cpu - t.mainThreadCpu) / t.ok) * 1e6 });
  return {
    server: s.server,
    alg: s.alg,
    tokensPerSecond: t.ok / t.seconds,
    p50Ms: median(t.p50),
    p99Ms: median(t.p99),
    ok: t.ok,
    failed: t.failed,
    serverCpuSeconds: t.cpu,
    tokensPerServerCpuSecond: t.ok / t.cpu,
    serverMainThreadCpuSeconds: t.mainThreadCpu,
    dynamoDbLocalCpuSeconds: t.java,
    loadGeneratorCpuSeconds: t.own,
    split,
    profiledCpuMicrosPerToken: (profiledCpu / profiled['2xx']) * 1e6,
  };
}

function spawnChild(entry: string, env: Record<string, string>, nodeOptions: string[] = []): ChildProcess {
  // The IPC channel carries the profiler's start and stop (servers/profiling.ts).
  return spawn(process.execPath, [...nodeOptions, '--import', 'tsx', entry], { cwd: PROJECT_ROOT, env: { ...process.env, ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
}

let profileDir: string | undefined;
const PROFILE_DIR = () => (profileDir ??= mkdtempSync(join(tmpdir(), 'sa-token-bench-http-')));

/** Sends `message` to the child and waits for its answer carrying `key`. */
function ask(child: ChildProcess, message: Record<string, unknown>, key: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the server did not answer ${JSON.stringify(message)} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (answer: Record<string, unknown>) => {
      if (answer[key] !== undefined) done();
    };
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (err) reject(err);
      else resolve();
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function load(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** This process's children with the given command name (DynamoDB Local's `java`), from /proc. */
export function childPidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === name && ppid === process.pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** utime + stime of a process and of its main thread (the task whose id is the pid) from /proc (Linux), in seconds. */
export function processCpuSeconds(pid: number): { total: number; main: number } {
  return { total: statCpuSeconds(`/proc/${pid}/stat`), main: statCpuSeconds(`/proc/${pid}/task/${pid}/stat`) };
}

function statCpuSeconds(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted from the state field (3): indexes 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
