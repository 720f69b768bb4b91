/**
 * Handler cost of the deployed artefact (issue 21, target 1): the token function's zip from
 * `serverless package --stage bench`, unzipped, imported by a fresh `node` with the environment
 * the CloudFormation template gives the function (NODE_OPTIONS, cache TTLs, …; what the template
 * resolves only at deploy time — the secrets key's ARN — and the endpoints come from the bench
 * stack), warm grants and bare signatures alternating (scripts/bench/bundleDriver.mjs).
 */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { routesFromServerlessYml } from '../../infra/local/apiGateway.js';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import type { SignatureAlgorithm } from '../../lib/model/stored.js';
import { packagingDir } from '../../test/support/packagingDir.js';
import { HANDLER_COST_CASES } from './handlerCost.js';
import { BENCH_CLIENT, grantEvent, realmFor, STAGE } from './setup.js';

export interface BundleCostResult {
  name: string;
  alg: SignatureAlgorithm;
  client: string;
  grants: number;
  cpuMicrosPerGrant: number;
  bareSignMicros: number;
  overheadMicros: number;
  /** The bundle as deployed (functions/token.mjs in the zip), KB. */
  bundleKb: number;
  nodeOptions: string;
}

export async function measureBundleCost(options: { env: Record<string, string>; secret: string; durationMs: number; log: (line: string) => void }): Promise<BundleCostResult[]> {
  const outDir = await mkdtemp(join(tmpdir(), 'sa-token-bench-package-'));
  try {
    options.log('bundle cost: serverless package --stage bench');
    // Not in the checkout: packaging deletes the service directory's `.serverless/` (test/support/packagingDir.ts).
    const service = await packagingDir();
    try {
      await promisify(execFile)(join(PROJECT_ROOT, 'node_modules/.bin/serverless'), ['package', '--stage', STAGE, '--package', outDir], {
        cwd: service.dir,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
        maxBuffer: 16 * 1024 * 1024,
      });
    } finally {
      await service.remove();
    }
    const unzipped = join(outDir, 'token');
    await promisify(execFile)('unzip', ['-q', join(outDir, 'token.zip'), '-d', unzipped]);
    const bundle = join(unzipped, 'functions/token.mjs');
    const bundleKb = (await readFile(bundle)).length / 1024;

    const template = JSON.parse(await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as {
      Resources: Record<string, { Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
    };
    const variables = template.Resources.TokenLambdaFunction?.Properties.Environment?.Variables ?? {};
    // The template's literal values win; its references (resolved at deploy time) come from the bench stack.
    const literal = Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...options.env, ...literal };

    const routes = await routesFromServerlessYml(PROJECT_ROOT);
    // The client-secret cases: the assertion cases need assertions minted per grant (part 1 has them).
    const cases = HANDLER_COST_CASES.filter((c) => c.mode === 'envelope' && !c.auth).map((c) => ({
      name: [c.alg, c.client ?? BENCH_CLIENT].join(' '),
      alg: c.alg,
      client: c.client ?? BENCH_CLIENT,
      event: grantEvent(routes, realmFor(c.mode, c.alg), c.client ?? BENCH_CLIENT, options.secret),
    }));
    options.log(`bundle cost: ${cases.length} cases in a fresh node (NODE_OPTIONS=${env.NODE_OPTIONS ?? ''})`);
    // BENCH_BUNDLE_CPU_PROF=<dir>: a V8 CPU profile of the driver (`node --cpu-prof`), with the bundle and its source map beside it.
    const profileDir = process.env.BENCH_BUNDLE_CPU_PROF;
    if (profileDir) await cp(unzipped, join(profileDir, 'token'), { recursive: true });
    const profileArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const output = await run(process.execPath, [...profileArgs, join(PROJECT_ROOT, 'scripts/bench/bundleDriver.mjs'), bundle, JSON.stringify(cases), String(options.durationMs)], env);
    const line = output.split('\n').find((l) => l.startsWith('BENCH '));
    if (!line) throw new Error(`the bundle driver printed no result:\n${output.slice(-2000)}`);
    const measured = JSON.parse(line.slice('BENCH '.length)) as Omit<BundleCostResult, 'client' | 'bundleKb' | 'nodeOptions'>[];
    return measured.map((m, i) => ({ ...m, client: cases[i]!.client, bundleKb, nodeOptions: env.NODE_OPTIONS ?? '' }));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`bundle driver exited ${code}: ${err}`))));
  });
}
