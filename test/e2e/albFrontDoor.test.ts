import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * The `alb` front door locally: serverless offline serves the functions' ALB events (derived from
 * the httpApi routes by infra/build/frontDoor.mjs) on their own port, with ALB-shaped events and
 * results, beside the HTTP API.
 */
const albBase = process.env.TEST_ALB_BASE_URL;
const httpApiBase = process.env.TEST_BASE_URL ?? 'http://localhost:3000';

describe('the alb front door through serverless offline', { skip: albBase ? false : 'no TEST_ALB_BASE_URL (npm test sets it)' }, () => {
  const base = albBase!;

  it('gets a token with oauth4webapi, verified against the JWKS served through the same ALB port', async () => {
    for (const prefix of ['', '/auth']) {
      // The issuer is fixed (ISSUER_BASE_URL: the local stack passes the HTTP API's address), so
      // discovery through the ALB names it; the endpoints are then called through the ALB port.
      const discovered = await fetch(`${base}${prefix}/realms/demo/.well-known/openid-configuration`);
      assert.equal(discovered.status, 200);
      const metadata = (await discovered.json()) as { issuer: string };
      assert.equal(metadata.issuer, `${httpApiBase}${prefix}/realms/demo`);
      const as: oauth.AuthorizationServer = {
        issuer: metadata.issuer,
        token_endpoint: `${base}${prefix}/realms/demo/protocol/openid-connect/token`,
        jwks_uri: `${base}${prefix}/realms/demo/protocol/openid-connect/certs`,
      };
      const client: oauth.Client = { client_id: 'product-sa-client' };
      const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic('password'), new URLSearchParams(), { [oauth.allowInsecureRequests]: true });
      const result = await oauth.processClientCredentialsResponse(as, client, response);
      const { payload } = await jwtVerify(result.access_token, createRemoteJWKSet(new URL(as.jwks_uri!)), { issuer: as.issuer });
      assert.equal(payload.azp, 'product-sa-client');
      assert.deepEqual(payload.resource_access, { 'product-api': { roles: ['read', 'write'] } });
    }
  });

  it('answers errors with the same OAuth body and status as the HTTP API', async () => {
    const request = (root: string) =>
      fetch(`${root}/realms/demo/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from('product-sa-client:wrong').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
    const [alb, httpApi] = await Promise.all([request(base), request(httpApiBase)]);
    assert.equal(alb.status, 401);
    assert.equal(alb.status, httpApi.status);
    assert.equal(alb.headers.get('www-authenticate'), httpApi.headers.get('www-authenticate'));
    // Not Cache-Control: serverless offline's ALB emulation (hapi) replaces the function's with its
    // own `no-cache`; the result's headers are checked in test/unit/frontDoorEvents.test.ts.
    assert.equal(alb.headers.get('pragma'), 'no-cache');
    assert.deepEqual(await alb.json(), await httpApi.json());
    const unknown = await fetch(`${base}/realms/no-such-realm/protocol/openid-connect/certs`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: 'Realm does not exist' });
  });
});
