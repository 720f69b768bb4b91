import type { JSONWebKeySet } from 'jose';
import { BoundedMap } from '../cache.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressProblem, jwksUrlProblem, type JwksUrlPolicy } from './jwksUrl.js';

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

/** How one document may be fetched: the URL rules, a time limit and a size limit. */
export type FetchLimits = JwksUrlPolicy & Pick<JwksFetcherOptions, 'timeoutMs' | 'maxBytes'>;

/**
 * GETs a JSON document from an admin-configured URL, never a URL from a request: the URL rules
 * are checked again (a URL stored before a rule, or written straight to the table, is not
 * trusted), every address the name resolves to is checked when connecting (so a DNS answer
 * cannot steer it to a private or metadata address), redirects are not followed, and time and
 * size are capped. Any failure throws.
 */
export async function fetchDocument(url: string, limits: FetchLimits, accept: string): Promise<unknown> {
  const problem = jwksUrlProblem(url, limits);
  if (problem !== undefined) throw new Error(`URL ${problem}`);
  const target = new URL(url);
  const get = target.protocol === 'https:' ? httpsGet : httpGet;
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      const refused = list.map((entry) => addressProblem(entry.address, limits)).find((reason) => reason !== undefined);
      if (refused || list.length === 0) return callback(new Error(`${hostname} ${refused ?? 'has no address'}`), '', 4);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  const text = await new Promise<string>((resolve, reject) => {
    const request = get(target, { headers: { accept }, lookup, timeout: limits.timeoutMs }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return reject(new Error(`status ${response.statusCode}`));
      }
      if (Number(response.headers['content-length'] ?? 0) > limits.maxBytes) {
        response.destroy();
        return reject(new Error('document too large'));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limits.maxBytes) {
          response.destroy();
          reject(new Error('document too large'));
        } else chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    // The whole exchange, not only each socket read, is bounded.
    const deadline = setTimeout(() => request.destroy(new Error('too slow')), limits.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () => request.destroy(new Error('too slow')));
    request.on('error', reject);
  });
  return JSON.parse(text);
}

