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
