import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FreshReads } from '../../lib/cache.js';

/**
 * A stand-in for the realm-version GetItem: each read is a pending promise the test settles, and
 * records the store's value at the moment the read began (what a consistent read would return).
 */
function store() {
  let value = 0;
  const reads: { key: string; startedAt: number; settle: () => void }[] = [];
  const read = (key: string) =>
    new Promise<number>((resolve) => {
      const startedAt = value;
      reads.push({ key, startedAt, settle: () => resolve(startedAt) });
    });
  return { read, reads, write: () => value++ };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FreshReads: concurrent callers share reads, never one begun before they asked', () => {
  it('a caller arriving during a read waits for the next one, which every such caller shares', async () => {
    const s = store();
    const fresh = new FreshReads(s.read);
    const first = fresh.get('demo');
    // A write completes while the first read is under way; callers asking now must see it.
    s.write();
    const later = [fresh.get('demo'), fresh.get('demo'), fresh.get('demo')];
    assert.equal(s.reads.length, 1, 'no second read while the first is under way');
    s.reads[0]!.settle();
    assert.equal(await first, 0);
    await tick();
    assert.equal(s.reads.length, 2, 'one read for the three callers that arrived meanwhile');
    s.reads[1]!.settle();
    assert.deepEqual(await Promise.all(later), [1, 1, 1]);
  });

  it('a caller after the reads ended starts a read of its own; keys do not share', async () => {
    const s = store();
    const fresh = new FreshReads(s.read);
    const one = fresh.get('a');
    const other = fresh.get('b');
    assert.equal(s.reads.length, 2);
    s.reads.forEach((read) => read.settle());
    await Promise.all([one, other]);
    s.write();
    const next = fresh.get('a');
    assert.equal(s.reads.length, 3);
    s.reads[2]!.settle();
    assert.equal(await next, 1);
  });

  it('a failed read fails its callers only; the waiting callers get a read of their own', async () => {
    const fresh = new FreshReads<string, number>(() => Promise.reject(new Error('throttled')));
    const first = fresh.get('demo');
    const waiting = fresh.get('demo');
    await assert.rejects(first, /throttled/);
    await assert.rejects(waiting, /throttled/);
    let calls = 0;
    const ok = new FreshReads<string, number>(async () => ++calls);
    const a = ok.get('demo');
    const b = ok.get('demo');
    assert.deepEqual([await a, await b], [1, 2]);
  });
});
