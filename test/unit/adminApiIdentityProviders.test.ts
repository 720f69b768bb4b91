import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adminApiFixture } from '../support/adminApiFixture.js';

/**
 * `/admin/realms/{realm}/identity-provider/instances` on an in-memory table: Keycloak's statuses,
 * bodies and rights (view-identity-providers to read, manage-identity-providers to change).
 */
const k8s = { alias: 'k8s', providerId: 'kubernetes', config: { issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC' } };
const github = {
  alias: 'github',
  providerId: 'oidc',
  config: { issuer: 'https://token.actions.githubusercontent.com', supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: 'https://token.actions.githubusercontent.com/.well-known/jwks', clientSecret: 'hush' },
  trustEmail: true,
};
const PATH = '/admin/realms/r/identity-provider/instances';

describe('Admin API: identity providers', () => {
  it('creates (201 Location by alias), reads, lists with filters, updates, deletes', async () => {
    const { call } = await adminApiFixture();
    const created = await call('POST', PATH, { token: 'r-admin', body: k8s });
    assert.equal(created.status, 201);
    assert.equal(created.headers.Location, `https://sso.example.com${PATH}/k8s`);
    assert.equal((await call('POST', PATH, { token: 'r-admin', body: github })).status, 201);

    const read = await call('GET', `${PATH}/k8s`, { token: 'r-admin' });
    assert.equal(read.status, 200);
    assert.deepEqual({ ...read.body, internalId: 'x' }, { alias: 'k8s', internalId: 'x', providerId: 'kubernetes', enabled: true, config: k8s.config, types: ['CLIENT_ASSERTION'] });
    const byId = await call('GET', `${PATH}/${read.body.internalId}`, { token: 'r-admin' });
    assert.equal(byId.body.alias, 'k8s', 'the internal id finds it too');
    const gh = (await call('GET', `${PATH}/github`, { token: 'r-admin' })).body;
    assert.equal(gh.config.clientSecret, '**********', 'never the secret');
    assert.equal(gh.trustEmail, true, 'unused fields come back as sent');
    assert.equal(gh.firstBrokerLoginFlowAlias, 'first broker login', "Keycloak's defaults for an OIDC IdP");

    assert.deepEqual((await call('GET', PATH, { token: 'r-admin' })).body.map((idp: { alias: string }) => idp.alias), ['github', 'k8s']);
    assert.deepEqual((await call('GET', `${PATH}?search=gi`, { token: 'r-admin' })).body.map((idp: { alias: string }) => idp.alias), ['github']);
    assert.deepEqual((await call('GET', `${PATH}?search=*8*`, { token: 'r-admin' })).body.map((idp: { alias: string }) => idp.alias), ['k8s']);
    assert.deepEqual((await call('GET', `${PATH}?type=USER_AUTHENTICATION`, { token: 'r-admin' })).body.map((idp: { alias: string }) => idp.alias), ['github']);
    assert.deepEqual(Object.keys((await call('GET', `${PATH}?briefRepresentation=true`, { token: 'r-admin' })).body[0]).sort(), ['alias', 'displayName', 'enabled', 'internalId', 'providerId', 'types'].filter((k) => k !== 'displayName'));

    const put = await call('PUT', `${PATH}/k8s`, { token: 'r-admin', body: { ...k8s, enabled: false } });
    assert.equal(put.status, 204);
    assert.equal((await call('GET', `${PATH}/k8s`, { token: 'r-admin' })).body.enabled, false);
    assert.equal((await call('DELETE', `${PATH}/k8s`, { token: 'r-admin' })).status, 204);
    assert.deepEqual(await call('GET', `${PATH}/k8s`, { token: 'r-admin' }), { status: 404, headers: (await call('GET', `${PATH}/k8s`, { token: 'r-admin' })).headers, body: { error: 'Could not find identity provider' } });
  });

  it("answers Keycloak's 400 and 409, and refuses structure from the body", async () => {
    const { call } = await adminApiFixture();
    await call('POST', PATH, { token: 'r-admin', body: k8s });
    assert.deepEqual((await call('POST', PATH, { token: 'r-admin', body: { ...k8s, config: { issuer: 'https://other.example.com' } } })).body, { errorMessage: 'Identity Provider k8s already exists' });
    const twin = await call('POST', PATH, { token: 'r-admin', body: { ...k8s, alias: 'k8s-2' } });
    assert.equal(twin.status, 400);
    assert.match(twin.body.errorMessage, /^Issuer URL already used for IDP 'k8s'/);
    assert.equal((await call('POST', PATH, { token: 'r-admin', body: { ...k8s, alias: 'has space' } })).status, 400);
    assert.deepEqual((await call('POST', PATH, { token: 'r-admin', body: { alias: 'x', providerId: 'saml' } })).body, { errorMessage: 'Could not find factory for identity provider: saml' });
    assert.deepEqual((await call('POST', PATH, { token: 'r-admin', body: { alias: 'o', providerId: 'oidc', config: { supportsClientAssertions: 'true' } } })).body, { errorMessage: 'Issuer is required' });
    assert.equal((await call('POST', PATH, { token: 'r-admin', body: { alias: 'm', providerId: 'kubernetes', config: { issuer: 'https://169.254.169.254/' } } })).status, 400);
    const polluted = await call('POST', PATH, { token: 'r-admin', rawBody: '{"alias":"p","providerId":"oidc","config":{"__proto__":{"x":"y"}}}' });
    assert.equal(polluted.status, 400);
    assert.match(polluted.body.errorMessage, /__proto__/);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('reading needs view-identity-providers, changing manage-identity-providers', async () => {
    const { call } = await adminApiFixture();
    assert.equal((await call('GET', PATH, { token: 'r-nothing' })).status, 403);
    assert.equal((await call('POST', PATH, { token: 'r-clients-manager', body: k8s })).status, 403);
    assert.equal((await call('POST', PATH, { token: 'other-admin', body: k8s })).status, 403);
    assert.equal((await call('POST', PATH, { token: 'master-admin', body: k8s })).status, 201);
    assert.equal((await call('GET', `${PATH}/k8s`, { token: 'r-users-viewer' })).status, 403);
  });
});
