/**
 * Handler cost: warm `client_credentials` grants per CPU-second of this process, invoking the real
 * `functions/token.ts` handler in-process with its AWS calls answered by the local stack (DynamoDB
 * Local is a Java process and the local KMS a node process of their own, so their CPU is not
 * counted), beside the bare `crypto.sign` rate for the same algorithm measured in the same run.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routesFromServerlessYml } from '../../infra/local/apiGateway.js';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import type { SignatureAlgorithm, SigningMode } from '../../lib/model/stored.js';
import { percentile } from './memory.js';
import {
  assertionForm,
  assertionGrantEvent,
  BENCH_CLIENT,
  BENCH_FEDERATED_CLIENT,
  BENCH_FEDERATED_ISSUER,
  BENCH_FULL_SCOPE_CLIENT,
  BENCH_JWT_CLIENT,
  BENCH_MAPPERS_CLIENT,
  BENCH_ROLE_ARN,
  grantEvent,
  realmFor,
  type AssertionKey,
} from './setup.js';

/** How the client authenticates: its secret (HTTP Basic, the default) or a signed assertion. */
export type BenchClientAuth = 'private_key_jwt' | 'federated-jwt';

export interface HandlerCostCase {
  mode: SigningMode;
  alg: SignatureAlgorithm;
  /** Another bench client than BENCH_CLIENT (the copy of the demo's product-sa-client). */
  client?: string;
  /** A client authenticating with an assertion instead of a secret (its own client, BENCH_JWT_CLIENT or BENCH_FEDERATED_CLIENT). */
  auth?: BenchClientAuth;
}

export const HANDLER_COST_CASES: readonly HandlerCostCase[] = [
  { mode: 'envelope', alg: 'RS256' },
  { mode: 'envelope', alg: 'ES256' },
  // Issue 21, target 1: every realm and client role, and ten more mappers.
  { mode: 'envelope', alg: 'RS256', client: BENCH_FULL_SCOPE_CLIENT },
  { mode: 'envelope', alg: 'ES256', client: BENCH_FULL_SCOPE_CLIENT },
  { mode: 'envelope', alg: 'RS256', client: BENCH_MAPPERS_CLIENT },
  { mode: 'envelope', alg: 'ES256', client: BENCH_MAPPERS_CLIENT },
  { mode: 'kms', alg: 'RS256' },
  // Issue 21.6: a federated grant beside a private_key_jwt one, both with a single-use jti (one write each).
  { mode: 'envelope', alg: 'RS256', client: BENCH_JWT_CLIENT, auth: 'private_key_jwt' },
  { mode: 'envelope', alg: 'RS256', client: BENCH_FEDERATED_CLIENT, auth: 'federated-jwt' },
];

/**
 * Assertions minted before a case is measured (minting is the workload's cost, not the handler's),
 * each with a fresh jti: enough for this many grants per second of the case.
 */
const ASSERTIONS_PER_SECOND = 1500;

export interface HandlerCostResult {
  mode: SigningMode;
  alg: SignatureAlgorithm;
  client?: string;
  auth?: BenchClientAuth;
  grants: number;
  cpuSeconds: number;
  wallSeconds: number;
  grantsPerCpuSecond: number;
  /** Mean CPU time of one grant, in microseconds. */
  cpuMicrosPerGrant: number;
  bareSignsPerCpuSecond: number;
  /** grantsPerCpuSecond / bareSignsPerCpuSecond. */
  ratio: number;
  /** CPU per grant minus CPU per bare signature of the same input: what a grant costs beyond signing (issue 13, target 1). */
  overheadMicros: number;
  /** Envelope cases: CPU time of single grants, measured one by one after the rate (memory model input). */
  samples?: { count: number; p50Micros: number; p99Micros: number; micros: number[] };
}

export interface HandlerCostOptions {
  env: Record<string, string>;
  secret: string;
  /** Signs the assertion cases' assertions. */
  assertionKey: AssertionKey;
  warmupMs: number;
  durationMs: number;
  /** Grants in flight at once; 1 is a Lambda container's (one event at a time). */
  concurrency: number;
  /** Single grants timed one by one for the memory model. */
  samples: number;
  /** Only these cases (`mode-alg[-client]`, e.g. `envelope-ES256`); default all. */
  cases?: string[];
  log: (line: string) => void;
}

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export async function measureHandlerCost(options: HandlerCostOptions): Promise<HandlerCostResult[]> {
  // The handler builds its runtime from the environment when imported, as at Lambda init.
  Object.assign(process.env, options.env);
  const { handler } = (await import('../../functions/token.js')) as { handler: Handler };
  const routes = await routesFromServerlessYml(PROJECT_ROOT);
  const results: HandlerCostResult[] = [];

  const caseName = ({ mode, alg, client }: HandlerCostCase) => [mode, alg, client].filter(Boolean).join('-');
  const cases = HANDLER_COST_CASES.filter((c) => !options.cases || options.cases.includes(caseName(c)));
  for (const { mode, alg, client, auth } of cases) {
    const realm = realmFor(mode, alg);
    const eventJson = JSON.stringify(auth ? assertionGrantEvent(routes, realm, '') : grantEvent(routes, realm, client ?? BENCH_CLIENT, options.secret));
    // Assertion cases: only the assertions are kept (a pool of whole events would be a heap the
    // garbage collector walks during the measurement); each invocation puts the next one in the body.
    const assertions = auth
      ? assertionPool(auth, options.assertionKey, `http://localhost:8443/realms/${realm}`, Math.ceil(((options.warmupMs + options.durationMs) / 1000 + 1) * ASSERTIONS_PER_SECOND))
      : [];
    let next = 0;
    const nextEvent = (): APIGatewayProxyEventV2 => {
      const event = JSON.parse(eventJson) as APIGatewayProxyEventV2;
      if (!auth) return event;
      if (next === assertions.length) throw new Error(`${auth}: all ${assertions.length} assertions used; raise ASSERTIONS_PER_SECOND`);
      event.body = Buffer.from(assertionForm(assertions[next++]!)).toString('base64');
      return event;
    };
    // Each invocation parses the event and serialises the result, as the Lambda runtime does.
    const invoke = async () => {
      const result = await handler(nextEvent());
      const text = JSON.stringify(result);
      if (result.statusCode !== 200) throw new Error(`${mode} ${alg}: grant answered ${result.statusCode}: ${result.body}`);
      return text;
    };

    options.log(`handler cost: ${mode} ${alg} warm-up`);
    const sample = JSON.parse(JSON.parse(await invoke()).body as string) as { access_token: string };
    await runFor(invoke, options.warmupMs, options.concurrency);

    const signingInput = sample.access_token.slice(0, sample.access_token.lastIndexOf('.'));
    const bareSign = bareSigner(alg, signingInput);
    options.log(`handler cost: ${mode} ${alg} measuring`);
    // Grants and bare signatures in alternating slices, so both see the same machine: on a shared
    // machine the load changes from second to second, and the overhead is their difference.
    const run = { count: 0, cpuSeconds: 0, wallSeconds: 0 };
    const signs = { count: 0, cpuSeconds: 0 };
    const slices = Math.max(1, Math.round(options.durationMs / SLICE_MS));
    for (let i = 0; i < slices; i++) {
      const grants = await runFor(invoke, options.durationMs / slices, options.concurrency);
      run.count += grants.count;
      run.cpuSeconds += grants.cpuSeconds;
      run.wallSeconds += grants.wallSeconds;
      const bareSlice = bareSign(options.durationMs / slices / 2);
      signs.count += bareSlice.count;
      signs.cpuSeconds += bareSlice.cpuSeconds;
    }
    const bareRate = signs.count / signs.cpuSeconds;
    const grantsPerCpuSecond = run.count / run.cpuSeconds;
    // Grant by grant, apart from the rate above: the two cpuUsage() calls around each grant are not in it.
    const samples = mode === 'envelope' && client === undefined ? await sampleCpu(invoke, options.samples) : undefined;
    results.push({
      mode,
      alg,
      client,
      ...(auth ? { auth } : {}),
      grants: run.count,
      cpuSeconds: run.cpuSeconds,
      wallSeconds: run.wallSeconds,
      grantsPerCpuSecond,
      cpuMicrosPerGrant: (run.cpuSeconds / run.count) * 1e6,
      bareSignsPerCpuSecond: bareRate,
      ratio: grantsPerCpuSecond / bareRate,
      overheadMicros: (run.cpuSeconds / run.count) * 1e6 - 1e6 / bareRate,
      samples,
    });
  }
  return results;
}

/**
 * `count` compact JWS (ES256) for the assertion cases, each with its own jti, valid for 5 minutes:
 * private_key_jwt's iss = sub = the client (RFC 7523 §3), federated-jwt's an STS web identity token
 * (iss the account's issuer, sub the role ARN). Both have the realm issuer as their one audience.
 */
function assertionPool(auth: BenchClientAuth, key: AssertionKey, audience: string, count: number): string[] {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: key.kid })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const who = auth === 'private_key_jwt' ? { iss: BENCH_JWT_CLIENT, sub: BENCH_JWT_CLIENT } : { iss: BENCH_FEDERATED_ISSUER, sub: BENCH_ROLE_ARN };
  return Array.from({ length: count }, () => {
    const payload = Buffer.from(JSON.stringify({ ...who, aud: audience, iat: now, exp: now + 300, jti: randomUUID() })).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${header}.${payload}.${signature}`;
  });
}

/** CPU time (user + system, µs) of `n` single calls, one after another. */
async function sampleCpu(fn: () => Promise<unknown>, n: number) {
  const micros: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    micros.push(used.user + used.system);
  }
  const sorted = [...micros].sort((a, b) => a - b);
  return { count: n, p50Micros: percentile(sorted, 50), p99Micros: percentile(sorted, 99), micros };
}

/** Calls `fn` with `concurrency` calls in flight until `ms` of wall time have passed; CPU is this process's user+system. */
async function runFor(fn: () => Promise<unknown>, ms: number, concurrency: number) {
  const cpuStart = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  const deadline = performance.now() + ms;
  let count = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await fn();
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuStart);
  return { count, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: Number(process.hrtime.bigint() - wallStart) / 1e9 };
}

/** Length of one slice of grants (and half as long of bare signatures) in the alternation. */
const SLICE_MS = 500;

/**
 * `crypto.sign` over a real token's signing input, as EnvelopeSigner calls it (RS256: PKCS#1 v1.5
 * with an RSA-2048 key; ES256: P-256 with the JWS r||s encoding): a function that signs for `ms`
 * and says how many signatures took how much CPU.
 */
export function bareSigner(alg: SignatureAlgorithm, signingInput: string): (ms: number) => { count: number; cpuSeconds: number } {
  const key = signingKey(alg);
  const input = Buffer.from(signingInput, 'utf8');
  const signOnce = alg === 'ES256' ? () => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' }) : () => sign('sha256', input, key);
  for (let i = 0; i < 50; i++) signOnce();
  return (ms) => {
    const cpuStart = process.cpuUsage();
    const deadline = performance.now() + ms;
    let count = 0;
    while (performance.now() < deadline) {
      for (let i = 0; i < 10; i++) signOnce();
      count += 10;
    }
    const cpu = process.cpuUsage(cpuStart);
    return { count, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
}


function signingKey(alg: SignatureAlgorithm): KeyObject {
  return alg === 'RS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}
