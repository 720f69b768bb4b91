/**
 * Issue 21, target 6: the admin console's weight in a browser. console/build.mjs builds the page and
 * its content-hashed assets into console/dist/manifest.json, which the console function embeds and
 * serves as is (console/serve.ts); this part builds it the same way and measures each file raw and
 * gzip-compressed. The function sends them uncompressed and API Gateway's HTTP API does not compress,
 * so the raw size is what crosses the wire today; the gzip size is what a compressing front (CloudFront)
 * would send.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import type { ConsoleManifest } from '../../console/serve.js';

export interface ConsoleFileSize {
  name: string;
  rawBytes: number;
  /** zlib's default level (6), what CloudFront and most servers use. */
  gzipBytes: number;
}

export interface ConsoleAssetsResult {
  /** The page (index.html) first, then the assets in the manifest's order. */
  files: ConsoleFileSize[];
  rawBytes: number;
  gzipBytes: number;
}

/** Builds the console as `serverless package` does (infra/build/console.mjs runs the same script). */
export function buildConsole(): void {
  const out = spawnSync(process.execPath, [join(PROJECT_ROOT, 'console/build.mjs')], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`console/build.mjs failed: ${out.stderr.slice(-2000)}`);
}

/** Sizes of what console/build.mjs wrote last (call buildConsole first). */
export async function measureConsoleAssets(): Promise<ConsoleAssetsResult> {
  const manifest = JSON.parse(await readFile(join(PROJECT_ROOT, 'console/dist/manifest.json'), 'utf8')) as ConsoleManifest;
  const size = (name: string, body: string): ConsoleFileSize => ({ name, rawBytes: Buffer.byteLength(body), gzipBytes: gzipSync(body).length });
  const files = [size('index.html', manifest.page), ...manifest.assets.map((asset) => size(asset.name, asset.body))];
  return { files, rawBytes: files.reduce((sum, f) => sum + f.rawBytes, 0), gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0) };
}
