/**
 * Cold start: each function bundled as serverless-esbuild bundles it (the `custom.esbuild` options
 * of serverless.yml), its minified size, and the time a fresh Node process takes to import it
 * (which runs the module's init: SDK clients, runtime), with the NODE_OPTIONS the functions get.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../infra/local/stack.js';

export interface ColdStartResult {
  function: string;
  /** Minified bundle (the .mjs; the source map is a file of its own and is not loaded unless an error is printed). */
  bundleKb: number;
  sourceMapKb: number;
  /** Median time to import the bundle in a fresh process, with and without `--enable-source-maps`. */
  loadMs: number;
  loadMsWithoutSourceMaps: number;
  samples: number;
}

interface ServerlessConfig {
  provider: { environment?: Record<string, unknown> };
  custom: { esbuild: Record<string, unknown> };
  functions: Record<string, { handler: string }>;
}

/** Options serverless-esbuild strips before calling esbuild (they are its own). */
const PLUGIN_OPTIONS = new Set(['exclude', 'outputFileExtension', 'packager', 'packagerOptions', 'concurrency', 'zipConcurrency', 'nativeZip', 'keepOutputDirectory', 'installExtraArgs', 'watch', 'skipBuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'nodeExternals', 'config', 'outputWorkFolder', 'outputBuildFolder']);

export async function measureColdStart(options: { samples: number; log: (line: string) => void }): Promise<ColdStartResult[]> {
  const config = parse(await readFile(join(PROJECT_ROOT, 'serverless.yml'), 'utf8')) as ServerlessConfig;
  const esbuildConfig = config.custom.esbuild;
  const buildOptions: BuildOptions = Object.fromEntries(Object.entries(esbuildConfig).filter(([name]) => !PLUGIN_OPTIONS.has(name)));
  const extension = String(esbuildConfig.outputFileExtension ?? '.js');
  const nodeOptions = String(config.provider.environment?.NODE_OPTIONS ?? '');
  const outdir = await mkdtemp(join(tmpdir(), 'sa-token-bench-bundles-'));
  try {
    const results: ColdStartResult[] = [];
    for (const [name, fn] of Object.entries(config.functions)) {
      const file = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
      const out = join(outdir, `${name}${extension}`);
      await build({
        ...buildOptions,
        entryPoints: [join(PROJECT_ROOT, `${file}.ts`)],
        outfile: out,
        external: [...((buildOptions.external as string[] | undefined) ?? []), ...((esbuildConfig.exclude as string[] | undefined) ?? [])],
        logLevel: 'silent',
      });
      const bundleKb = (await stat(out)).size / 1024;
      const sourceMapKb = await stat(`${out}.map`).then((s) => s.size / 1024, () => 0);
      const withMaps: number[] = [];
      const without: number[] = [];
      for (let i = 0; i < options.samples; i++) {
        withMaps.push(importTime(out, nodeOptions));
        without.push(importTime(out, nodeOptions.replace('--enable-source-maps', '').trim()));
      }
      options.log(`cold start: ${name} ${bundleKb.toFixed(0)} KB`);
      results.push({ function: name, bundleKb, sourceMapKb, loadMs: median(withMaps), loadMsWithoutSourceMaps: median(without), samples: options.samples });
    }
    return results;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** Milliseconds from just before `import()` to just after, in a fresh `node` process. */
function importTime(bundle: string, nodeOptions: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(bundle).href)});process.stdout.write(String(performance.now()-t));`;
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
  return Number(out.stdout);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
