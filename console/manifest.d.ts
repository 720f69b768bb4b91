/**
 * The built console (console/dist/manifest.json), embedded in the console function's bundle:
 * serverless.yml's esbuild `alias` maps this name to the file console/build.mjs writes, so the
 * function needs no files beside its bundle and the type check no build.
 */
declare module 'sa-console-manifest' {
  import type { ConsoleManifest } from './serve.js';
  const manifest: ConsoleManifest;
  export default manifest;
}
