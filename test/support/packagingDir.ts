import { copyFile, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/local/stack.js';

/**
 * A directory to run `serverless package` in that is not the checkout: every top-level entry of
 * the project copied (files) or linked (folders), except the folders the framework and its plugins write to. The framework's
 * package step deletes `<service dir>/.serverless` (aws:common:cleanupTempDir), which in the
 * checkout is the developer's own (their last `serverless deploy`'s state): `npm test` must not
 * touch it.
 */
export async function packagingDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sls-service-'));
  const written = new Set(['.serverless', '.esbuild', '.local', '.git']);
  for (const entry of await readdir(PROJECT_ROOT, { withFileTypes: true })) {
    if (written.has(entry.name)) continue;
    // The framework finds its service only through a real serverless.yml: files are copied, folders linked.
    if (entry.isFile()) await copyFile(join(PROJECT_ROOT, entry.name), join(dir, entry.name));
    else await symlink(join(PROJECT_ROOT, entry.name), join(dir, entry.name));
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
