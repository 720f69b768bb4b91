import { tableNames } from '../../lib/deployment/stageNames.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { endpointsFromEnvironment, startLocalStack } from '../../infra/local/stack.js';

/**
 * Issue 12 item 9: `npm start` uses AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_KMS when they are
 * set instead of starting its own. Here two counting TCP proxies in front of the test run's
 * DynamoDB Local and local KMS stand for "someone else's endpoints".
 */
interface Proxy {
  url: string;
  connections: number;
  server: Server;
}

function proxyTo(target: string): Promise<Proxy> {
  const { hostname, port } = new URL(target);
  const proxy: Proxy = { url: '', connections: 0, server: createServer() };
  proxy.server.on('connection', (socket) => {
    proxy.connections++;
    const upstream = connect(Number(port), hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((resolve) =>
    proxy.server.listen(0, '127.0.0.1', () => {
      proxy.url = `http://127.0.0.1:${(proxy.server.address() as { port: number }).port}`;
      resolve(proxy);
    }),
  );
}

/** A port nothing listens on: where the stack would have started its own service. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

let dynamodbProxy: Proxy;
let kmsProxy: Proxy;
let dataDir: string;

before(async () => {
  dynamodbProxy = await proxyTo(process.env.AWS_ENDPOINT_URL_DYNAMODB!);
  kmsProxy = await proxyTo(process.env.AWS_ENDPOINT_URL_KMS!);
  dataDir = await mkdtemp(join(tmpdir(), 'sa-endpoints-'));
});

after(async () => {
  for (const proxy of [dynamodbProxy, kmsProxy]) proxy.server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('local stack on given endpoints', () => {
  it('reads the endpoints from the standard AWS variables, only those set', () => {
    assert.equal(endpointsFromEnvironment({}), undefined);
    assert.deepEqual(endpointsFromEnvironment({ AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9' }), { kms: 'http://127.0.0.1:9' });
    assert.deepEqual(endpointsFromEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: 'http://a:1', AWS_ENDPOINT_URL_KMS: 'http://b:2' }), { dynamodb: 'http://a:1', kms: 'http://b:2' });
  });

  it('creates its tables, keys and demo realm through them, starts neither service, and leaves them running', async () => {
    const [dynamodbPort, kmsPort] = [await freePort(), await freePort()];
    const stage = `ep${randomUUID().slice(0, 8)}`;
    const stack = await startLocalStack({
      port: 0,
      dynamodbPort,
      kmsPort,
      lambdaPort: 0,
      dataDir,
      stage,
      log: () => undefined,
      endpoints: { dynamodb: dynamodbProxy.url, kms: kmsProxy.url },
    });
    try {
      assert.equal(stack.env.AWS_ENDPOINT_URL_DYNAMODB, dynamodbProxy.url);
      assert.equal(stack.env.AWS_ENDPOINT_URL_KMS, kmsProxy.url);
      assert.ok(dynamodbProxy.connections > 0 && kmsProxy.connections > 0);
      // Nothing was started on the ports the stack would have used for its own services.
      for (const port of [dynamodbPort, kmsPort]) await assert.rejects(fetch(`http://127.0.0.1:${port}`, { signal: AbortSignal.timeout(1000) }));
    } finally {
      await stack.stop();
    }
    // The given DynamoDB still answers after the stack stopped, and holds the stack's tables.
    const tables = await new DynamoDBClient({ endpoint: dynamodbProxy.url }).send(new ListTablesCommand({}));
    assert.ok(tables.TableNames!.includes(tableNames(stage).clients));
  });
});
