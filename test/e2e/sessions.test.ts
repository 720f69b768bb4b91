import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { runServiceAccountExample } from '../../examples/service-account/client.js';

/** Sessions, refresh, revocation and introspection through serverless offline with openid-client. */
const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const issuer = `${base}/realms/demo`;
const discover = (clientId: string, secret: string) =>
  oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });

describe('sessions end to end (serverless offline, openid-client)', () => {
  it('discovery advertises the refresh grant and the session endpoints', async () => {
    const metadata = (await discover('product-sa-client', 'password')).serverMetadata();
    assert.ok(metadata.grant_types_supported?.includes('refresh_token'));
    assert.equal(metadata.introspection_endpoint, `${issuer}/protocol/openid-connect/token/introspect`);
    assert.equal(metadata.revocation_endpoint, `${issuer}/protocol/openid-connect/revoke`);
    assert.equal(metadata.end_session_endpoint, `${issuer}/protocol/openid-connect/logout`);
  });

  it('refreshTokenGrant, tokenIntrospection and tokenRevocation work', async () => {
    const config = await discover('product-sa-client', 'password');
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.ok(tokens.refresh_token);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

    const introspection = await oidc.tokenIntrospection(config, refreshed.access_token);
    assert.equal(introspection.active, true);
    assert.equal(introspection.client_id, 'product-sa-client');

    await oidc.tokenRevocation(config, refreshed.access_token);
    assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false);

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: oidc.ResponseBodyError) => err.error === 'invalid_grant');
  });

  it('concurrent refreshes of one token yield one successor, which then works (the retry grace, docs/refresh-tokens.md)', async () => {
    const config = await discover('product-sa-client', 'password');
    const tokens = await oidc.clientCredentialsGrant(config);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => oidc.refreshTokenGrant(config, tokens.refresh_token!)));
    // Inside the grace window the parallel requests cannot be told from retries of a lost answer:
    // every one that succeeds gets the same successor, and the session lives on.
    const successors = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.refresh_token] : [])));
    assert.equal(successors.size, 1, JSON.stringify(results.map((r) => r.status)));
    const [successor] = [...successors];
    assert.notEqual(successor, tokens.refresh_token);
    const next = await oidc.refreshTokenGrant(config, successor!);
    assert.equal(typeof next.access_token, 'string');
  });

  it('the service-account example runs: token, API call, refresh, logout, refresh refused', async () => {
    const result = await runServiceAccountExample(issuer, () => undefined);
    assert.deepEqual(result, { firstCall: 200, refreshed: true, secondCall: 200, logoutStatus: 204, refreshAfterLogout: 'invalid_grant: Session not active' });
  });
});
