import type { JSONWebKeySet } from 'jose';
import { BoundedMap } from '../cache.js';
import { fetchDocument } from './guardedRequest.js';
import type { JwksUrlPolicy } from './jwksUrl.js';

export interface JwksFetcherOptions extends JwksUrlPolicy {
  /** Give up on a JWKS URL after this long: a hanging URL must never hang the token endpoint. */
  timeoutMs: number;
  /** Refuse documents larger than this: a JWKS is a few KB. */
  maxBytes: number;
  /** How long a fetched JWKS is trusted before it is fetched again. */
  ttlMs: number;
  /** An unknown `kid` triggers a refetch, but not more often than this per URL. */
  minRefetchIntervalMs: number;
}

export const DEFAULT_JWKS_FETCHER_OPTIONS: JwksFetcherOptions = { timeoutMs: 2000, maxBytes: 64 * 1024, ttlMs: 5 * 60_000, minRefetchIntervalMs: 1000, allowLoopbackHttp: false };

/** Thrown when a client's JWKS URL cannot be used; the caller answers invalid_client. */
export class JwksUnavailable extends Error {}

/**
 * Fetches clients' `jwks.url` documents with a timeout and a size limit, caching each per
 * container for a bounded time. When an assertion names a `kid` the cached set lacks (the client
 * rotated its keys), the set is fetched once more, at most once per `minRefetchIntervalMs`.
 */
export class JwksFetcher {
  private readonly cache = new BoundedMap<string, { jwks: JSONWebKeySet; fetchedAt: number }>(1000);

  constructor(
    private readonly options: JwksFetcherOptions = DEFAULT_JWKS_FETCHER_OPTIONS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async get(url: string, kid: string | undefined): Promise<JSONWebKeySet> {
    const cached = this.cache.get(url);
    const age = cached ? this.nowMs() - cached.fetchedAt : Infinity;
    const kidMissing = cached !== undefined && kid !== undefined && !cached.jwks.keys.some((key) => key.kid === kid);
    if (cached && age < this.options.ttlMs && !(kidMissing && age >= this.options.minRefetchIntervalMs)) return cached.jwks;
    const jwks = await this.fetch(url);
    this.cache.set(url, { jwks, fetchedAt: this.nowMs() });
    return jwks;
  }

  private async fetch(url: string): Promise<JSONWebKeySet> {
    try {
      const jwks = (await fetchDocument(url, this.options, 'application/json')) as JSONWebKeySet;
      if (!jwks || !Array.isArray(jwks.keys)) throw new Error('not a JWKS');
      return jwks;
    } catch (err) {
      throw new JwksUnavailable(`client JWKS could not be loaded: ${(err as Error).message}`);
    }
  }
}
