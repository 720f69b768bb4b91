/**
 * Part `local` (issue 21, target 5): the local stack as a user runs it. `npm start` in a child
 * process (its own ports from the OS, its own data directory), then autocannon on a stateless
 * grant (full-scope-client, client_secret_basic) at 1 and at 20 connections, and the exactness
 * proof: an admin change made with `sa-admin --local` (a separate process, as a user makes it)
 * shows on the very next request, also while 20 other connections keep the stack busy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { freePort } from './setup.js';

/** The demo realm's client the part drives, with its secret from infra/realms/demo-realm.json. */
const CLIENT = { id: 'full-scope-client', secret: 'full-secret' };
/** The client that keeps the stack busy while the exactness checks run. */
const BACKGROUND = { id: 'product-sa-client', secret: 'password' };
const STARTUP_MS = 300_000;

export interface LocalStackRun {
  connections: number;
  tokensPerSecond: number;
  p50Ms: number;
  p975Ms: number;
  p99Ms: number;
  ok: number;
  /** Anything but a 200, plus connection errors and timeouts. */
  failed: number;
  /** CPU seconds of serverless offline's process (the handlers run in it: --useInProcess) per token. */
  offlineCpuMsPerToken: number;
  /** CPU of DynamoDB Local (a JVM on the same cores) per token: the realm-version reads' share. */
  dynamoDbCpuMsPerToken: number;
}

export interface ExactnessCheck {
  change: string;
  /** What the very next request had to show, and whether it did. */
  expected: string;
  shown: boolean;
  /** Whether 20 other connections were sending grants meanwhile. */
  underLoad: boolean;
}

export interface LocalStackResult {
  runs: LocalStackRun[];
  exactness: ExactnessCheck[];
  /** The demo realm's signing keys as seeded (`sa-admin keys list demo`). */
  demoKeyProviders: string[];
}

export interface LocalStackOptions {
  connections: number[];
  warmupSeconds: number;
  durationSeconds: number;
  log: (line: string) => void;
}

export async function measureLocalStack(options: LocalStackOptions): Promise<LocalStackResult> {
  const stack = await startNpmStart(options.log);
  try {
    const keys = JSON.parse(await stack.admin('--json', 'keys', 'list', 'demo')) as { provider: string; status: string }[];
    const demoKeyProviders = keys.filter((key) => key.status === 'active').map((key) => key.provider);
    const runs: LocalStackRun[] = [];
    // A fresh JVM (DynamoDB Local) and a fresh serverless offline compile their hot paths in the
    // first thousands of requests: warmed once at the highest concurrency before any run counts.
    const most = Math.max(...options.connections);
    options.log(`local: first warm-up ${3 * options.warmupSeconds} s with ${most} connections`);
    await load(stack.request(CLIENT), most, 3 * options.warmupSeconds);
    for (const connections of options.connections) {
      options.log(`local: warm-up ${options.warmupSeconds} s, then ${options.durationSeconds} s with ${connections} connection(s)`);
      await load(stack.request(CLIENT), connections, options.warmupSeconds);
      const offline = stack.pid('serverless offline');
      const dynamodb = stack.pid('DynamoDBLocal.jar');
      const before = [processCpuSeconds(offline), processCpuSeconds(dynamodb)];
      const result = await load(stack.request(CLIENT), connections, options.durationSeconds);
      const cpu = [processCpuSeconds(offline) - before[0]!, processCpuSeconds(dynamodb) - before[1]!];
      const ok = result['2xx'];
      runs.push({
        connections,
        tokensPerSecond: ok / result.duration,
        p50Ms: result.latency.p50,
        p975Ms: result.latency.p97_5,
        p99Ms: result.latency.p99,
        ok,
        failed: result.non2xx + result.errors + result.timeouts,
        offlineCpuMsPerToken: (cpu[0]! * 1000) / ok,
        dynamoDbCpuMsPerToken: (cpu[1]! * 1000) / ok,
      });
    }
    options.log('local: exactness (sa-admin --local, then the very next request)');
    const exactness = [...(await exactnessChecks(stack, false))];
    // The same with 20 connections of another client in flight: no request may answer from a read made before the change.
    const background = load(stack.request(BACKGROUND), 20, 30, true);
    exactness.push(...(await exactnessChecks(stack, true)));
    background.stop();
    await background.done;
    return { runs, exactness, demoKeyProviders };
  } finally {
    await stack.stop();
  }
}

interface NpmStart {
  request(client: { id: string; secret: string }): autocannon.Options;
  token(client: { id: string; secret: string }): Promise<{ status: number; roles: string[] }>;
  admin(...args: string[]): Promise<string>;
  /** The process under npm start whose command line contains `command`. */
  pid(command: string): number;
  stop(): Promise<void>;
}

/** Revokes and grants back a service-account role, disables and enables the client; each change checked on the next request. */
async function exactnessChecks(stack: NpmStart, underLoad: boolean): Promise<ExactnessCheck[]> {
  const checks: ExactnessCheck[] = [];
  const check = async (change: string[], expected: string, shown: (next: { status: number; roles: string[] }) => boolean) => {
    await stack.admin(...change);
    checks.push({ change: `sa-admin ${change.join(' ')}`, expected, shown: shown(await stack.token(CLIENT)), underLoad });
  };
  if ((await stack.token(CLIENT)).status !== 200) throw new Error(`local: ${CLIENT.id} gets no token before the checks`);
  await check(['sa', 'revoke', 'demo', CLIENT.id, 'admin'], "200 without realm role 'admin'", (next) => next.status === 200 && !next.roles.includes('admin'));
  await check(['sa', 'grant', 'demo', CLIENT.id, 'admin'], "200 with realm role 'admin'", (next) => next.status === 200 && next.roles.includes('admin'));
  await check(['client', 'disable', 'demo', CLIENT.id], '401 invalid_client', (next) => next.status === 401);
  await check(['client', 'enable', 'demo', CLIENT.id], '200', (next) => next.status === 200);
  return checks;
}

/** The environment of a user's shell: nothing that points at the bench's own stack. */
function userEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('AWS_') || name.startsWith('SA_ADMIN_') || name.endsWith('_TABLE') || name.includes('CACHE_TTL') || name === 'SECRETS_KEY_ID') continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

async function startNpmStart(log: (line: string) => void): Promise<NpmStart> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sa-bench-local-'));
  const ports: Record<string, string> = {};
  for (const name of ['PORT', 'DYNAMODB_PORT', 'KMS_PORT', 'LAMBDA_PORT', 'ALB_PORT']) ports[name] = String(await freePort());
  const env = userEnvironment({ ...ports, LOCAL_DATA_DIR: dataDir });
  const base = `http://localhost:${ports.PORT}`;
  const tokenUrl = `${base}/realms/demo/protocol/openid-connect/token`;
  log(`local: npm start on port ${ports.PORT} (data ${dataDir})`);
  // Its own process group, so stopping it reaches npm, tsx and what they started.
  const child = spawn('npm', ['start'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const stop = async () => {
    await stopGroup(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForReady(child);
  } catch (err) {
    await stop();
    throw err;
  }
  const basic = (client: { id: string; secret: string }) => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
  const request = (client: { id: string; secret: string }): autocannon.Options => ({
    url: tokenUrl,
    method: 'POST',
    headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return {
    request,
    async token(client) {
      const res = await fetch(tokenUrl, { method: 'POST', headers: request(client).headers as Record<string, string>, body: 'grant_type=client_credentials' });
      const body = (await res.json()) as { access_token?: string };
      const claims = body.access_token ? (JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString()) as { realm_access?: { roles?: string[] } }) : {};
      return { status: res.status, roles: claims.realm_access?.roles ?? [] };
    },
    admin: (...args) => saAdmin(env, args),
    pid: (command) => {
      const pid = descendants(child.pid!).find((candidate) => commandLine(candidate).includes(command));
      if (pid === undefined) throw new Error(`local: no process '${command}' under npm start`);
      return pid;
    },
    stop,
  };
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${output}`)), STARTUP_MS);
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      if (output.includes('Token service ready on')) {
        clearTimeout(timer);
        child.off('exit', exited);
        resolve();
      }
    };
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}):\n${output}`));
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', exited);
  });
}

/** npm start stops DynamoDB Local, the local KMS and serverless offline on SIGINT (infra/local/start.ts). */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGINT');
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function saAdmin(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const cli = spawn(process.execPath, ['bin/sa-admin.js', '--local', ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    cli.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`sa-admin ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

function load(request: autocannon.Options, connections: number, duration: number): Promise<autocannon.Result>;
function load(request: autocannon.Options, connections: number, duration: number, stoppable: true): { stop(): void; done: Promise<autocannon.Result> };
function load(request: autocannon.Options, connections: number, duration: number, stoppable?: true) {
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ ...request, connections, duration }, (err, result) => (err ? reject(err) : resolve(result)));
  });
  return stoppable ? { stop: () => instance?.stop(), done } : done;
}

/** Every process under `root`, from /proc (Linux). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) for (const child of children.get(queue.shift()!) ?? []) found.push(child), queue.push(child);
  return found;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** utime + stime of a process from /proc (Linux), in seconds. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
}
