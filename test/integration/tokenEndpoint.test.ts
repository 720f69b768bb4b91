import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { basic, apiEvent } from '../support/events.js';
import type { SigningMode } from '../../lib/model/stored.js';
import { freshStack, type TestStack } from '../support/localAws.js';

const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const ISSUER = 'http://localhost:3000/realms/demo';

for (const mode of ['kms', 'envelope'] as SigningMode[]) {
  let stack: TestStack;
  let handler: ReturnType<typeof httpHandler>;

  async function post(body: string, headers: Record<string, string> = {}, path = TOKEN_PATH, realm = 'demo') {
    const res = await handler(apiEvent({ path, realm, headers: { ...FORM, ...headers }, body }));
    return { status: res.statusCode!, headers: res.headers as Record<string, string>, body: res.body ? JSON.parse(res.body) : undefined };
  }

  async function verify(token: string, issuer = ISSUER) {
    const realm = await stack.runtime.realms.get('demo');
    return jwtVerify(token, createLocalJWKSet(realm.keys.jwks(stack.runtime.now())), { issuer });
  }

  before(async () => {
    stack = await freshStack({ signingMode: mode });
    handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  });

  describe(`client_credentials on DynamoDB Local and the local KMS (${mode} signing)`, () => {
    it('answers the seed request from Keycloak documentation with a Keycloak-shaped token', async () => {
      const res = await post('grant_type=client_credentials', { authorization: 'Basic cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ=' }, '/auth/realms/demo/protocol/openid-connect/token');
      assert.equal(res.status, 200);
      assert.equal(res.headers['Cache-Control'], 'no-store');
      assert.equal(res.headers.Pragma, 'no-cache');
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(res.body.expires_in, 300);
      assert.equal(res.body['not-before-policy'], 0);
      assert.equal(res.body.scope, 'profile email');
      const { payload, protectedHeader } = await verify(res.body.access_token, 'http://localhost:3000/auth/realms/demo');
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(protectedHeader.typ, 'JWT');
      assert.deepEqual(payload.realm_access, { roles: ['user'] });
      assert.deepEqual(payload.resource_access, { 'product-api': { roles: ['read', 'write'] } });
      assert.equal(payload.aud, 'product-api');
      assert.equal(payload.azp, 'product-sa-client');
      assert.equal(payload.client_id, 'product-sa-client');
      assert.equal(payload.preferred_username, 'service-account-product-sa-client');
      assert.equal(payload.typ, 'Bearer');
      assert.equal(payload.acr, '1');
      assert.equal(payload.email_verified, false);
      assert.equal(payload.clientAddress, '127.0.0.1');
      assert.equal(payload.exp! - payload.iat!, 300);
      assert.equal(payload.nbf, undefined);
      assert.equal(payload.auth_time, undefined);
    });

    it('puts every expanded role in a full-scope client token', async () => {
      const res = await post('grant_type=client_credentials', { authorization: basic('full-scope-client', 'full-secret') });
      assert.equal(res.status, 200);
      const { payload } = await verify(res.body.access_token);
      assert.deepEqual(new Set((payload.realm_access as { roles: string[] }).roles), new Set(['default-roles-demo', 'offline_access', 'uma_authorization', 'admin']));
      assert.deepEqual(payload.resource_access, { 'product-api': { roles: ['delete'] } });
    });

    it('accepts client_secret_post and a secret with reserved characters', async () => {
      const secret = encodeURIComponent('s3cr3t:with/reserved+chars & space');
      const res = await post(`grant_type=client_credentials&client_id=special-client&client_secret=${secret}`);
      assert.equal(res.status, 200);
      const viaBasic = await post('grant_type=client_credentials', { authorization: basic('special-client', 's3cr3t:with/reserved+chars & space') });
      assert.equal(viaBasic.status, 200);
    });

    it('adds an ID token for scope=openid and honours optional scopes', async () => {
      const res = await post('grant_type=client_credentials&scope=openid+phone', { authorization: basic('full-scope-client', 'full-secret') });
      assert.equal(res.status, 200);
      assert.equal(res.body.scope, 'openid profile email phone');
      const { payload } = await verify(res.body.id_token);
      assert.equal(payload.typ, 'ID');
      assert.equal(payload.aud, 'full-scope-client');
    });

    it('answers a base64-encoded body as API Gateway sends it', async () => {
      const res = await handler(
        apiEvent({ path: TOKEN_PATH, headers: { ...FORM, authorization: basic('full-scope-client', 'full-secret') }, body: Buffer.from('grant_type=client_credentials').toString('base64'), isBase64Encoded: true }),
      );
      assert.equal(res.statusCode, 200);
    });

    it('gives Keycloak errors in Keycloak order', async () => {
      const auth = { authorization: basic('product-sa-client', 'password') };
      const cases: [string, Record<string, string>, number, string, string?][] = [
        ['', auth, 400, 'invalid_request', 'Missing form parameter: grant_type'],
        ['grant_type=password', { authorization: basic('x', 'y') }, 400, 'unsupported_grant_type', 'Unsupported grant_type'],
        ['grant_type=client_credentials&grant_type=client_credentials', auth, 400, 'invalid_request', 'duplicated parameter'],
        ['grant_type=client_credentials', { authorization: basic('product-sa-client', 'wrong') }, 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
        ['grant_type=client_credentials', { authorization: basic('nobody', 'password') }, 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
        ['grant_type=client_credentials', { authorization: basic('disabled-client', 'disabled-secret') }, 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
        ['grant_type=client_credentials', { authorization: basic('no-sa-client', 'no-sa-secret') }, 401, 'unauthorized_client', 'Client not enabled to retrieve service account'],
        ['grant_type=client_credentials&client_id=public-client', {}, 401, 'unauthorized_client', 'Public client not allowed to retrieve service account'],
        ['grant_type=client_credentials&scope=admin', auth, 400, 'invalid_scope', 'Invalid scopes: admin'],
        ['grant_type=client_credentials', { authorization: 'Basic %%%' }, 401, 'invalid_client'],
        ['grant_type=client_credentials&scope=%E0%A4%A', auth, 400, 'invalid_request'],
        ['grant_type=client_credentials', {}, 401, 'invalid_client', 'Missing client_id parameter'],
      ];
      for (const [body, headers, status, error, description] of cases) {
        const res = await post(body, headers);
        assert.equal(res.status, status, `${body} ${JSON.stringify(headers)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error, error);
        if (description) assert.equal(res.body.error_description, description);
        assert.equal(res.headers['Cache-Control'], 'no-store');
        assert.equal(res.headers['Content-Type'], 'application/json');
      }
    });

    it('sends WWW-Authenticate when Basic failed', async () => {
      const res = await post('grant_type=client_credentials', { authorization: basic('product-sa-client', 'wrong') });
      assert.equal(res.headers['WWW-Authenticate'], 'Basic realm="demo"');
    });

    it('answers an unknown realm 404 {"error":"Realm does not exist"}', async () => {
      const res = await post('grant_type=client_credentials', {}, '/realms/nope/protocol/openid-connect/token', 'nope');
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { error: 'Realm does not exist' });
    });

    it('refuses JSON bodies and oversized bodies with OAuth errors', async () => {
      const json = await handler(apiEvent({ path: TOKEN_PATH, headers: { 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' }));
      assert.equal(json.statusCode, 400);
      assert.equal(JSON.parse(json.body!).error, 'invalid_request');
      const big = await post(`grant_type=client_credentials&scope=${'a'.repeat(70_000)}`);
      assert.equal(big.status, 413);
      assert.equal(big.body.error, 'invalid_request');
    });

    it('signs with ES256 for a client that asks for it', async () => {
      const client = (await stack.table.getClient('demo', 'full-scope-client'))!;
      await stack.table.putClient({ ...client, clientId: 'es256-client', attributes: { 'access.token.signed.response.alg': 'ES256' } });
      const res = await post('grant_type=client_credentials', { authorization: basic('es256-client', 'full-secret') });
      assert.equal(res.status, 200);
      assert.equal(decodeProtectedHeader(res.body.access_token).alg, 'ES256');
      await verify(res.body.access_token);
    });
  });

  describe('AWS calls per grant', () => {
    it('a warm grant is one GetItem and one kms:Sign, and writes nothing', async () => {
      const auth = { authorization: basic('full-scope-client', 'full-secret') };
      assert.equal((await post('grant_type=client_credentials', auth)).status, 200);
      stack.resetCounts();
      assert.equal((await post('grant_type=client_credentials', auth)).status, 200);
      assert.deepEqual({ ...stack.counts }, mode === 'kms' ? { GetItemCommand: 1, SignCommand: 1 } : { GetItemCommand: 1 });
    });

    it('a warm grant with a refresh token adds exactly one write: the session', async () => {
      const auth = { authorization: basic('product-sa-client', 'password') };
      assert.equal((await post('grant_type=client_credentials', auth)).status, 200);
      stack.resetCounts();
      assert.equal((await post('grant_type=client_credentials', auth)).status, 200);
      assert.deepEqual({ ...stack.counts }, mode === 'kms' ? { GetItemCommand: 1, PutItemCommand: 1, SignCommand: 1 } : { GetItemCommand: 1, PutItemCommand: 1 });
    });

    it('a cold container adds the realm version and its realm load, and nothing else', async () => {
      const cold = await freshStack({ signingMode: mode });
      const coldHandler = httpHandler((request) => tokenEndpoint(cold.runtime, request, tokenGrants), { log: () => undefined });
      const res = await coldHandler(apiEvent({ path: TOKEN_PATH, headers: { ...FORM, authorization: basic('full-scope-client', 'full-secret') }, body: 'grant_type=client_credentials' }));
      assert.equal(res.statusCode, 200);
      // Envelope mode unwraps each active key (RS256, ES256) once per container, when the realm loads,
      // and signs locally from then on. The realm's secret pepper comes with the realm Query and is
      // unwrapped once, for the first imported (chosen) secret it verifies: one Decrypt.
      // GetItem: the realm's version (read before the realm, lib/realmContext.ts) and the client.
      // The realm load is three ranged Queries sent at once (ClientsTable.loadRealm).
      assert.deepEqual({ ...cold.counts }, mode === 'kms' ? { QueryCommand: 3, GetItemCommand: 2, SignCommand: 1, DecryptCommand: 1 } : { QueryCommand: 3, GetItemCommand: 2, DecryptCommand: 3 });
    });
  });

  describe('AWS calls per grant with the per-container client cache on', () => {
    it('a warm grant reads nothing from DynamoDB (and calls KMS only in kms mode)', async () => {
      const cached = await freshStack({ clientCacheTtlSeconds: 30, signingMode: mode });
      const cachedHandler = httpHandler((request) => tokenEndpoint(cached.runtime, request, tokenGrants), { log: () => undefined });
      const grant = () =>
        cachedHandler(apiEvent({ path: TOKEN_PATH, headers: { ...FORM, authorization: basic('full-scope-client', 'full-secret') }, body: 'grant_type=client_credentials' }));
      assert.equal((await grant()).statusCode, 200);
      cached.resetCounts();
      assert.equal((await grant()).statusCode, 200);
      assert.deepEqual({ ...cached.counts }, mode === 'kms' ? { SignCommand: 1 } : {});
    });
  });
}
