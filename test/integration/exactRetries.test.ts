import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { exportJWK, generateKeyPair } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { Observability } from '../../lib/observability.js';
import { AWS_CLIENT_PROFILES } from '../../lib/awsClients.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import type { RealmSettings } from '../../lib/model/stored.js';
import { startLocalIssuers, type LocalIssuers } from '../../examples/workload-identity/localIssuer.js';
import { createClient } from '../../lib/admin/clients.js';
import { createIdentityProvider } from '../../lib/admin/identityProviders.js';
import { parseIdentityProvider } from '../../lib/representation/identityProvider.js';
import { secretsKeyAlias } from '../../lib/deployment/stageNames.js';
import { LogWriter } from '../../lib/logWriter.js';
import { assertion, assertionForm } from '../support/assertions.js';
import { apiEvent, basic } from '../support/events.js';
import { startFaultProxy, type FaultAction, type FaultProxy } from '../support/faultProxy.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * Writes that commit while their answer is lost. A real proxy sits between the runtime's
 * DynamoDB client (configured as in production: 1 s request timeout, 2 attempts) and DynamoDB
 * Local; it lets a chosen write commit, then holds the answer 1.5 s or drops the connection. The
 * SDK retries, the retry's condition fails against the first attempt's own result, and the
 * request must still end as if the first answer had arrived.
 */
const OIDC = '/realms/demo/protocol/openid-connect';
const ISSUER = 'http://localhost:3000/realms/demo';
const PRODUCT = { authorization: basic('product-sa-client', 'password') };

let stack: TestStack;
let proxy: FaultProxy;
let runtime: Runtime;
let doc: DynamoDBDocumentClient;
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
let issuers: LocalIssuers;
const ROLE_ARN = 'arn:aws:iam::123456789012:role/retry-lambda';

async function token(body: string, headers: Record<string, string> = {}, sourceIp = '127.0.0.1') {
  const handler = httpHandler((request) => tokenEndpoint(runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  const res = await handler(apiEvent({ path: `${OIDC}/token`, sourceIp, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }));
  return { status: res.statusCode!, body: JSON.parse(res.body!) };
}
const grant = () => token('grant_type=client_credentials', PRODUCT);
const refresh = (rt: string) => token(`grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`, PRODUCT);
const session = async (id: string) => (await doc.send(new GetCommand({ TableName: runtime.config.sessionsTable, Key: { pk: `SESSION#${id}` }, ConsistentRead: true }))).Item;

async function setRealm(changes: Partial<RealmSettings>) {
  const data = (await stack.table.loadRealm('demo'))!;
  await stack.table.putItem('demo', { kind: 'settings', ...data.settings, ...changes });
}

/** Runs `request` with the next matching write faulted; checks the fault happened and the SDK retried it. */
async function withLostAnswer<T>(action: FaultAction, operation: string, bodyContains: string, request: () => Promise<T>): Promise<T> {
  const before = proxy.seen(operation, bodyContains);
  proxy.plan({ operation, bodyContains, action, delayMs: 1500 });
  const result = await request();
  assert.equal(proxy.pending(), 0, 'the planned fault was met');
  assert.equal(proxy.seen(operation, bodyContains) - before, 2, 'the SDK sent the committed write a second time');
  return result;
}

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
  proxy = await startFaultProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB!);
  const dynamodb = new DynamoDBClient({ ...AWS_CLIENT_PROFILES.token, endpoint: proxy.url });
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  runtime = createRuntime({
    config: { ...stack.runtime.config, authFailuresPerSource: 30, authFailuresPerClientAndSource: 10 },
    dynamodb,
    kms: new KMSClient(AWS_CLIENT_PROFILES.token),
    observability: new Observability({ logger: new LogWriter({ logLevel: 'SILENT' }) }),
  });
  const keys = await generateKeyPair('RS256', { extractable: true });
  signingKey = keys.privateKey;
  const base = (await stack.table.getClient('demo', 'full-scope-client'))!;
  await stack.table.putClient({
    ...base,
    clientId: 'retry-jwt-client',
    secretHash: undefined,
    clientAuthenticatorType: 'client-jwt',
    attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256' }] }) },
    serviceAccount: { ...base.serviceAccount!, username: 'service-account-retry-jwt-client' },
  });
  // An AWS account's STS issuer (examples/workload-identity) and a federated client for one role.
  issuers = await startLocalIssuers();
  const admin = {
    names: { stage: 'test', service: 'sa-token-service', clientsTable: stack.table.tableName, signingKeyAliases: { RS256: 'x', ES256: 'x' }, secretsKeyId: secretsKeyAlias('test') },
    table: stack.table,
    kms: stack.kms,
    now: () => Math.floor(Date.now() / 1000),
    localStage: true,
  };
  await createIdentityProvider(admin, 'demo', parseIdentityProvider({ alias: 'aws', providerId: 'oidc', config: { issuer: issuers.issuer.sts, supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: issuers.jwksUrl.sts } }));
  await createClient(admin, 'demo', 'retry-lambda', { clientAuthenticatorType: 'federated-jwt', serviceAccountsEnabled: true, attributes: { 'jwt.credential.issuer': 'aws', 'jwt.credential.sub': ROLE_ARN } });
});

after(async () => {
  await proxy.close();
  await issuers.close();
});

for (const action of ['delay', 'drop'] as const) {
  describe(`a committed write whose answer is lost (${action === 'delay' ? 'held past the SDK timeout' : 'connection dropped'})`, () => {
    it('a legitimate refresh succeeds and its session stays intact', async () => {
      const first = await grant();
      assert.equal(first.status, 200);
      const refreshed = await withLostAnswer(action, 'PutItem', 'version = :expected', () => refresh(first.body.refresh_token));
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      const stored = await session(first.body.session_state);
      assert.ok(stored, 'the session was not deleted');
      assert.equal(stored.version, 2, 'rotated exactly once');
      // The rotated token is the one that works next; the first one is spent.
      assert.equal((await refresh(refreshed.body.refresh_token)).status, 200);
    });

    it('a grant for a client with refresh tokens succeeds and its session works', async () => {
      const issued = await withLostAnswer(action, 'PutItem', 'attribute_not_exists(pk)', grant);
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      assert.ok(await session(issued.body.session_state));
      assert.equal((await refresh(issued.body.refresh_token)).status, 200);
    });

    it('a refresh without rotation succeeds', async () => {
      await setRealm({ revokeRefreshToken: false });
      try {
        const first = await grant();
        const refreshed = await withLostAnswer(action, 'UpdateItem', 'lastRefresh', () => refresh(first.body.refresh_token));
        assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
        assert.equal(refreshed.body.session_state, first.body.session_state);
        assert.equal((await refresh(first.body.refresh_token)).status, 200, 'nothing rotated');
      } finally {
        await setRealm({ revokeRefreshToken: true });
      }
    });

    it('a fresh JWT client assertion is accepted once, not taken for its own replay', async () => {
      const jwt = await assertion({ clientId: 'retry-jwt-client', audience: ISSUER, key: signingKey, alg: 'RS256', kid: 'k1' });
      const first = await withLostAnswer(action, 'PutItem', 'JTI#', () => token(assertionForm(jwt)));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal((await token(assertionForm(jwt))).status, 401, 'a real replay is still refused');
    });

    it('a federated assertion (an STS web identity token) is accepted once, not taken for its own replay', async () => {
      const jwt = await issuers.stsWebIdentityToken(ISSUER, ROLE_ARN, { account: '123456789012', orgId: 'o-retry', region: 'eu-west-1' });
      const first = await withLostAnswer(action, 'PutItem', 'JTI#demo#federated#', () => token(assertionForm(jwt)));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(JSON.parse(Buffer.from(first.body.access_token.split('.')[1], 'base64url').toString()).azp, 'retry-lambda');
      assert.equal((await token(assertionForm(jwt))).status, 401, 'a real replay is still refused');
    });

    it('a failed authentication is counted exactly once', async () => {
      const source = action === 'delay' ? '192.0.2.10' : '192.0.2.11';
      const firstWindow = Math.floor(Date.now() / 1000 / 60);
      const failed = await withLostAnswer(action, 'UpdateItem', `THROTTLE#demo#${source}#`, () =>
        token('grant_type=client_credentials', { authorization: basic('product-sa-client', 'wrong') }, source),
      );
      assert.equal(failed.status, 401);
      // Summed over the windows the request may have spanned.
      let counted = 0;
      for (let window = firstWindow; window <= Math.floor(Date.now() / 1000 / 60); window++) {
        const counter = await doc.send(new GetCommand({ TableName: runtime.config.sessionsTable, Key: { pk: `THROTTLE#demo#${source}#${window}` }, ConsistentRead: true }));
        counted += Number(counter.Item?.n ?? 0);
      }
      assert.equal(counted, 1);
    });
  });
}
