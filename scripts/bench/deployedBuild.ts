/**
 * serverless.yml's functions bundled as serverless-esbuild bundles them for a deployment: its
 * `custom.esbuild` options less the plugin's own, the packages it excludes left external, and the
 * provider's NODE_OPTIONS they run with. Part `cold` and part `http` build through this one place.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../infra/local/stack.js';

interface ServerlessConfig {
  provider: { environment?: Record<string, unknown> };
  custom: { esbuild: Record<string, unknown> };
  functions: Record<string, { handler: string }>;
}

/** Options serverless-esbuild strips before calling esbuild (they are its own). */
const PLUGIN_OPTIONS = new Set(['exclude', 'outputFileExtension', 'packager', 'packagerOptions', 'concurrency', 'zipConcurrency', 'nativeZip', 'keepOutputDirectory', 'installExtraArgs', 'watch', 'skipBuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'nodeExternals', 'config', 'outputWorkFolder', 'outputBuildFolder']);

export interface DeployedBuild {
  functions: ServerlessConfig['functions'];
  /** The bundles' file extension (`outputFileExtension`). */
  extension: string;
  /** The provider's NODE_OPTIONS, as one string. */
  nodeOptions: string;
  /** Bundles `entry` (a path from the project root without `.ts`, as a handler names it) into `outfile`. */
  bundle(entry: string, outfile: string): Promise<void>;
}

export async function deployedBuild(): Promise<DeployedBuild> {
  const config = parse(await readFile(join(PROJECT_ROOT, 'serverless.yml'), 'utf8')) as ServerlessConfig;
  const esbuildConfig = config.custom.esbuild;
  const options: BuildOptions = Object.fromEntries(Object.entries(esbuildConfig).filter(([name]) => !PLUGIN_OPTIONS.has(name)));
  const external = [...((options.external as string[] | undefined) ?? []), ...((esbuildConfig.exclude as string[] | undefined) ?? [])];
  return {
    functions: config.functions,
    extension: String(esbuildConfig.outputFileExtension ?? '.js'),
    nodeOptions: String(config.provider.environment?.NODE_OPTIONS ?? ''),
    async bundle(entry, outfile) {
      await build({ ...options, absWorkingDir: PROJECT_ROOT, entryPoints: [join(PROJECT_ROOT, `${entry}.ts`)], outfile, external, logLevel: 'silent' });
    },
  };
}
