import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthError } from '../../lib/http/errors.js';
import { secondsUntilAllowed, Throttle, type FailureStore } from '../../lib/clientAuth/throttle.js';
import type { FailureCounts } from '../../lib/store/failureCounters.js';

/** The failure counters of lib/store/failureCounters.ts, in memory: per window, per pair and per source. */
function memoryFailures(): FailureStore & { seed(realm: string, clientId: string, source: string, window: number, counts: FailureCounts): void } {
  const pairs = new Map<string, number>();
  const sources = new Map<string, number>();
  const pair = (realm: string, clientId: string, source: string, window: number) => `${realm}|${clientId}|${source}|${window}`;
  const bySource = (realm: string, source: string, window: number) => `${realm}|${source}|${window}`;
  const counts = (realm: string, clientId: string, source: string, window: number): FailureCounts => ({
    clientAndSource: pairs.get(pair(realm, clientId, source, window)) ?? 0,
    source: sources.get(bySource(realm, source, window)) ?? 0,
  });
  return {
    async add(realm, clientId, source, window) {
      pairs.set(pair(realm, clientId, source, window), (pairs.get(pair(realm, clientId, source, window)) ?? 0) + 1);
      sources.set(bySource(realm, source, window), (sources.get(bySource(realm, source, window)) ?? 0) + 1);
      return counts(realm, clientId, source, window);
    },
    async previous(realm, clientId, source, window) {
      return counts(realm, clientId, source, window);
    },
    seed(realm, clientId, source, window, seeded) {
      pairs.set(pair(realm, clientId, source, window), seeded.clientAndSource);
      sources.set(bySource(realm, source, window), seeded.source);
    },
  };
}

const POLICY = { windowSeconds: 100, perSource: 50, perClientAndSource: 10 };
const WINDOW_START = 1_000 * POLICY.windowSeconds;

/** How many failures in a row are answered 401 (counted, not refused) before the first 429. */
async function failuresBefore429(throttle: Throttle, now: number, clientId = 'app', source = '192.0.2.1'): Promise<number> {
  for (let count = 0; count < 1_000; count++) {
    try {
      await throttle.recordFailure('demo', clientId, source, now);
    } catch (error) {
      assert.ok(error instanceof OAuthError && error.status === 429, String(error));
      return count;
    }
  }
  return Infinity;
}

describe('failed-authentication throttle (lib/clientAuth/throttle.ts)', () => {
  it('allows the limit of failures per client and source in a fresh window, then answers 429 with Retry-After', async () => {
    const throttle = new Throttle(POLICY, memoryFailures());
    assert.equal(await failuresBefore429(throttle, WINDOW_START + 1), POLICY.perClientAndSource);
    const refused = await throttle.recordFailure('demo', 'app', '192.0.2.1', WINDOW_START + 1).catch((error: OAuthError) => error);
    assert.ok(refused instanceof OAuthError);
    assert.equal(refused.error, 'too_many_requests');
    assert.ok(Number(refused.headers?.['Retry-After']) >= 1);
  });

  it("weights the previous window's failures by how much of it is still within the window (sliding, not fixed)", async () => {
    // A full previous window: at 10 % into the current one, 90 % of it still counts (9 of 10),
    // so one more failure fits; at 50 %, five more; at the boundary itself, none.
    for (const [elapsed, allowed] of [
      [0.1, 1],
      [0.5, 5],
      [0.95, 9],
    ] as const) {
      const failures = memoryFailures();
      failures.seed('demo', 'app', '192.0.2.1', WINDOW_START / POLICY.windowSeconds - 1, { clientAndSource: POLICY.perClientAndSource, source: POLICY.perClientAndSource });
      const throttle = new Throttle(POLICY, failures);
      assert.equal(await failuresBefore429(throttle, WINDOW_START + elapsed * POLICY.windowSeconds), allowed, `at ${elapsed} of the window`);
    }
  });

  it('a blocked pair is refused before its secret is checked, until the wait is over; another client from the address is not', async () => {
    const throttle = new Throttle(POLICY, memoryFailures());
    const now = WINDOW_START + 1;
    await failuresBefore429(throttle, now);
    assert.throws(() => throttle.checkBeforeVerifying('demo', 'app', '192.0.2.1', now), (error: OAuthError) => error.status === 429);
    assert.doesNotThrow(() => throttle.checkBeforeVerifying('demo', 'other', '192.0.2.1', now));
    assert.doesNotThrow(() => throttle.checkBeforeVerifying('demo', 'app', '198.51.100.7', now));
    assert.doesNotThrow(() => throttle.checkBeforeVerifying('other-realm', 'app', '192.0.2.1', now));
    assert.doesNotThrow(() => throttle.checkBeforeVerifying('demo', 'app', '192.0.2.1', now + 3 * POLICY.windowSeconds));
  });

  it('limits failures per source across client ids (enumeration), counting every client from the address', async () => {
    const throttle = new Throttle(POLICY, memoryFailures());
    const now = WINDOW_START + 1;
    let counted = 0;
    for (let client = 0; client < POLICY.perSource + 5; client++) {
      const outcome = await throttle.recordFailure('demo', `client-${client}`, '192.0.2.1', now).then(
        () => 'counted',
        (error: OAuthError) => error.status,
      );
      if (outcome !== 'counted') {
        assert.equal(outcome, 429);
        break;
      }
      counted++;
    }
    assert.equal(counted, POLICY.perSource);
  });

  it('says when one more failure fits again', () => {
    // Over the limit with nothing before: the current count must decay as the previous one, through the next window.
    assert.equal(secondsUntilAllowed(10, 11, 0, 1_000, 10, 100), 100 + Math.ceil(100 * (1 - 9 / 11)));
    // Under the limit now but for the previous window's weight: wait until enough of it has slid out.
    assert.equal(secondsUntilAllowed(10, 5, 10, 1_000, 10, 100), Math.ceil(100 * (1 - 4 / 10)));
    // Never less than a second.
    assert.equal(secondsUntilAllowed(10, 0, 10, 1_099, 10, 100), 1);
  });
});
