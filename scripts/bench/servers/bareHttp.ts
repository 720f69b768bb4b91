/**
 * Child process for the HTTP benchmark: the floor. A bare node:http server that reads the request
 * body as the API Gateway stand-in reads it and answers every request with one fixed response (the
 * status, headers and body the service answered the bench's first request with, from
 * BENCH_RESPONSE), so that its CPU per request is what node:http, the sockets and the event loop
 * cost for this very exchange on this machine under the same load, with nothing of a token
 * service in it. Prints `listening <url>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sinkStdout } from '../logSink.js';
import { answerProfileRequests } from './profiling.js';

const { status, headers, body } = JSON.parse(process.env.BENCH_RESPONSE!) as { status: number; headers: Record<string, string>; body: string };

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    res.writeHead(status, headers);
    res.end(body);
  });
});
await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
sinkStdout()(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
answerProfileRequests();
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
