/**
 * The container's memories of things a request names (realms, clients, kids, URLs, secrets) are
 * bounded, so a flood of made-up names costs memory only up to the bound. Both classes here are the
 * one way lib/ keeps such a memory.
 */

/** A Map that forgets its oldest entry when a new key would take it past `maxEntries`. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly maxEntries: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.maxEntries) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

export interface LoadingCacheOptions {
  maxEntries: number;
  /** How long a loaded value is used; unset: for the container's life. */
  ttlMs?: number;
  nowMs?: () => number;
}

/**
 * Loaded values by key, bounded. Concurrent misses share one load; a load that fails is not
 * remembered, so the next caller tries again.
 */
export class LoadingCache<K, V> {
  private readonly entries: BoundedMap<K, { expires: number; value: Promise<V> }>;
  private readonly nowMs: () => number;

  constructor(private readonly options: LoadingCacheOptions) {
    this.entries = new BoundedMap(options.maxEntries);
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** `load` is given the expired value, if there was one, so it may keep it after a cheaper check than a full load. */
  get(key: K, load: (expired?: Promise<V>) => Promise<V>): Promise<V> {
    const now = this.nowMs();
    const cached = this.entries.get(key);
    if (cached && cached.expires > now) return cached.value;
    const value = load(cached?.value);
    const entry = { expires: this.options.ttlMs === undefined ? Infinity : now + this.options.ttlMs, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** Remembers a value read elsewhere (a preload), unless the cache is full. */
  prime(key: K, value: V): void {
    if (this.entries.size >= this.options.maxEntries) return;
    const expires = this.options.ttlMs === undefined ? Infinity : this.nowMs() + this.options.ttlMs;
    this.entries.set(key, { expires, value: Promise.resolve(value) });
  }

  /** Forgets a key (a value that must not be reused, though its load succeeded). */
  forget(key: K): void {
    this.entries.delete(key);
  }
}

/**
 * Reads whose answer must be at least as new as the moment they were asked for, shared by callers
 * that ask at once. A caller never joins a read already under way (it may have been answered
 * before the caller's own request began, and would hide a write that finished in between): it
 * waits for that read to end, then shares the next one with every caller that arrived meanwhile.
 * So each answer comes from a read begun after its caller asked, and N callers at once cost at
 * most two reads, not N. Used for the realm version with REALM_CACHE_TTL_SECONDS=0 (the local
 * stack): an admin change shows on the next request, and 20 connections do not make 20 GetItems.
 * A Lambda container runs one request at a time, where this is one read per call as before.
 */
export class FreshReads<K, V> {
  private readonly slots = new Map<K, { running: Promise<V>; next?: Promise<V> }>();

  constructor(private readonly read: (key: K) => Promise<V>) {}

  get(key: K): Promise<V> {
    const slot = this.slots.get(key);
    if (slot === undefined) return this.begin(key);
    const settled = () => undefined;
    slot.next ??= slot.running.then(settled, settled).then(() => this.begin(key));
    return slot.next;
  }

  private begin(key: K): Promise<V> {
    const slot = { running: this.read(key) };
    this.slots.set(key, slot);
    // Only the keys with a read under way are held, so a flood of names holds nothing afterwards.
    const done = () => {
      if (this.slots.get(key) === slot) this.slots.delete(key);
    };
    slot.running.then(done, done);
    return slot.running;
  }
}
