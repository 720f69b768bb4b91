import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_ADMIN_SECRET, startBanner } from '../../infra/local/banner.js';
import { JAVA_NEEDED } from '../../infra/local/dynamodb.js';
import { FunctionLog, functionLogFiles } from '../../infra/local/functionLog.js';
import { PROJECT_ROOT } from '../../infra/local/stack.js';

/** What `npm start` shows and keeps for a local operator: its banner, its functions' log, its one-line failures. */

const facts = { base: 'http://localhost:3000', issuerBase: 'http://localhost:3000', adminClientId: 'temp-admin', logFile: '/data/logs/functions.log', awsEnv: { AWS_REGION: 'us-east-1' } };

describe('start banner', () => {
  test('shows the built-in admin secret and says it is the default', () => {
    const banner = startBanner({ ...facts, adminSecret: DEFAULT_ADMIN_SECRET });
    assert.match(banner, /client secret temp-admin-secret\s+\(the built-in default; set KC_BOOTSTRAP_ADMIN_CLIENT_SECRET/);
    assert.match(banner, /Functions' logs and audit events \(JSON lines, rotated\): \/data\/logs\/functions\.log/);
  });

  test('never shows a secret the operator chose', () => {
    const banner = startBanner({ ...facts, adminSecret: 'operator-chosen-s3cret' });
    assert.ok(!banner.includes('operator-chosen-s3cret'));
    assert.match(banner, /client secret \(from KC_BOOTSTRAP_ADMIN_CLIENT_SECRET, not shown\)/);
  });
});

describe('functions log', () => {
  test('keeps JSON lines as written, wraps other lines, joins lines split across chunks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'function-log-'));
    const path = join(dir, 'logs', 'functions.log');
    const log = new FunctionLog(path, { maxBytes: 1 << 20, keep: 2 }, () => new Date('2026-01-01T00:00:00Z'));
    log.write('stdout', '{"level":"INFO","event":"CLIENT_');
    log.write('stdout', 'LOGIN"}\n\u001b[32mPOST /realms/demo/token (λ: token)\u001b[39m\n\n');
    log.write('stderr', 'half a line');
    log.close();
    log.write('stdout', 'after close\n');
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.deepEqual(lines.map((line) => JSON.parse(line)), [
      { level: 'INFO', event: 'CLIENT_LOGIN' },
      { time: '2026-01-01T00:00:00.000Z', source: 'serverless-offline stdout', message: 'POST /realms/demo/token (λ: token)' },
      { time: '2026-01-01T00:00:00.000Z', source: 'serverless-offline stderr', message: 'half a line' },
    ]);
    await rm(dir, { recursive: true, force: true });
  });

  test('rotates past its size, keeping a bounded number of files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'function-log-'));
    const path = join(dir, 'functions.log');
    const limits = { maxBytes: 100, keep: 2 };
    const log = new FunctionLog(path, limits);
    for (let i = 0; i < 20; i++) log.write('stdout', `${JSON.stringify({ i, pad: 'x'.repeat(30) })}\n`);
    log.close();
    const files = functionLogFiles(path, limits);
    assert.deepEqual(files, [`${path}.2`, `${path}.1`, path]);
    const kept = (await Promise.all(files.map((file) => readFile(file, 'utf8')))).join('').trimEnd().split('\n');
    // Each file holds at most 100 bytes (two lines); the oldest lines are gone, the newest kept in order.
    assert.deepEqual(kept.map((line) => (JSON.parse(line) as { i: number }).i), [14, 15, 16, 17, 18, 19]);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('npm start without Java', () => {
  test('ends with one line saying Java 17 is needed, no stack trace', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'no-java-'));
    // No `java` on the PATH; node itself is started by its absolute path.
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      cwd: PROJECT_ROOT,
      env: { HOME: process.env.HOME, PATH: dataDir, LOCAL_DATA_DIR: dataDir, PORT: '0', DYNAMODB_PORT: '8149', KMS_PORT: '4649', LAMBDA_PORT: '3149' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    await rm(dataDir, { recursive: true, force: true });
    assert.equal(run.status, 1, run.stderr);
    // Node's own warnings (the AWS SDK's Node version notice) may come first; ours is the last line.
    assert.equal(run.stderr.trim().split('\n').at(-1), `could not start the local stack: ${JAVA_NEEDED}`);
    assert.doesNotMatch(run.stderr + run.stdout, /ENOENT|\n\s+at /);
  });
});
