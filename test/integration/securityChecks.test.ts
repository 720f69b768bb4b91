import { stageNames } from '../../lib/deployment/stageNames.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogWriter } from '../../lib/logWriter.js';
import { exportJWK, generateKeyPair } from 'jose';
import { createClient } from '../../lib/admin/clients.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { AdminError } from '../../lib/admin/errors.js';
import { importRealmExport, RealmImportError } from '../../lib/admin/realmImport.js';
import { createRealm } from '../../lib/admin/realms.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { Observability } from '../../lib/observability.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import type { ClientRecord } from '../../lib/model/stored.js';
import { assertion, assertionForm } from '../support/assertions.js';
import { apiEvent, basic, FORM } from '../support/events.js';
import { countingClients, freshStack, type TestStack } from '../support/localAws.js';

/** Issue 12 item 8: jwks.url is https, realm names are Keycloak's, only signing functions unwrap keys. */
let stack: TestStack;
let ctx: AdminContext;
let jwksServer: Server;
let jwksFetches = 0;
let loopbackJwksUrl: string;
let key: Awaited<ReturnType<typeof generateKeyPair>>;

const quiet = () => new Observability({ logger: new LogWriter({ logLevel: 'SILENT' }) });

function post(runtime: Runtime, realm: string, body: string, headers: Record<string, string> = {}) {
  const handler = httpHandler((request) => tokenEndpoint(runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  // The handlers take the realm from the path parameter (API Gateway decodes it); the raw path only needs its form.
  return handler(apiEvent({ path: '/realms/demo/protocol/openid-connect/token', realm, headers: { ...FORM, ...headers }, body }));
}

async function putUrlClient(clientId: string, url: string) {
  const base = (await stack.table.getClient('demo', 'full-scope-client'))!;
  const client: ClientRecord = {
    ...base,
    clientId,
    clientAuthenticatorType: 'client-jwt',
    secretHash: undefined,
    attributes: { 'use.jwks.url': 'true', 'jwks.url': url },
    serviceAccount: { ...base.serviceAccount!, username: `service-account-${clientId}` },
  };
  await stack.table.putClient(client);
}

before(async () => {
  stack = await freshStack({ signingMode: 'envelope' });
  ctx = { names: stageNames('test', stack.table.tableName), table: stack.table, kms: stack.kms, now: () => Math.floor(Date.now() / 1000) };
  key = await generateKeyPair('RS256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
  jwksServer = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  loopbackJwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
});

after(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

describe('jwks.url must be https', () => {
  it('refuses a realm import with a plain-http jwks.url (a deployed stage refuses loopback too)', async () => {
    const file = {
      realm: 'jwks-import',
      clients: [{ clientId: 'url-client', clientAuthenticatorType: 'client-jwt', serviceAccountsEnabled: true, attributes: { 'use.jwks.url': 'true', 'jwks.url': loopbackJwksUrl } }],
    };
    await assert.rejects(importRealmExport(ctx, file), (err: RealmImportError) => {
      assert.deepEqual(err.problems, [{ path: 'clients[0].attributes.jwks.url', message: 'must be https' }]);
      return true;
    });
    // The local stage may use http to loopback, and nothing else.
    await importRealmExport({ ...ctx, localStage: true }, file, { dryRun: true });
    const remote = { ...file, clients: [{ ...file.clients[0], attributes: { 'use.jwks.url': 'true', 'jwks.url': 'http://jwks.example.com/keys' } }] };
    await assert.rejects(importRealmExport({ ...ctx, localStage: true }, remote, { dryRun: true }), /must be https \(plain http only to a loopback address\)/);
  });

  it('never fetches a plain-http jwks.url stored before the rule, outside the local stage', async () => {
    await putUrlClient('stored-http-client', loopbackJwksUrl);
    const signed = () => assertion({ clientId: 'stored-http-client', audience: 'http://localhost:3000/realms/demo', key: key.privateKey, alg: 'RS256', kid: 'k1' });
    const aws = countingClients();
    const deployed = createRuntime({ config: { ...stack.runtime.config, localStage: false }, dynamodb: aws.dynamodb, kms: aws.kms, observability: quiet() });
    jwksFetches = 0;
    const refused = await post(deployed, 'demo', assertionForm(await signed()));
    assert.equal(refused.statusCode, 401);
    assert.equal(JSON.parse(refused.body!).error, 'invalid_client');
    assert.equal(jwksFetches, 0);
    // The same client in the local stage (freshStack's runtime): fetched once, accepted.
    const accepted = await post(stack.runtime, 'demo', assertionForm(await signed()));
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(jwksFetches, 1);
  });
});

describe('realm names as Keycloak validates them', () => {
  const bad = ['', 'a b', 'a\u0001b', 'tab\there', 'new\nline', 'a/b', 'a#b', 'a:b', 'a?b', 'x'.repeat(256), 'del\u007f'];

  it('refuses them at creation and at import', async () => {
    for (const name of bad) {
      await assert.rejects(createRealm(ctx, name), (err: Error) => err instanceof AdminError && /not a valid realm name/.test(err.message), JSON.stringify(name));
      await assert.rejects(importRealmExport(ctx, { realm: name }, { dryRun: true }), (err: Error) => err instanceof RealmImportError && err.problems.some((p) => p.path === 'realm'), JSON.stringify(name));
    }
  });

  it('answers a failed Basic authentication with a 4xx and a printable header for any realm name, stored or not', async () => {
    // A realm stored before names were checked: the demo realm's settings, roles and scopes under a
    // name with a control character (not its keys: KMS binds them to their realm's name), and a client.
    const legacy = 'legacy\u0001realm';
    const items = (await stack.table.listRealmItems('demo')).filter((item) => ['settings', 'role', 'clientScope'].includes(item.kind));
    await stack.table.batchPut(legacy, items.map((item) => (item.kind === 'settings' ? { ...item, realm: legacy } : item)));
    await createClient(ctx, legacy, 'product-sa-client', { serviceAccountsEnabled: true });
    for (const realm of [legacy, ...bad.filter((name) => name !== ''), 'demo', '\u00e9\u0000\ud800']) {
      const res = await post(stack.runtime, realm, 'grant_type=client_credentials', { authorization: basic('product-sa-client', 'wrong') });
      assert.ok(res.statusCode === 401 || res.statusCode === 404, `${JSON.stringify(realm)}: ${res.statusCode}`);
      const header = (res.headers as Record<string, string>)['WWW-Authenticate'];
      if (header !== undefined) assert.match(header, /^Basic realm="[\x20-\x7e]*"$/, JSON.stringify(realm));
    }
    const res = await post(stack.runtime, legacy, 'grant_type=client_credentials', { authorization: basic('product-sa-client', 'wrong') });
    assert.equal(res.statusCode, 401);
    assert.equal((res.headers as Record<string, string>)['WWW-Authenticate'], 'Basic realm="legacy%01realm"');
  });
});

describe('only the signing functions unwrap private keys', () => {
  it('publishes an envelope realm\u2019s JWKS without kms:Decrypt; a signing runtime unwraps as the realm loads', async () => {
    const publishing = countingClients();
    const publisher = createRuntime({ config: stack.runtime.config, dynamodb: publishing.dynamodb, kms: publishing.kms, observability: quiet() });
    const realm = await publisher.realms.get('demo');
    assert.equal(realm.keys.jwks(publisher.now()).keys.length, 4);
    // Let any unwrap that had started finish before counting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(publishing.counts.DecryptCommand, undefined);
    assert.ok(publishing.counts.QueryCommand! >= 1);

    const signing = countingClients();
    const signer = createRuntime({ config: stack.runtime.config, dynamodb: signing.dynamodb, kms: signing.kms, observability: quiet(), signsTokens: true });
    await signer.realms.get('demo');
    for (let i = 0; i < 100 && signing.counts.DecryptCommand === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(signing.counts.DecryptCommand, 2, 'the active RS256 and ES256 envelope keys');
  });
});
