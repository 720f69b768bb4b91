/**
 * `npm test`: typecheck, then start the local stack (DynamoDB Local, local KMS, serverless
 * offline) on test ports with a throw-away data directory, run every test file with node's test
 * runner against it, stop the stack, and end with the runner's summary and a plain
 * "N passed, N failed" line.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PROJECT_ROOT, startLocalStack } from '../infra/local/stack.js';

const tiers = process.argv.slice(2);
const run = (command: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    let output = '';
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });

async function testFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(PROJECT_ROOT, 'test', dir), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => relative(PROJECT_ROOT, join(entry.parentPath, entry.name)))
    .sort();
}

async function existingFile(file: string): Promise<string[]> {
  return (await stat(join(PROJECT_ROOT, file)).catch(() => undefined))?.isFile() ? [file] : [];
}

// Arguments are tiers (unit, integration, e2e) or single test files. An argument that selects no
// file (a misspelt tier or path) is an error: a run that tests nothing must not look green.
const selected = tiers.length > 0 ? tiers : ['unit', 'integration', 'e2e'];
const selections = await Promise.all(selected.map(async (arg) => ({ arg, files: arg.endsWith('.ts') ? await existingFile(arg) : await testFiles(arg) })));
const empty = selections.filter((selection) => selection.files.length === 0).map((selection) => selection.arg);
if (empty.length > 0) {
  console.log(`no test file selected by ${empty.map((arg) => `'${arg}'`).join(', ')}: give a tier (unit, integration, e2e) or a test file\n0 passed, 1 failed`);
  process.exit(1);
}
const files = selections.flatMap((selection) => selection.files);

// SKIP_TYPECHECK=1 is for a developer re-running one file; CI always typechecks.
console.log('> typecheck');
// Two projects: the Node code, and the console's browser code (console/tsconfig.json: DOM types, no Node's).
const tsc = (project: string) => run(join(PROJECT_ROOT, 'node_modules/.bin/tsc'), ['--noEmit', '-p', project]);
const typecheck = process.env.SKIP_TYPECHECK === '1' ? { code: 0 } : await tsc('.').then(async (node) => (node.code === 0 ? tsc('console') : node));
if (typecheck.code !== 0) {
  console.log('typecheck failed\n0 passed, 1 failed');
  process.exit(1);
}
const needsOffline = files.some((file) => file.includes('e2e'));
const dataDir = await mkdtemp(join(tmpdir(), 'sa-token-test-'));
const port = Number(process.env.TEST_PORT ?? 3100);
console.log('> starting the local stack for tests');
const stack = await startLocalStack({
  port: needsOffline ? port : 0,
  dynamodbPort: Number(process.env.TEST_DYNAMODB_PORT ?? 8100),
  kmsPort: Number(process.env.TEST_KMS_PORT ?? 4699),
  lambdaPort: Number(process.env.TEST_LAMBDA_PORT ?? 3102),
  dataDir,
  stage: 'test',
  relaxThrottle: true,
  logFile: join(dataDir, 'offline.log'),
  log: () => undefined,
});

// Interrupted (Ctrl-C, CI timeout): stop DynamoDB Local and serverless offline rather than orphan them.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stack.stop().finally(() => process.exit(130));
  });
}

let result: { code: number; output: string };
try {
  result = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
    ...stack.env,
    TEST_BASE_URL: stack.baseUrl,
    ...(stack.albBaseUrl ? { TEST_ALB_BASE_URL: stack.albBaseUrl } : {}),
    TEST_OFFLINE_LOG: join(dataDir, 'offline.log'),
    // In-process handlers would print EMF metrics to the test output; tests that read them opt in.
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
const count = (label: string) => Number(new RegExp(`ℹ ${label} (\\d+)`).exec(result.output)?.[1] ?? 0);
console.log(`${count('pass')} passed, ${count('fail')} failed`);
process.exit(result.code);
