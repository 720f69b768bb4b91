/**
 * JWT refresh tokens through serverless offline with the clients teams bring from Keycloak:
 * @keycloak/keycloak-admin-client (which decodes the refresh token and refreshes by itself) and
 * openid-client.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { ClientsTable } from '../../lib/store/clientsTable.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const issuer = `${base}/realms/demo`;
/** A copy of product-sa-client whose access tokens live 3 s: the admin client counts them expired at once (it wants 5 s left). */
const SHORT_LIVED = 'short-lived-sa-client';

before(async () => {
  const table = new ClientsTable(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), process.env.CLIENTS_TABLE!);
  const product = (await table.getClient('demo', 'product-sa-client'))!;
  await table.putClient({ ...product, clientId: SHORT_LIVED, attributes: { ...product.attributes, 'access.token.lifespan': '3' } });
});

describe('@keycloak/keycloak-admin-client with client credentials (serverless offline)', () => {
  it('auth() works for product-sa-client, and the refresh token it decodes is a Keycloak refresh JWT', async () => {
    const kc = new KcAdminClient({ baseUrl: base, realmName: 'demo' });
    await kc.auth({ grantType: 'client_credentials', clientId: 'product-sa-client', clientSecret: 'password' });
    const access = decodeJwt(kc.accessToken!);
    const refresh = decodeJwt(kc.refreshToken!);
    assert.equal(decodeProtectedHeader(kc.refreshToken!).alg, 'HS512');
    assert.equal(refresh.typ, 'Refresh');
    assert.equal(refresh.iss, issuer);
    assert.equal(refresh.aud, issuer);
    assert.equal(refresh.azp, 'product-sa-client');
    assert.equal(refresh.sid, access.sid);
    assert.equal(refresh.sub, access.sub);
    assert.equal(kc.isRefreshTokenExpired(), false);
  });

  it('refreshes on its own once the access token is about to expire', async () => {
    const kc = new KcAdminClient({ baseUrl: base, realmName: 'demo' });
    await kc.auth({ grantType: 'client_credentials', clientId: SHORT_LIVED, clientSecret: 'password' });
    const [firstAccess, firstRefresh] = [kc.accessToken!, kc.refreshToken!];
    assert.equal(kc.isTokenExpired(), true);
    const next = await kc.getAccessToken();
    assert.notEqual(next, firstAccess);
    assert.notEqual(kc.refreshToken, firstRefresh);
    assert.equal(decodeJwt(kc.refreshToken!).sid, decodeJwt(firstRefresh).sid);
    assert.equal(decodeJwt(next!).azp, SHORT_LIVED);
  });
});

describe('openid-client with JWT refresh tokens (serverless offline)', () => {
  const discover = (clientId: string, secret: string) =>
    oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });

  it('refreshes, introspects (iss, aud, jti), refuses the spent token, revokes', async () => {
    const config = await discover('product-sa-client', 'password');
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.equal(decodeJwt(tokens.refresh_token!).typ, 'Refresh');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const claims = decodeJwt(refreshed.refresh_token!);
    assert.equal(claims.typ, 'Refresh');
    assert.equal(claims.sid, decodeJwt(tokens.refresh_token!).sid);

    const info = await oidc.tokenIntrospection(config, refreshed.refresh_token!);
    assert.equal(info.active, true);
    assert.equal(info.token_type, 'Refresh');
    assert.equal(info.iss, issuer);
    assert.equal(info.aud, issuer);
    assert.equal(info.jti, claims.jti);
    // The demo realm rotates refresh tokens (revokeRefreshToken): the first one is spent.
    assert.deepEqual(await oidc.tokenIntrospection(config, tokens.refresh_token!), { active: false });

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: oidc.ResponseBodyError) => err.error === 'invalid_grant');
  });

  it('logs out with a JWT refresh token', async () => {
    const tokens = await oidc.clientCredentialsGrant(await discover('product-sa-client', 'password'));
    const res = await fetch(`${issuer}/protocol/openid-connect/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('product-sa-client:password').toString('base64')}` },
      body: `refresh_token=${encodeURIComponent(tokens.refresh_token!)}`,
    });
    assert.equal(res.status, 204);
    await assert.rejects(oidc.refreshTokenGrant(await discover('product-sa-client', 'password'), tokens.refresh_token!), (err: oidc.ResponseBodyError) => err.error_description === 'Session not active');
  });

  it('a public client may not introspect: 403 "Client not allowed."', async () => {
    const res = await fetch(`${issuer}/protocol/openid-connect/token/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=public-client&token=anything',
    });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { error: 'invalid_request', error_description: 'Client not allowed.' });
  });
});
