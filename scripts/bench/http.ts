/**
 * Over HTTP, side by side: this service (its handlers behind the local API Gateway adapter) and
 * oidc-provider, each in a child process of its own, one after the other (never together), both
 * driven by autocannon from this process with the same connections, duration, request and secret.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import type { SignatureAlgorithm } from '../../lib/model/stored.js';
import { BENCH_CLIENT, realmFor, stopChild, waitForLine } from './setup.js';

export type Server = 'sa-token-service' | 'oidc-provider';

export interface HttpRun {
  server: Server;
  alg: SignatureAlgorithm;
  /** 200 responses per second of the measured run. */
  tokensPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  /** Anything but a 200, plus connection errors and timeouts: must be 0 for the run to count. */
  failed: number;
  /** CPU seconds the server process used during the run, and tokens per such second. */
  serverCpuSeconds: number;
  tokensPerServerCpuSecond: number;
  /** CPU seconds DynamoDB Local (Java) used during the run: this service's every grant reads from it. */
  dynamoDbLocalCpuSeconds: number;
  /** CPU seconds of autocannon (this process) during the run. */
  loadGeneratorCpuSeconds: number;
}

export interface HttpComparison {
  alg: SignatureAlgorithm;
  service: HttpRun;
  oidcProvider: HttpRun;
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

export async function measureHttp(options: HttpOptions): Promise<HttpComparison[]> {
  const comparisons: HttpComparison[] = [];
  for (const alg of ['RS256', 'ES256'] as const) {
    const service = await runServer('sa-token-service', alg, options);
    const oidcProvider = await runServer('oidc-provider', alg, options);
    comparisons.push({ alg, service, oidcProvider, ratio: service.tokensPerSecond / oidcProvider.tokensPerSecond });
  }
  return comparisons;
}

async function runServer(server: Server, alg: SignatureAlgorithm, options: HttpOptions): Promise<HttpRun> {
  const child =
    server === 'sa-token-service'
      ? spawnChild('scripts/bench/servers/service.ts', options.env)
      : spawnChild('scripts/bench/servers/oidcProvider.ts', { BENCH_ALG: alg, BENCH_CLIENT_ID: BENCH_CLIENT, BENCH_CLIENT_SECRET: options.secret, NODE_ENV: 'production' });
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
    const body = (await check.json()) as { access_token?: string };
    const header = body.access_token ? (JSON.parse(Buffer.from(body.access_token.split('.')[0]!, 'base64url').toString()) as { alg?: string }) : {};
    if (check.status !== 200 || header.alg !== alg) throw new Error(`${server} ${alg}: first request answered ${check.status} ${JSON.stringify(body)}`);

    options.log(`HTTP: ${server} ${alg} warm-up ${options.warmupSeconds} s`);
    await load({ ...request, connections: options.connections, duration: options.warmupSeconds });
    options.log(`HTTP: ${server} ${alg} ${options.durationSeconds} s with ${options.connections} connections`);
    const java = childPidsNamed('java');
    const cpuBefore = processCpuSeconds(child.pid!);
    const javaBefore = sum(java.map(processCpuSeconds));
    const ownBefore = process.cpuUsage();
    const result = await load({ ...request, connections: options.connections, duration: options.durationSeconds });
    const own = process.cpuUsage(ownBefore);
    const serverCpuSeconds = processCpuSeconds(child.pid!) - cpuBefore;
    const dynamoDbLocalCpuSeconds = sum(java.map(processCpuSeconds)) - javaBefore;
    const ok = result['2xx'];
    return {
      server,
      alg,
      tokensPerSecond: ok / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      ok,
      failed: result.non2xx + result.errors + result.timeouts,
      serverCpuSeconds,
      tokensPerServerCpuSecond: ok / serverCpuSeconds,
      dynamoDbLocalCpuSeconds,
      loadGeneratorCpuSeconds: (own.user + own.system) / 1e6,
    };
  } finally {
    await stopChild(child);
  }
}

function spawnChild(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], { cwd: PROJECT_ROOT, env: { ...process.env, ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function load(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

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

/** utime + stime of a process from /proc (Linux), in seconds. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted from the state field (3): indexes 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
