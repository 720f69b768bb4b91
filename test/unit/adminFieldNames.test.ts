import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { adminApiFixture, IDS } from '../support/adminApiFixture.js';

/**
 * Issue 18 finding 6: lib/admin speaks Keycloak's field names, so an Admin API caller's refusal
 * names the RealmRepresentation or ClientRepresentation field it sent, never one of sa-admin's
 * flags (`--access-token-lifespan`, `--jwks`, …). Through the router on the in-memory table.
 */
let api: Awaited<ReturnType<typeof adminApiFixture>>;
beforeEach(async () => {
  api = await adminApiFixture();
});

const R = '/admin/realms/r';

async function refusal(method: string, path: string, body: unknown): Promise<string> {
  const res = await api.call(method, path, { body });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  const message = res.body.errorMessage as string;
  assert.doesNotMatch(message, /--[a-z]/, 'no CLI flag in an HTTP answer');
  return message;
}

describe('realm settings: errors name the RealmRepresentation field', () => {
  test('PUT and POST realms', async () => {
    assert.equal(await refusal('PUT', R, { accessTokenLifespan: 0 }), 'accessTokenLifespan must be at least 1 second');
    assert.equal(await refusal('PUT', R, { ssoSessionIdleTimeout: -1 }), 'ssoSessionIdleTimeout must be a whole number, 0 or more');
    assert.equal(await refusal('PUT', R, { defaultSignatureAlgorithm: 'HS256' }), "defaultSignatureAlgorithm 'HS256' is not supported: RS256 or ES256");
    assert.equal(await refusal('POST', '/admin/realms', { realm: 'fresh', accessTokenLifespan: 0 }), 'accessTokenLifespan must be at least 1 second');
    // The settings are unchanged.
    assert.equal((await api.call('GET', R)).body.accessTokenLifespan, 300);
  });
});

describe('clients: errors name the ClientRepresentation field or attribute', () => {
  test('client-jwt keys, jwks.string with a private key, the authenticator, service accounts of a public client', async () => {
    const jwt = { clientId: 'jwt', clientAuthenticatorType: 'client-jwt' };
    assert.match(await refusal('POST', `${R}/clients`, jwt), /needs its public keys: the attribute jwks\.string or jwks\.url$/);
    const privateKey = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' }] };
    assert.match(
      await refusal('POST', `${R}/clients`, { ...jwt, attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify(privateKey) } }),
      /^jwks\.string: keys\[0\] holds private key material \(d\)/,
    );
    assert.match(await refusal('POST', `${R}/clients`, { clientId: 'x', clientAuthenticatorType: 'client-x509' }), /^Unsupported clientAuthenticatorType 'client-x509'/);
    assert.equal(await refusal('PUT', `${R}/clients/${IDS.worker}`, { publicClient: true }), 'Service accounts are not supported for public clients');
    assert.equal(await api.table.getClient('r', 'jwt'), undefined);
  });
});

describe('default and optional client scopes of a client (lib/admin/clientScopeAssignment.ts)', () => {
  test('PUT moves a scope between the lists; DELETE removes it; GET lists ids and names', async () => {
    const base = `${R}/clients/${IDS.worker}`;
    assert.equal((await api.call('PUT', `${base}/optional-client-scopes/${IDS.profile}`)).status, 204);
    assert.deepEqual((await api.call('GET', `${base}/optional-client-scopes`)).body, [{ id: IDS.profile, name: 'profile' }]);
    assert.deepEqual((await api.call('GET', `${base}/default-client-scopes`)).body, []);
    assert.equal((await api.call('DELETE', `${base}/optional-client-scopes/${IDS.profile}`)).status, 204);
    const stored = (await api.table.getClient('r', 'worker'))!;
    assert.deepEqual([stored.defaultClientScopes, stored.optionalClientScopes], [[], []]);
    assert.equal((await api.call('PUT', `${base}/default-client-scopes/not-a-scope`)).status, 404);
  });
});
