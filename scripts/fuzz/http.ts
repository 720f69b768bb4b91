/**
 * Sends hostile requests over real HTTP, byte for byte as generated where HTTP allows it (header
 * names in any case, repeated headers on separate lines, any method and body), and only to
 * loopback: the target's name is resolved once and every address it resolves to must be loopback.
 */
import { lookup } from 'node:dns/promises';
import { Agent, request as httpRequest } from 'node:http';
import { isIP } from 'node:net';
import type { HostileRequest } from './requests.js';

export interface HttpTarget {
  base: URL;
  /** The loopback address connections go to. */
  address: string;
  agent: Agent;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Client-side refusals (what Node will not put on the wire) are not the server's doing. */
export class Unsendable extends Error {}

const isLoopbackAddress = (address: string) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1';

/** Refuses anything but plain HTTP to localhost, 127.0.0.0/8 or ::1 (and a name resolving only there). */
export async function loopbackTarget(baseUrl: string, concurrency: number): Promise<HttpTarget> {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new Error(`not a URL: ${baseUrl}`);
  }
  const host = base.hostname.replace(/^\[(.*)\]$/, '$1');
  const named = host === 'localhost';
  if (base.protocol !== 'http:' || !(named || (isIP(host) !== 0 && isLoopbackAddress(host)))) {
    throw new Error(`refusing to fuzz ${base.origin}: only http:// on a loopback host (localhost, 127.0.0.0/8, [::1])`);
  }
  let address = host;
  if (named) {
    const addresses = await lookup(host, { all: true });
    if (addresses.length === 0 || !addresses.every((entry) => isLoopbackAddress(entry.address))) {
      throw new Error(`refusing to fuzz ${base.origin}: ${host} resolves to ${addresses.map((entry) => entry.address).join(', ')}`);
    }
    address = (addresses.find((entry) => entry.family === 4) ?? addresses[0]!).address;
  }
  return { base, address, agent: new Agent({ keepAlive: true, maxSockets: concurrency }) };
}

/** Percent-encodes what Node refuses in a request target (controls, spaces, anything past Latin-1). */
export function sendablePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return [...withSlash].map((c) => (/[\x21-\x7e]/.test(c) ? c : Buffer.from(c, 'utf8').toString('hex').replace(/../g, '%$&').toUpperCase())).join('');
}

/** Header values Node would refuse lose the offending characters' meaning, not their place. */
const sendableValue = (value: string) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
const isToken = (name: string) => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name);

/**
 * API Gateway routes on Host, so a client cannot hand the function a Host it did not connect to;
 * the local gateway would rather crash on one (a port past 65535 is a 500 in serverless offline).
 * Other names are kept (the handlers see them as they would behind a custom domain).
 */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))?$/;

/** The request as it goes on the wire: what the invariants must be judged against. */
export function sendable(request: HostileRequest, target: HttpTarget): HostileRequest {
  const { realmParam: _realm, sourceIp: _ip, ...rest } = request;
  return {
    ...rest,
    method: isToken(request.method) ? request.method : 'POST',
    path: sendablePath(request.path),
    headers: request.headers
      .filter(([name]) => isToken(name))
      .map(([name, value]): [string, string] => [name, name.toLowerCase() === 'host' && !HOST.test(value) ? target.base.host : sendableValue(value)]),
  };
}

/**
 * A loopback source address per request, from a pool of 64 (any 127.0.0.0/8 address is this
 * machine): the service throttles failed authentications per source address, and from one
 * address the run would soon see nothing but 429.
 */
export function sourceAddress(target: HttpTarget, index: number): string | undefined {
  return /^127\./.test(target.address) ? `127.0.0.${2 + (index % 64)}` : undefined;
}

export function send(target: HttpTarget, request: HostileRequest, timeoutMs: number, signal?: AbortSignal, localAddress?: string): Promise<HttpResult> {
  const body = request.body === undefined ? undefined : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body);
  const headers = request.headers.flat();
  if (!request.headers.some(([name]) => name.toLowerCase() === 'host')) headers.push('Host', target.base.host);
  if (body !== undefined) headers.push('Content-Length', String(body.length));
  return new Promise<HttpResult>((resolve, reject) => {
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({
        host: target.address,
        port: target.base.port || 80,
        method: request.method,
        path: request.path,
        headers,
        agent: target.agent,
        setHost: false,
        localAddress,
        timeout: timeoutMs,
        signal,
      });
    } catch (err) {
      reject(new Unsendable((err as Error).message));
      return;
    }
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 4 * 1024 * 1024) chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const responseHeaders: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(res.headers)) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}
