import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { adminApiFixture, IDS } from '../support/adminApiFixture.js';

/**
 * The realm's default client scopes (`default-default-client-scopes`,
 * `default-optional-client-scopes`): what the console's Create client scope "Type" writes, and
 * what a client created afterwards takes.
 */
let api: Awaited<ReturnType<typeof adminApiFixture>>;
beforeEach(async () => {
  api = await adminApiFixture();
});

const R = '/admin/realms/r';
const names = (body: unknown) => (body as { name: string }[]).map((scope) => scope.name);

describe('realm default client scopes', () => {
  test('PUT puts a scope on one list (off the other), GET lists brief representations, DELETE takes it off', async () => {
    assert.equal((await api.call('PUT', `${R}/default-optional-client-scopes/${IDS.unused}`)).status, 204);
    assert.ok(names((await api.call('GET', `${R}/default-optional-client-scopes`)).body).includes('unused'));
    assert.equal((await api.call('PUT', `${R}/default-default-client-scopes/${IDS.unused}`)).status, 204);
    const defaults = (await api.call('GET', `${R}/default-default-client-scopes`)).body as Record<string, unknown>[];
    assert.deepEqual(defaults.find((scope) => scope.name === 'unused'), { id: IDS.unused, name: 'unused', protocol: 'openid-connect' });
    assert.ok(!names((await api.call('GET', `${R}/default-optional-client-scopes`)).body).includes('unused'));
    // Deleting from the list it is not on changes nothing.
    assert.equal((await api.call('DELETE', `${R}/default-optional-client-scopes/${IDS.unused}`)).status, 204);
    assert.ok(names((await api.call('GET', `${R}/default-default-client-scopes`)).body).includes('unused'));
    assert.equal((await api.call('DELETE', `${R}/default-default-client-scopes/${IDS.unused}`)).status, 204);
    assert.ok(!names((await api.call('GET', `${R}/default-default-client-scopes`)).body).includes('unused'));
  });

  test('a client created afterwards gets the realm default scope', async () => {
    await api.call('PUT', `${R}/default-default-client-scopes/${IDS.unused}`);
    assert.equal((await api.call('POST', `${R}/clients`, { body: { clientId: 'later', publicClient: true } })).status, 201);
    const [later] = (await api.call('GET', `${R}/clients`, { query: 'clientId=later' })).body as { defaultClientScopes: string[] }[];
    assert.ok(later!.defaultClientScopes.includes('unused'), JSON.stringify(later));
  });

  test('refusals: unknown scope 404, a clients viewer may read but not write, no right 403', async () => {
    const unknown = await api.call('PUT', `${R}/default-default-client-scopes/0b7c2a9e-0000-4000-8000-00000000ffff`);
    assert.deepEqual({ status: unknown.status, body: unknown.body }, { status: 404, body: { error: 'Client scope not found' } });
    assert.equal((await api.call('GET', `${R}/default-default-client-scopes`, { token: 'r-clients-viewer' })).status, 200);
    assert.equal((await api.call('PUT', `${R}/default-default-client-scopes/${IDS.unused}`, { token: 'r-clients-viewer' })).status, 403);
    assert.equal((await api.call('GET', `${R}/default-optional-client-scopes`, { token: 'r-nothing' })).status, 403);
    assert.equal((await api.call('PUT', `${R}/default-optional-client-scopes/${IDS.unused}`, { token: 'r-realm-manager' })).status, 204);
  });
});
