/**
 * Cold start: each function bundled as serverless-esbuild bundles it (the `custom.esbuild` options
 * of serverless.yml), its minified size, and the time a fresh Node process takes to import it
 * (which runs the module's init: SDK clients, runtime), with the NODE_OPTIONS the functions get.
 * The functions' samples are interleaved (one of each in turn), so that on a shared machine a
 * burst of load weighs on every function alike and the ratios to the token function hold
 * (issue 21, target 6: the console's and the admin function's cold start next to the token's).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deployedBuild } from './deployedBuild.js';
import { buildConsole, measureConsoleAssets, type ConsoleAssetsResult } from './consoleAssets.js';

export interface ColdStartResult {
  function: string;
  /** Minified bundle (the .mjs; the source map is a file of its own and is not loaded unless an error is printed). */
  bundleKb: number;
  sourceMapKb: number;
  /** Median time to import the bundle in a fresh process, with and without `--enable-source-maps`. */
  loadMs: number;
  loadMsWithoutSourceMaps: number;
  /**
   * Median CPU time (user + system) of the import, with the functions' NODE_OPTIONS: on a shared
   * machine the wall time above counts waiting for a core, this does not.
   */
  loadCpuMs: number;
  samples: number;
}

/**
 * Cold start as a client sees it (issue 13, target 3): a fresh `node` imports the token bundle
 * (module load and init, PRELOAD_REALMS included: the function awaits it at top level) and
 * answers its first grant, against the bench stack. Medians of `samples` fresh processes.
 */
export interface FirstGrantResult {
  preload: boolean;
  /** Import of the bundle: module load + init (+ preload). */
  initMs: number;
  /** The first grant, after init. */
  firstGrantMs: number;
  /** initMs + firstGrantMs of the same process, median over processes. */
  totalMs: number;
  samples: number;
}

export interface FirstGrantOptions {
  /** The stack's environment, as the function gets it. */
  env: Record<string, string>;
  /** The realm to preload, the one the event asks a token from. */
  realm: string;
  /** A client_credentials event for that realm (API Gateway payload 2.0). */
  event: unknown;
}

export async function measureColdStart(options: {
  samples: number;
  log: (line: string) => void;
  firstGrant?: FirstGrantOptions;
}): Promise<{ bundles: ColdStartResult[]; firstGrant?: FirstGrantResult[]; consoleAssets: ConsoleAssetsResult }> {
  const { functions, extension, nodeOptions, bundle } = await deployedBuild();
  const outdir = await mkdtemp(join(tmpdir(), 'sa-token-bench-bundles-'));
  try {
    // The console function embeds console/dist/manifest.json (serverless.yml's esbuild alias).
    buildConsole();
    const consoleAssets = await measureConsoleAssets();
    const built: { name: string; out: string; bundleKb: number; sourceMapKb: number }[] = [];
    for (const [name, fn] of Object.entries(functions)) {
      const out = join(outdir, `${name}${extension}`);
      await bundle(fn.handler.slice(0, fn.handler.lastIndexOf('.')), out);
      built.push({ name, out, bundleKb: (await stat(out)).size / 1024, sourceMapKb: await stat(`${out}.map`).then((s) => s.size / 1024, () => 0) });
      options.log(`cold start: ${name} bundled, ${((await stat(out)).size / 1024).toFixed(0)} KB`);
    }
    const withMaps = new Map(built.map((b) => [b.name, [] as ImportTime[]]));
    const without = new Map(built.map((b) => [b.name, [] as ImportTime[]]));
    for (let i = 0; i < options.samples; i++) {
      for (const b of built) {
        withMaps.get(b.name)!.push(importTime(b.out, nodeOptions));
        without.get(b.name)!.push(importTime(b.out, nodeOptions.replace('--enable-source-maps', '').trim()));
      }
    }
    options.log(`cold start: ${built.length} functions imported ${options.samples} times each`);
    const results: ColdStartResult[] = built.map((b) => ({
      function: b.name,
      bundleKb: b.bundleKb,
      sourceMapKb: b.sourceMapKb,
      loadMs: median(withMaps.get(b.name)!.map((t) => t.wallMs)),
      loadMsWithoutSourceMaps: median(without.get(b.name)!.map((t) => t.wallMs)),
      loadCpuMs: median(withMaps.get(b.name)!.map((t) => t.cpuMs)),
      samples: options.samples,
    }));
    let firstGrant: FirstGrantResult[] | undefined;
    if (options.firstGrant) {
      firstGrant = [];
      for (const preload of [false, true]) {
        const runs: { initMs: number; firstGrantMs: number }[] = [];
        for (let i = 0; i < options.samples; i++) runs.push(firstGrantTime(join(outdir, `token${extension}`), nodeOptions, options.firstGrant, preload));
        options.log(`cold start: token, first grant ${preload ? 'with' : 'without'} PRELOAD_REALMS`);
        firstGrant.push({
          preload,
          initMs: median(runs.map((run) => run.initMs)),
          firstGrantMs: median(runs.map((run) => run.firstGrantMs)),
          totalMs: median(runs.map((run) => run.initMs + run.firstGrantMs)),
          samples: options.samples,
        });
      }
    }
    return { bundles: results, firstGrant, consoleAssets };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

interface ImportTime {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU milliseconds from just before `import()` to just after, in a fresh `node` process. */
function importTime(bundle: string, nodeOptions: string): ImportTime {
  const script = `const c=process.cpuUsage(),t=performance.now();await import(${JSON.stringify(pathToFileURL(bundle).href)});const w=performance.now()-t,d=process.cpuUsage(c);process.stdout.write(JSON.stringify({wallMs:w,cpuMs:(d.user+d.system)/1000}));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: nodeOptions,
      // What createRuntime needs to start; nothing is called at import.
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      CLIENTS_TABLE: 'sa-token-service-bench-clients',
      SESSIONS_TABLE: 'sa-token-service-bench-sessions',
      SECRETS_KEY_ID: 'alias/sa-token-service-bench-secrets',
      REALM_CACHE_TTL_SECONDS: '60',
    },
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`importing ${bundle} failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as ImportTime;
}

/** Import + first grant of the bundle in a fresh `node`, with the stack's environment and the deployed cache settings. */
function firstGrantTime(bundle: string, nodeOptions: string, options: FirstGrantOptions, preload: boolean): { initMs: number; firstGrantMs: number } {
  const script = [
    `const t0=performance.now();`,
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});`,
    `const t1=performance.now();`,
    `const result = await handler(JSON.parse(process.env.BENCH_EVENT));`,
    `const t2=performance.now();`,
    // The handler's own log lines share stdout; the measurement is the last line.
    `process.stdout.write(String.fromCharCode(10) + 'BENCH ' + JSON.stringify({ status: result.statusCode, initMs: t1 - t0, firstGrantMs: t2 - t1 }) + String.fromCharCode(10));`,
    `process.exit(0);`,
  ].join('');
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: nodeOptions,
      ...options.env,
      REALM_CACHE_TTL_SECONDS: '60',
      CLIENT_CACHE_TTL_SECONDS: '30',
      PRELOAD_REALMS: preload ? options.realm : '',
      BENCH_EVENT: JSON.stringify(options.event),
    },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = out.stdout.split('\n').reverse().find((l) => l.startsWith('BENCH '));
  if (out.status !== 0 || !line) throw new Error(`first grant from ${bundle} failed: ${out.stderr.slice(-2000)}`);
  const result = JSON.parse(line.slice(6)) as { status: number; initMs: number; firstGrantMs: number };
  if (result.status !== 200) throw new Error(`first grant answered ${result.status}`);
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
