import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/** Through serverless offline, as `npm start` runs it, with openid-client as a real OAuth client. */
const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const issuer = `${base}/realms/demo`;

describe('client credentials end to end (serverless offline)', () => {
  let metadata: oidc.ServerMetadata;
  before(async () => {
    const config = await oidc.discovery(new URL(issuer), 'product-sa-client', 'password', undefined, { execute: [oidc.allowInsecureRequests] });
    metadata = config.serverMetadata();
  });

  it('publishes discovery under both path forms', async () => {
    assert.equal(metadata.issuer, issuer);
    assert.equal(metadata.token_endpoint, `${issuer}/protocol/openid-connect/token`);
    assert.equal(metadata.jwks_uri, `${issuer}/protocol/openid-connect/certs`);
    const legacy = await fetch(`${base}/auth/realms/demo/.well-known/openid-configuration`);
    assert.equal(legacy.status, 200);
    assert.equal(((await legacy.json()) as { issuer: string }).issuer, `${base}/auth/realms/demo`);
  });

  it('answers the seed request exactly as Keycloak documents it', async () => {
    const res = await fetch(`${base}/auth/realms/demo/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { Authorization: 'Basic cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ=', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { access_token: string };
    const jwks = createRemoteJWKSet(new URL(`${base}/auth/realms/demo/protocol/openid-connect/certs`));
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer: `${base}/auth/realms/demo` });
    assert.deepEqual(payload.realm_access, { roles: ['user'] });
    assert.deepEqual(payload.resource_access, { 'product-api': { roles: ['read', 'write'] } });
  });

  for (const [name, auth] of [
    ['client_secret_basic', oidc.ClientSecretBasic('password')],
    ['client_secret_post', oidc.ClientSecretPost('password')],
  ] as const) {
    it(`openid-client gets a token with ${name} that verifies against the advertised JWKS`, async () => {
      const config = await oidc.discovery(new URL(issuer), 'product-sa-client', undefined, auth, { execute: [oidc.allowInsecureRequests] });
      const tokens = await oidc.clientCredentialsGrant(config);
      assert.equal(tokens.token_type, 'bearer');
      assert.equal(tokens.expires_in, 300);
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(metadata.jwks_uri!)), { issuer });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(payload.azp, 'product-sa-client');
    });
  }

  it('refuses a wrong secret with 401 invalid_client through openid-client', async () => {
    const config = await oidc.discovery(new URL(issuer), 'product-sa-client', 'nope', undefined, { execute: [oidc.allowInsecureRequests] });
    await assert.rejects(oidc.clientCredentialsGrant(config), (err: oidc.ResponseBodyError) => err.error === 'invalid_client' && err.status === 401);
  });

  it('answers hostile requests with OAuth errors, never 5xx', async () => {
    const token = `${base}/realms/demo/protocol/openid-connect/token`;
    const attempts: RequestInit[] = [
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"grant_type":"client_credentials"}' },
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '%%%' },
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Basic ////' }, body: 'grant_type=client_credentials' },
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=${'x'.repeat(5000)}&client_secret=y` },
      { method: 'POST' },
    ];
    for (const init of attempts) {
      const res = await fetch(token, init);
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${String(init.body)}`);
      assert.equal(typeof ((await res.json()) as { error: unknown }).error, 'string');
    }
    const unknownRealm = await fetch(`${base}/realms/nope/protocol/openid-connect/token`, { method: 'POST' });
    assert.equal(unknownRealm.status, 404);
    assert.deepEqual(await unknownRealm.json(), { error: 'Realm does not exist' });
  });
});
