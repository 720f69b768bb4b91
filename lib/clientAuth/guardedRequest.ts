import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressProblem, jwksUrlProblem, type JwksUrlPolicy } from './jwksUrl.js';

/** How one outbound request may be made: the URL rules, a time limit and a size limit. */
export type FetchLimits = JwksUrlPolicy & {
  /** Give up after this long, for the whole exchange: a hanging server must never hang the token endpoint. */
  timeoutMs: number;
  /** Refuse answers larger than this. */
  maxBytes: number;
};

export interface GuardedAnswer {
  status: number;
  contentType: string | undefined;
  text: string;
}

/**
 * One HTTP exchange with a server the service chose (an identity provider's keys, AWS STS), never
 * a URL a request named: the URL rules are checked again (a URL stored before a rule, or written
 * straight to the table, is not trusted), every address the name resolves to is checked when
 * connecting (so a DNS answer cannot steer it to a private or metadata address), redirects are
 * not followed (a 3xx is returned as an answer like any other), and time and size are capped.
 * A network failure, a timeout or an oversized answer throws.
 */
export async function guardedRequest(
  url: string,
  limits: FetchLimits,
  options: { method?: 'GET' | 'POST'; headers?: ReadonlyArray<readonly [string, string]>; body?: string } = {},
): Promise<GuardedAnswer> {
  const problem = jwksUrlProblem(url, limits);
  if (problem !== undefined) throw new Error(`URL ${problem}`);
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      const refused = list.map((entry) => addressProblem(entry.address, limits)).find((reason) => reason !== undefined);
      if (refused || list.length === 0) return callback(new Error(`${hostname} ${refused ?? 'has no address'}`), '', 4);
      if ((lookupOptions as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  // The names come from a caller's data: a null-prototype object, so none can be structure.
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of options.headers ?? []) headers[name] = value;
  return new Promise<GuardedAnswer>((resolve, reject) => {
    const request = send(target, { method: options.method ?? 'GET', headers, lookup, timeout: limits.timeoutMs }, (response) => {
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
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    // The whole exchange, not only each socket read, is bounded.
    const deadline = setTimeout(() => request.destroy(new Error('too slow')), limits.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () => request.destroy(new Error('too slow')));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** GETs a JSON document (a JWKS, a discovery document, a SPIFFE bundle) under guardedRequest's rules; anything but a 200 throws. */
export async function fetchDocument(url: string, limits: FetchLimits, accept: string): Promise<unknown> {
  const answer = await guardedRequest(url, limits, { headers: [['accept', accept]] });
  if (answer.status !== 200) throw new Error(`status ${answer.status}`);
  return JSON.parse(answer.text);
}
