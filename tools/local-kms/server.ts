/**
 * Local KMS-compatible endpoint speaking the real KMS wire protocol
 * (awsJson1_1), so an unmodified `@aws-sdk/client-kms` works against it via
 * `AWS_ENDPOINT_URL_KMS=http://127.0.0.1:<port>` or the client's `endpoint`.
 *
 * Protocol, as KMS implements it:
 * - every call is `POST /` with `X-Amz-Target: TrentService.<Operation>` and
 *   `Content-Type: application/x-amz-json-1.1`; the body is a JSON object;
 * - success: HTTP 200 with a JSON object body;
 * - failure: HTTP 400 (500 for internal errors) with
 *   `{"__type": "<ErrorName>", "message": "..."}` and `x-amzn-ErrorType`;
 * - every response carries `x-amzn-RequestId`.
 * SigV4 signatures are accepted without being checked: any credentials work.
 *
 * Operations live in operations.ts, key persistence in keystore.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { KmsError } from './errors.js';
import { KeyStore } from './keystore.js';
import { OPERATIONS } from './operations.js';
import type { JsonObject } from './validation.js';

export interface KmsServerOptions {
  /** TCP port; 0 picks an ephemeral port (see the returned `port`). */
  port: number;
  /** Interface to bind; defaults to 127.0.0.1. */
  host?: string;
  /** Directory holding kms-keys.json (created if missing). */
  dataDir: string;
  /** Region used in ARNs; defaults to us-east-1. */
  region?: string;
}

export interface KmsServer {
  url: string;
  port: number;
  /** Stop accepting connections, close keep-alive sockets, and wait for pending writes. */
  close(): Promise<void>;
}

const TARGET_PREFIX = 'TrentService.';
/** Largest KMS request is a few KB (6 KB ciphertext, base64); 1 MiB is generous. */
const MAX_BODY_BYTES = 1024 * 1024;
/** How long close() lets in-flight requests finish before dropping their sockets. */
const CLOSE_GRACE_MS = 2000;

export async function startKmsServer(options: KmsServerOptions): Promise<KmsServer> {
  const host = options.host ?? '127.0.0.1';
  const store = await KeyStore.open(options.dataDir, options.region ?? 'us-east-1');

  const server = createServer((req, res) => {
    void handleRequest(req, res, store);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          // SDK clients keep sockets alive; idle ones would otherwise hold close() open.
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        });
        await store.flush();
      })();
      return closing;
    },
  };
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, store: KeyStore): Promise<void> {
  const requestId = randomUUID();
  try {
    const body = await readBody(req);
    if (req.method !== 'POST') {
      throw new KmsError('UnknownOperationException', `KMS only accepts POST requests, got ${req.method}.`);
    }
    const target = req.headers['x-amz-target'];
    const operationName = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const operation = operationName === undefined ? undefined : OPERATIONS.get(operationName);
    if (!operation) {
      throw new KmsError('UnknownOperationException', `Unknown operation: X-Amz-Target ${JSON.stringify(target ?? null)}.`);
    }
    const output = await operation(parseJsonObject(body), store);
    send(res, 200, requestId, output);
  } catch (err) {
    if (err instanceof ClientDisconnected) return; // nobody left to answer
    const error = err instanceof KmsError ? err : internalError(err);
    send(res, error.statusCode, requestId, { __type: error.type, message: error.message }, error.type);
  }
}

function internalError(err: unknown): KmsError {
  // Unexpected failures must never take the server down; report them like KMS does.
  console.error('[local-kms] internal error:', err);
  return new KmsError('KMSInternalException', 'The request was rejected because an internal exception occurred.');
}

/** The client hung up before sending its whole request (not a server error). */
class ClientDisconnected extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true; // keep draining so the response can still be delivered
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new KmsError('ValidationException', `Request body exceeds ${MAX_BODY_BYTES} bytes.`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', () => reject(new ClientDisconnected()));
  });
}

/** Malformed JSON (or a non-object body) is a SerializationException in AWS JSON protocols. */
function parseJsonObject(body: Buffer): JsonObject {
  const text = body.toString('utf8').trim();
  if (text === '') return {}; // operations without input may send an empty body
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KmsError('SerializationException', 'Request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KmsError('SerializationException', 'Request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

function send(res: ServerResponse, status: number, requestId: string, body: JsonObject, errorType?: string): void {
  if (res.headersSent || res.destroyed) return; // client went away
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': requestId,
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  res.end(payload);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'; // wildcard binds: point clients at loopback
  return host.includes(':') ? `[${host}]` : host;
}
