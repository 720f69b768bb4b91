import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import type { BenchReport } from '../../scripts/bench/report.js';

/** `npm run bench -- --quick --json`, shortened further: one JSON object on stdout, every part filled in. */
function runBench(): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['--import', 'tsx', 'scripts/bench/main.ts', '--quick', '--json', '--handler-seconds=0.5', '--http-seconds=1', '--http-warmup-seconds=0.5', '--connections=8', '--repetitions=3', '--samples=1', '--grant-samples=50'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('npm run bench (scripts/bench)', () => {
  it('prints one JSON object with every part and the targets of issues 21 and 13', { timeout: 480_000 }, async () => {
    const { code, stdout, stderr } = await runBench();
    assert.equal(code, 0, stderr.slice(-2000));
    const report = JSON.parse(stdout) as BenchReport;

    const cases = report.handlerCost?.map((r) => `${r.mode} ${r.alg}${r.auth ? ` ${r.auth}` : ''}`) ?? [];
    for (const name of ['envelope RS256', 'envelope ES256', 'kms RS256', 'envelope RS256 private_key_jwt', 'envelope RS256 federated-jwt']) assert.ok(cases.includes(name), `${name} in ${cases.join(', ')}`);
    for (const row of report.handlerCost!) {
      assert.ok(row.grants > 0 && row.grantsPerCpuSecond > 0 && row.bareSignsPerCpuSecond > 0, JSON.stringify(row));
    }

    assert.deepEqual(report.http?.map((c) => c.alg), ['RS256', 'ES256']);
    for (const comparison of report.http!) {
      for (const run of [comparison.service, comparison.oidcProvider]) {
        assert.equal(run.failed, 0, JSON.stringify(run));
        assert.ok(run.ok > 0 && run.p99Ms >= run.p50Ms, JSON.stringify(run));
      }
    }

    const grant = report.awsCalls?.find((op) => op.operation === 'grant' && op.mode === 'envelope' && op.alg === 'RS256');
    // Envelope signing: once warm the grant never calls KMS, and with the client cached (the
    // deployed default) it reads at most the client from DynamoDB.
    assert.ok(grant, JSON.stringify(report.awsCalls));
    assert.ok(Object.keys(grant.calls).every((name) => !/^(Sign|Decrypt)Command$/.test(name)), JSON.stringify(grant.calls));
    assert.ok((grant.calls.GetItemCommand ?? 0) <= 1 && grant.usage.readRequestUnits <= 0.5, JSON.stringify(grant));
    const kmsGrant = report.awsCalls?.find((op) => op.operation === 'grant' && op.mode === 'kms' && op.alg === 'RS256');
    assert.equal(kmsGrant?.calls.SignCommand, 1);
    assert.ok(kmsGrant!.costPerMillion.total > grant!.costPerMillion.total + 2.9);
    const operations = new Set(report.awsCalls!.map((op) => op.operation));
    assert.deepEqual([...operations].sort(), ['grant', 'grant with refresh token', 'introspection', 'logout', 'refresh']);

    assert.deepEqual(report.coldStart?.map((r) => r.function).sort(), ['admin', 'adminHeavy', 'certs', 'console', 'discovery', 'introspect', 'logout', 'refresh', 'revoke', 'token']);
    for (const row of report.coldStart!) assert.ok(row.bundleKb > 0 && row.loadMs > 0, JSON.stringify(row));

    // Cold start as a client sees it, with and without PRELOAD_REALMS.
    assert.deepEqual(report.firstGrant?.map((r) => r.preload), [false, true]);
    for (const row of report.firstGrant!) assert.ok(row.initMs > 0 && row.firstGrantMs > 0 && row.totalMs >= row.initMs, JSON.stringify(row));

    // The memory model for both algorithms at the four sizes, and a choice.
    assert.deepEqual(report.memory?.byAlg.map((entry) => entry.alg), ['RS256', 'ES256']);
    for (const entry of report.memory!.byAlg) assert.deepEqual(entry.rows.map((row) => row.memoryMb), [256, 512, 1024, 1769]);

    // $ per million at five rates for both front doors, from the measured grant.
    assert.equal(report.frontDoorCost?.rows.length, 10);
    assert.ok(report.frontDoorCost!.traffic.bytesPerRequest > 500, JSON.stringify(report.frontDoorCost!.traffic));

    // The deployed bundle's cost per envelope secret case, and the smallest generated realm (--quick), read without a client item.
    const target1 = report.handlerCost!.filter((r) => r.mode === 'envelope' && !r.auth).length;
    assert.equal(report.bundleCost?.length, target1, JSON.stringify(report.bundleCost));
    for (const row of report.bundleCost!) assert.ok(row.grants > 0 && row.cpuMicrosPerGrant > row.bareSignMicros * 0.5, JSON.stringify(row));
    assert.equal(report.realmScale?.length, 1);
    assert.ok(report.realmScale![0]!.pages >= 1 && report.realmScale![0]!.clientItemsRead === 0 && report.realmScale![0]!.grants > 0, JSON.stringify(report.realmScale));

    // Issue 21's six targets first, each measured or saying why not, then the keeps, then issue 13's.
    const sections = report.targets.map((target) => target.section);
    assert.deepEqual(sections, [...sections].sort((a, b) => ['issue 21', 'keep', 'earlier'].indexOf(a) - ['issue 21', 'keep', 'earlier'].indexOf(b)));
    for (const n of [1, 2, 3, 4, 5, 6]) assert.ok(report.targets.some((target) => target.target.startsWith(`21.${n} `)), `21.${n} in ${JSON.stringify(report.targets)}`);
    assert.equal(report.targets.filter((target) => target.target.startsWith('21.1 ') && typeof target.met === 'boolean').length, 2 * target1);
    assert.ok(report.targets.some((target) => target.target.startsWith('21.6 federated-jwt') && typeof target.met === 'boolean'), JSON.stringify(report.targets));
    for (const name of ["the console's assets", 'the console function', 'the admin function']) {
      assert.ok(report.targets.some((target) => target.target.startsWith(`21.6 ${name}`) && target.met === 'reported'), name);
    }
    assert.deepEqual(report.targets.filter((target) => target.section === 'keep').map((target) => typeof target.met), ['boolean', 'boolean']);
    assert.deepEqual(report.targets.filter((target) => target.section === 'earlier').map((target) => target.target.split(' ')[0]), ['13.3', '13.4', '13.5']);
    assert.ok(report.consoleAssets!.gzipBytes > 0 && report.consoleAssets!.gzipBytes < report.consoleAssets!.rawBytes, JSON.stringify(report.consoleAssets));
    for (const target of report.targets) assert.ok(target.measured.length > 0, JSON.stringify(target));
  });
});
