import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP proxy in front of DynamoDB Local (or any JSON-over-HTTP AWS endpoint), on a port
 * the OS picks. Every request is forwarded as it came; a planned fault waits until the upstream
 * has answered, so the write has committed, and then either holds the answer back longer than the
 * SDK waits (`delay`) or closes the connection without answering (`drop`). The SDK then retries
 * a write that already happened: exactly the case the code must read correctly.
 */
export type FaultAction = 'delay' | 'drop';

export interface PlannedFault {
  /** `X-Amz-Target` operation, e.g. `PutItem`. */
  operation: string;
  /** A piece of the request body that identifies the write, e.g. `JTI#`. */
  bodyContains: string;
  action: FaultAction;
  delayMs?: number;
}

export interface FaultProxy {
  url: string;
  /** Faults the next matching request once. */
  plan(fault: PlannedFault): void;
  /** How many requests each operation received whose body held `bodyContains` (faulted or not). */
  seen(operation: string, bodyContains: string): number;
  /** Faults planned and not yet met. */
  pending(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const planned: PlannedFault[] = [];
  const log: { operation: string; body: string }[] = [];
  const held = new Set<NodeJS.Timeout>();

  const server: Server = createServer(async (req, res) => {
    const body = await readAll(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const text = body.toString('utf8');
    log.push({ operation, body: text });
    const index = planned.findIndex((fault) => fault.operation === operation && text.includes(fault.bodyContains));
    const fault = index >= 0 ? planned.splice(index, 1)[0] : undefined;

    const upstreamReq = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      async (upstreamRes) => {
        const answer = await readAll(upstreamRes);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers).end(answer);
        };
        if (fault?.action === 'drop') {
          // Committed upstream; the caller never hears of it.
          req.socket.destroy();
        } else if (fault?.action === 'delay') {
          const timer = setTimeout(() => {
            held.delete(timer);
            send();
          }, fault.delayMs ?? 1500);
          held.add(timer);
        } else {
          send();
        }
      },
    );
    upstreamReq.on('error', () => res.destroy());
    upstreamReq.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    plan: (fault) => void planned.push(fault),
    seen: (operation, bodyContains) => log.filter((entry) => entry.operation === operation && entry.body.includes(bodyContains)).length,
    pending: () => planned.length,
    async close() {
      for (const timer of held) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
