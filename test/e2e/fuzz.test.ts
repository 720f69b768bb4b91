import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, runFuzz } from '../../scripts/fuzz.js';

/**
 * Issue 7's fuzz run through serverless offline: ~2000 hostile requests to every route, bounded
 * to a minute, and not one may break the invariants of scripts/fuzz/invariants.ts.
 * FUZZ_SEED replays a run.
 */
const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';

describe('fuzz run against the local stack (serverless offline)', () => {
  it('answers 2000 hostile requests without one 5xx, malformed error or leak', async () => {
    const report = await runFuzz({
      baseUrl: base,
      requests: 2000,
      seconds: 60,
      concurrency: 8,
      seed: process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED),
    });
    const summary = formatReport(report);
    console.log(summary);
    // Enough of the run happened to mean something, even on a loaded machine.
    assert.ok(report.requests >= 300, `only ${report.requests} requests answered\n${summary}`);
    assert.equal(report.violations.length, 0, summary);
    // Time-budget 503s and emulator timeouts are the machine's load, not a handler's answer; a
    // few are fine, a flood says the stack is not healthy enough for the run to mean anything.
    assert.ok(report.overloaded + report.runtimeFailures.count <= report.requests / 10, summary);
  });
});
