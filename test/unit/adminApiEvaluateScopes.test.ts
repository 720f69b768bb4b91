import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { adminApiFixture, IDS } from '../support/adminApiFixture.js';

/**
 * Client scopes › Evaluate's lists (`evaluate-scopes/protocol-mappers`,
 * `…/scope-mappings/{container}/granted|not-granted`) on the in-memory clients table: which scopes
 * count, composites, client containers, refusals. The end-to-end test compares them with real tokens.
 */
let api: Awaited<ReturnType<typeof adminApiFixture>>;
beforeEach(async () => {
  api = await adminApiFixture();
});

const R = '/admin/realms/r';
const EVALUATE = `${R}/clients/${IDS.worker}/evaluate-scopes`;
const get = async (path: string, token?: string) => {
  const res = await api.call('GET', path, { token });
  assert.equal(res.status, 200, `GET ${path}: ${JSON.stringify(res.body)}`);
  return res.body;
};
const send = async (method: string, path: string, body?: unknown, status = 204) => {
  const res = await api.call(method, path, { body });
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
  return res;
};
const names = (roles: { name: string }[]) => roles.map((role) => role.name);
const restrict = async () => send('PUT', `${R}/clients/${IDS.worker}`, { ...(await get(`${R}/clients/${IDS.worker}`)), fullScopeAllowed: false });

describe('evaluate-scopes/scope-mappings', () => {
  test('with full scope every role of the container is granted, sorted by name', async () => {
    assert.deepEqual(names(await get(`${EVALUATE}/scope-mappings/r/granted?scope=openid`)), ['default-roles-r', 'offline_access', 'reader']);
    assert.deepEqual(await get(`${EVALUATE}/scope-mappings/r/not-granted?scope=openid`), []);
  });

  test('without it: what the scope mappings hold, composites expanded; brief representations', async () => {
    await restrict();
    assert.deepEqual(names(await get(`${EVALUATE}/scope-mappings/r/granted`)), []);
    await send('POST', `${R}/clients/${IDS.worker}/scope-mappings/realm`, [{ id: (await get(`${R}/roles/default-roles-r`)).id }]);
    const granted = await get(`${EVALUATE}/scope-mappings/r/granted?scope=openid`);
    assert.deepEqual(names(granted), ['default-roles-r', 'offline_access']);
    assert.deepEqual(Object.keys(granted[0]).sort(), ['clientRole', 'composite', 'containerId', 'id', 'name']);
    assert.equal(granted[0].containerId, IDS.realm);
    assert.deepEqual(names(await get(`${EVALUATE}/scope-mappings/r/not-granted?scope=openid`)), ['reader']);
  });

  test("an optional scope's scope mappings count only when the scope parameter names it; unknown names are ignored", async () => {
    await restrict();
    await send('PUT', `${R}/clients/${IDS.worker}/optional-client-scopes/${IDS.unused}`);
    await send('POST', `${R}/client-scopes/${IDS.unused}/scope-mappings/realm`, [{ id: IDS.reader }]);
    assert.deepEqual(names(await get(`${EVALUATE}/scope-mappings/r/granted?scope=openid`)), []);
    assert.deepEqual(names(await get(`${EVALUATE}/scope-mappings/r/granted?scope=openid%20unused%20no-such-scope`)), ['reader']);
  });

  test("a client container by its id: another client's roles only when mapped, the client's own always", async () => {
    await restrict();
    assert.deepEqual(names(await get(`${EVALUATE}/scope-mappings/${IDS.api}/not-granted`)), ['read']);
    await send('POST', `${R}/clients/${IDS.worker}/scope-mappings/clients/${IDS.api}`, [{ name: 'read' }]);
    const granted = await get(`${EVALUATE}/scope-mappings/${IDS.api}/granted`);
    assert.deepEqual(names(granted), ['read']);
    assert.equal(granted[0].containerId, IDS.api);
    await send('POST', `${R}/clients/${IDS.worker}/roles`, { name: 'own' }, 201);
    assert.deepEqual(names(await get(`${EVALUATE}/scope-mappings/${IDS.worker}/granted`)), ['own']);
  });

  test('refusals: unknown container or client 404, no view-clients 403; a clients viewer may read', async () => {
    const unknown = await api.call('GET', `${EVALUATE}/scope-mappings/nowhere/granted`);
    assert.deepEqual({ status: unknown.status, body: unknown.body }, { status: 404, body: { error: 'Role Container not found' } });
    assert.equal((await api.call('GET', `${R}/clients/0b7c2a9e-0000-4000-8000-00000000ffff/evaluate-scopes/protocol-mappers`)).status, 404);
    assert.equal((await api.call('GET', `${EVALUATE}/protocol-mappers`, { token: 'r-nothing' })).status, 403);
    assert.equal((await api.call('GET', `${EVALUATE}/scope-mappings/r/granted`, { token: 'other-admin' })).status, 403);
    await get(`${EVALUATE}/scope-mappings/r/granted`, 'r-clients-viewer');
  });

  test('names that are not data stay names: __proto__ as a container is unknown, as a scope ignored', async () => {
    assert.equal((await api.call('GET', `${EVALUATE}/scope-mappings/__proto__/granted`)).status, 404);
    assert.equal((await api.call('GET', `${EVALUATE}/scope-mappings/constructor/not-granted`)).status, 404);
    assert.deepEqual(names(await get(`${EVALUATE}/scope-mappings/r/granted?scope=__proto__%20constructor%20prototype`)), ['default-roles-r', 'offline_access', 'reader']);
    assert.deepEqual(await get(`${EVALUATE}/protocol-mappers?scope=__proto__%20toString`), []);
  });
});

describe('evaluate-scopes/protocol-mappers', () => {
  test("the client's own mappers and those of its scopes in effect, in the order they run", async () => {
    await send('POST', `${R}/clients/${IDS.worker}/protocol-mappers/models`, { name: 'aud', protocolMapper: 'oidc-audience-mapper', config: { 'included.custom.audience': 'x', 'access.token.claim': 'true' } }, 201);
    await send('POST', `${R}/client-scopes/${IDS.profile}/protocol-mappers/models`, { name: 'subject', protocolMapper: 'oidc-sub-mapper', config: {} }, 201);
    await send('POST', `${R}/client-scopes/${IDS.unused}/protocol-mappers/models`, { name: 'fixed', protocolMapper: 'oidc-hardcoded-claim-mapper', config: { 'claim.name': 'a', 'claim.value': 'b' } }, 201);
    await send('PUT', `${R}/clients/${IDS.worker}/optional-client-scopes/${IDS.unused}`);
    const listed = await get(`${EVALUATE}/protocol-mappers?scope=openid`);
    const own = (await get(`${R}/clients/${IDS.worker}/protocol-mappers/models`))[0];
    assert.deepEqual(listed, [
      // The subject mapper's priority (-10) runs it first.
      { mapperId: listed[0].mapperId, mapperName: 'subject', containerId: IDS.profile, containerName: 'profile', containerType: 'client-scope', protocolMapper: 'oidc-sub-mapper' },
      { mapperId: own.id, mapperName: 'aud', containerId: IDS.worker, containerName: '', containerType: 'client', protocolMapper: 'oidc-audience-mapper' },
    ]);
    assert.deepEqual((await get(`${EVALUATE}/protocol-mappers?scope=openid%20unused`)).map((m: { mapperName: string }) => m.mapperName), ['subject', 'aud', 'fixed']);
  });
});
