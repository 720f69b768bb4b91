import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { KMSClient, KMSInternalException } from '@aws-sdk/client-kms';
import type { DeserializeMiddleware, InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { logout } from '../../lib/grants/logout.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import { AWS_CLIENT_PROFILES } from '../../lib/awsClients.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * Fault injection: an SDK middleware fails chosen calls of the real clients talking to DynamoDB
 * Local and the local KMS. Every failure must become 503 temporarily_unavailable with Retry-After,
 * and leave nothing half-done.
 */
const OIDC = '/realms/demo/protocol/openid-connect';
const PRODUCT = { authorization: basic('product-sa-client', 'password') };
const FULL = { authorization: basic('full-scope-client', 'full-secret') };

const planned: { command: string; error: () => Error; remaining: number }[] = [];
const failNext = (command: string, error: () => Error, times = 1) => planned.push({ command, error, remaining: times });
const injector: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
  const fault = planned.find((f) => f.command === context.commandName && f.remaining > 0);
  if (fault) {
    fault.remaining--;
    throw fault.error();
  }
  return next(args);
};
const throttled = () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
const kmsDown = () => new KMSInternalException({ message: 'internal', $metadata: { httpStatusCode: 500 } });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

let stack: TestStack;
let endpoints: { token: ReturnType<typeof call>; logout: ReturnType<typeof call> };

function call(endpoint: Endpoint, budgetMs?: number) {
  const handler = httpHandler(endpoint, { noStore: true, log: () => undefined, budgetMs });
  return async (path: string, body: string, headers: Record<string, string>) => {
    const res = await handler(apiEvent({ path, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }));
    return { status: res.statusCode!, headers: res.headers as Record<string, string>, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
const grant = (headers = PRODUCT) => endpoints.token(`${OIDC}/token`, 'grant_type=client_credentials', headers);
const refresh = (rt: string) => endpoints.token(`${OIDC}/token`, `grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`, PRODUCT);

function assertUnavailable(res: { status: number; headers: Record<string, string>; body: any }) {
  assert.equal(res.status, 503, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'error_description']);
  assert.equal(res.body.error, 'temporarily_unavailable');
  assert.equal(res.headers['Retry-After'], '1');
  assert.equal(res.headers['Cache-Control'], 'no-store');
}

before(async () => {
  stack = await freshStack();
  stack.dynamodb.middlewareStack.add(injector as never, { step: 'initialize', name: 'faults' });
  stack.kms.middlewareStack.add(injector as never, { step: 'initialize', name: 'faults' });
  endpoints = { token: call((r) => tokenEndpoint(stack.runtime, r, tokenGrants)), logout: call((r) => logout(stack.runtime, r)) };
  assert.equal((await grant()).status, 200); // warm the realm cache
});

describe('dependency failures become 503 and leave nothing half-done', () => {
  it('DynamoDB throttling on the client read', async () => {
    failNext('GetItemCommand', throttled);
    assertUnavailable(await grant(FULL));
    assert.equal((await grant(FULL)).status, 200);
  });

  it('a network failure reaching DynamoDB', async () => {
    failNext('GetItemCommand', refused);
    assertUnavailable(await grant(FULL));
  });

  it('KMS failing to sign: no session is stored, no token returned', async () => {
    failNext('SignCommand', kmsDown);
    stack.resetCounts();
    const res = await grant();
    assertUnavailable(res);
    assert.equal(stack.counts.PutItemCommand, undefined, 'nothing written');
  });

  it('the session write failing: no token returned', async () => {
    failNext('PutItemCommand', throttled);
    const res = await grant();
    assertUnavailable(res);
    assert.equal(res.body.access_token, undefined);
  });

  it('refresh: a failed sign leaves the rotation state as it was, so the same token works again', async () => {
    const first = (await grant()).body;
    failNext('SignCommand', kmsDown);
    assertUnavailable(await refresh(first.refresh_token));
    const retried = await refresh(first.refresh_token);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
  });

  it('refresh: a failed rotation write leaves the same token usable', async () => {
    const first = (await grant()).body;
    failNext('PutItemCommand', throttled);
    assertUnavailable(await refresh(first.refresh_token));
    assert.equal((await refresh(first.refresh_token)).status, 200);
  });

  it('logout: a failed delete is 503 and the retry ends the session', async () => {
    const first = (await grant()).body;
    failNext('DeleteItemCommand', throttled);
    assertUnavailable(await endpoints.logout(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(first.refresh_token)}`, PRODUCT));
    assert.equal((await endpoints.logout(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(first.refresh_token)}`, PRODUCT)).status, 204);
    assert.equal((await refresh(first.refresh_token)).body.error_description, 'Session not active');
  });
});

describe('unreachable and hanging endpoints, with the production SDK settings', () => {
  let hanging: Server;
  let hangingUrl: string;
  let connections = 0;
  before(async () => {
    hanging = createServer(() => void connections++); // accepts connections, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  after(() => {
    hanging.close();
  });

  /**
   * A runtime built as a Lambda container builds it (AWS_CLIENT_PROFILES.token, the deadline middleware),
   * its DynamoDB client pointed at `dynamodbEndpoint`, counting the attempts that reach the
   * network: the `deserialize` step runs once per attempt, inside the retry loop and after the
   * deadline check (`finalizeRequest`).
   */
  function runtimeWith(dynamodbEndpoint: string) {
    const attempts = { count: 0 };
    const dynamodb = new DynamoDBClient({ ...AWS_CLIENT_PROFILES.token, endpoint: dynamodbEndpoint });
    const counter: DeserializeMiddleware<object, MetadataBearer> = (next) => (args) => {
      attempts.count++;
      return next(args);
    };
    dynamodb.middlewareStack.add(counter as never, { step: 'deserialize', name: 'countAttempts' });
    const runtime: Runtime = createRuntime({ config: stack.runtime.config, dynamodb, kms: new KMSClient({ ...AWS_CLIENT_PROFILES.token, endpoint: process.env.AWS_ENDPOINT_URL_KMS }) });
    return { runtime, attempts };
  }

  // A generous bound on each test: without the SDK timeouts a hanging server would hold it forever.
  const bounded = { timeout: 30_000 };

  it('an unreachable DynamoDB endpoint answers 503 after the SDK\'s two attempts', bounded, async () => {
    const { runtime, attempts } = runtimeWith('http://127.0.0.1:1');
    const token = call((r) => tokenEndpoint(runtime, r, tokenGrants));
    assertUnavailable(await token(`${OIDC}/token`, 'grant_type=client_credentials', FULL));
    assert.equal(attempts.count, 2);
  });

  it('a hanging DynamoDB endpoint answers 503 once the request timeout ends each of its two attempts', bounded, async () => {
    const { runtime, attempts } = runtimeWith(hangingUrl);
    const token = call((r) => tokenEndpoint(runtime, r, tokenGrants));
    connections = 0;
    assertUnavailable(await token(`${OIDC}/token`, 'grant_type=client_credentials', FULL));
    assert.equal(attempts.count, 2);
    assert.equal(connections, 2, 'a timed-out attempt drops its connection; the retry opens a new one');
  });

  it('a request out of time budget answers 503 without starting another attempt', bounded, async () => {
    // The budget (500 ms) ends inside the first attempt's 1 s request timeout, so the SDK's retry
    // finds it spent and gives up: one attempt where the SDK alone would make two.
    const { runtime, attempts } = runtimeWith(hangingUrl);
    const token = call((r) => tokenEndpoint(runtime, r, tokenGrants), 500);
    connections = 0;
    assertUnavailable(await token(`${OIDC}/token`, 'grant_type=client_credentials', FULL));
    assert.equal(attempts.count, 1);
    assert.equal(connections, 1);
  });
});
