import { tableNames } from '../../lib/deployment/stageNames.js';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { adminCli } from '../support/adminCli.js';

/**
 * Protocol mappers end to end: an operator adds them with sa-admin to a new client of the local
 * stack's demo realm, previews the claims, and a real OAuth client (openid-client) gets a token
 * from serverless offline that carries them and verifies against the published JWKS.
 */
const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const issuer = `${base}/realms/demo`;
const { ok, json } = adminCli(() => tableNames('test').clients);
const CLIENT = `mapped-${Date.now()}`;

describe('protocol mappers through sa-admin and serverless offline', () => {
  let secret: string;
  before(async () => {
    ({ secret } = await json(['client', 'create', 'demo', CLIENT, '--service-accounts']));
    await ok(['sa', 'grant', 'demo', CLIENT, 'read', '--client', 'product-api']);
    await ok(['mapper', 'audience', 'demo', '--client', CLIENT, '--custom', 'https://orders.example.com']);
    await ok(['mapper', 'hardcoded-claim', 'demo', '--client', CLIENT, 'tenant.id', '7', '--type', 'long']);
    await ok(['sa', 'set-attribute', 'demo', CLIENT, 'department', 'finance']);
    await ok(['mapper', 'user-attribute', 'demo', 'department', '--client', CLIENT, '--claim', 'dept']);
    await ok(['mapper', 'add', 'demo', '--client', CLIENT, '--name', 'plan', '--type', 'oidc-hardcoded-claim-mapper',
      '--config', 'claim.name=plan', '--config', 'claim.value=gold', '--config', 'access.token.claim=true', '--config', 'access.tokenResponse.claim=true']);
  });

  it('token preview shows the claims without signing', async () => {
    const preview = await json(['token', 'preview', 'demo', CLIENT]);
    assert.deepEqual(new Set(preview.accessToken.aud), new Set(['https://orders.example.com', 'product-api']));
    assert.deepEqual(preview.accessToken.tenant, { id: 7 });
    assert.equal(preview.accessToken.dept, 'finance');
    assert.deepEqual(preview.tokenResponse, { plan: 'gold' });
    const mappers = await json(['mapper', 'list', 'demo', '--client', CLIENT]);
    assert.deepEqual(mappers.map((m: { protocolMapper: string }) => m.protocolMapper).sort(), [
      // The demo realm's file is a Keycloak 26.0 export; imported, it gets 26.1's service_account scope
      // (lib/admin/realmImportMigrations.ts), so a new client needs no dedicated note mappers.
      'oidc-audience-mapper', 'oidc-hardcoded-claim-mapper', 'oidc-hardcoded-claim-mapper', 'oidc-usermodel-attribute-mapper',
    ]);
  });

  it('openid-client gets a token carrying the mapper claims, verified against the JWKS; introspection shows them too', async () => {
    const config = await oidc.discovery(new URL(issuer), CLIENT, secret, undefined, { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.equal(tokens.plan, 'gold', 'a token-response mapper adds a member to the token endpoint JSON');
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)), {
      issuer,
      audience: 'https://orders.example.com',
    });
    assert.deepEqual(payload.tenant, { id: 7 });
    assert.equal(payload.dept, 'finance');
    assert.equal(payload.plan, 'gold');
    assert.deepEqual(payload.resource_access, { 'product-api': { roles: ['read'] } });
    assert.equal(payload.client_id, CLIENT, "Keycloak 26.1's service_account scope");
    const info = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.dept, 'finance');
    assert.deepEqual(info.tenant, { id: 7 });
  });
});
