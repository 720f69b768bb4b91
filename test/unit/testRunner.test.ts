import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT } from '../support/adminCli.js';

/** `npm test` itself: a run that selects nothing fails before it starts anything. */
test('npm test with a misspelt tier or a missing file fails, and says what selected nothing', () => {
  for (const args of [['integraton'], ['unit', 'test/unit/no-such.test.ts']]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/run.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SKIP_TYPECHECK: '1' } });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`no test file selected by '${args.at(-1)}'`));
    assert.match(run.stdout, /^0 passed, 1 failed$/m);
    assert.doesNotMatch(run.stdout, /starting the local stack/);
  }
});
