/**
 * The token function as it is deployed: bundled with serverless.yml's `custom.esbuild` options (as
 * serverless-esbuild bundles it), so that the HTTP benchmark serves the code a request runs in
 * Lambda, not the TypeScript source through tsx, and run with the provider's NODE_OPTIONS.
 */
import { join } from 'node:path';
import { deployedBuild } from '../deployedBuild.js';

export const TOKEN_FUNCTION = 'functions/token';

/** Builds functions/token.ts into `outdir`; returns the bundle's path and the node options the function runs with. */
export async function bundleTokenFunction(outdir: string): Promise<{ bundle: string; nodeOptions: string[] }> {
  const deployed = await deployedBuild();
  const bundle = join(outdir, `token${deployed.extension}`);
  await deployed.bundle(TOKEN_FUNCTION, bundle);
  return { bundle, nodeOptions: deployed.nodeOptions.split(' ').filter(Boolean) };
}
