/**
 * The token function as it is deployed: bundled with serverless.yml's `custom.esbuild` options (as
 * serverless-esbuild bundles it), so that the HTTP benchmark serves the code a request runs in
 * Lambda, not the TypeScript source through tsx, and run with the provider's NODE_OPTIONS.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../../infra/local/stack.js';

/** Options serverless-esbuild takes for itself and does not pass to esbuild. */
const PLUGIN_OPTIONS = new Set(['exclude', 'outputFileExtension', 'packager', 'packagerOptions', 'concurrency', 'zipConcurrency', 'nativeZip', 'keepOutputDirectory', 'installExtraArgs', 'watch', 'skipBuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'nodeExternals', 'config', 'outputWorkFolder', 'outputBuildFolder']);

export const TOKEN_FUNCTION = 'functions/token';

/** Builds functions/token.ts into `outdir`; returns the bundle's path and the node options the function runs with. */
export async function bundleTokenFunction(outdir: string): Promise<{ bundle: string; nodeOptions: string[] }> {
  const config = parse(await readFile(join(PROJECT_ROOT, 'serverless.yml'), 'utf8')) as {
    provider: { environment?: Record<string, unknown> };
    custom: { esbuild: Record<string, unknown> };
  };
  const esbuild = config.custom.esbuild;
  const options: BuildOptions = Object.fromEntries(Object.entries(esbuild).filter(([name]) => !PLUGIN_OPTIONS.has(name)));
  const bundle = join(outdir, `token${String(esbuild.outputFileExtension ?? '.js')}`);
  await build({
    ...options,
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [join(PROJECT_ROOT, `${TOKEN_FUNCTION}.ts`)],
    outfile: bundle,
    external: [...((options.external as string[] | undefined) ?? []), ...((esbuild.exclude as string[] | undefined) ?? [])],
    logLevel: 'silent',
  });
  const nodeOptions = String(config.provider.environment?.NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  return { bundle, nodeOptions };
}
