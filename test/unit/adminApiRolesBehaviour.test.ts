import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { adminApiFixture, IDS } from '../support/adminApiFixture.js';

/**
 * What the role, role-mapping, client-scope, mapper and scope-mapping endpoints do when they
 * succeed: 201 with Location, round trip of what was sent, renames followed everywhere, composites
 * and mappings as Keycloak lists them. On the in-memory clients table; the end-to-end test runs
 * the same flow through serverless offline with the admin client.
 */
let api: Awaited<ReturnType<typeof adminApiFixture>>;
beforeEach(async () => {
  api = await adminApiFixture();
});

const R = '/admin/realms/r';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
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
const names = (roles: { name: string }[]) => roles.map((role) => role.name).sort();

describe('roles', () => {
  test('create answers 201 with the URL-encoded name; the role reads back as sent, with a new UUID, by name and by id', async () => {
    const res = await send('POST', `${R}/roles`, { name: 'report viewer', description: 'Views', attributes: { tier: ['gold'] }, unknownField: true }, 201);
    assert.equal(res.body, undefined);
    assert.equal(res.headers.Location, 'https://sso.example.com/admin/realms/r/roles/report%20viewer');
    const byName = await get(`${R}/roles/report%20viewer`);
    assert.match(byName.id, UUID);
    assert.deepEqual(byName, { id: byName.id, name: 'report viewer', description: 'Views', composite: false, clientRole: false, containerId: IDS.realm, attributes: { tier: ['gold'] } });
    assert.deepEqual(await get(`${R}/roles-by-id/${byName.id}`), byName);
    const legacy = await api.call('POST', `/auth${R}/clients/${IDS.api}/roles`, { body: { name: 'write' } });
    assert.equal(legacy.headers.Location, `https://sso.example.com/auth/admin/realms/r/clients/${IDS.api}/roles/write`);
    assert.equal((await get(`${R}/clients/${IDS.api}/roles/write`)).containerId, IDS.api);
  });

  test("PUT by id (the provider's update after create): description and attributes as sent, absent description cleared", async () => {
    await send('PUT', `${R}/roles-by-id/${IDS.reader}`, { id: IDS.reader, name: 'reader', description: 'New', attributes: { x: ['1'] } });
    assert.deepEqual(await get(`${R}/roles/reader`), { id: IDS.reader, name: 'reader', description: 'New', composite: false, clientRole: false, containerId: IDS.realm, attributes: { x: ['1'] } });
    await send('PUT', `${R}/roles/reader`, { name: 'reader' });
    const after = await get(`${R}/roles/reader`);
    assert.equal(after.description, undefined);
    assert.deepEqual(after.attributes, { x: ['1'] }, 'attributes stay when not sent');
  });

  test('a rename keeps the id and follows every mapping: service account, scope mappings, composites', async () => {
    await send('POST', `${R}/users/${IDS.workerUser}/role-mappings/realm`, [{ id: IDS.reader, name: 'reader' }]);
    await send('POST', `${R}/clients/${IDS.worker}/scope-mappings/realm`, [{ id: IDS.reader }]);
    const boss = (await send('POST', `${R}/roles`, { name: 'boss' }, 201)).headers.Location!.split('/').pop()!;
    const bossId = (await get(`${R}/roles/${boss}`)).id;
    await send('POST', `${R}/roles-by-id/${bossId}/composites`, [{ id: IDS.reader }]);

    await send('PUT', `${R}/roles-by-id/${IDS.reader}`, { name: 'auditor' });
    assert.equal((await get(`${R}/roles/auditor`)).id, IDS.reader);
    assert.equal((await api.call('GET', `${R}/roles/reader`)).status, 404);
    assert.ok(names(await get(`${R}/users/${IDS.workerUser}/role-mappings/realm`)).includes('auditor'));
    assert.deepEqual(names(await get(`${R}/clients/${IDS.worker}/scope-mappings/realm`)), ['auditor']);
    assert.deepEqual(names(await get(`${R}/roles-by-id/${bossId}/composites`)), ['auditor']);
    assert.deepEqual((await get(`${R}/roles-by-id/${bossId}`)).composites, { realm: ['auditor'] });
  });

  test('the service accounts holding a role directly (…/roles/{name}/users)', async () => {
    assert.deepEqual((await get(`${R}/roles/default-roles-r/users`)).map((u: { username: string }) => u.username), ['service-account-worker']);
    assert.deepEqual(await get(`${R}/roles/offline_access/users`), [], 'through a composite is not directly');
    assert.equal((await api.call('GET', `${R}/roles/ghost/users`)).status, 404);
  });

  test('list: briefRepresentation (default true), search, first and max', async () => {
    const all = await get(`${R}/roles`);
    assert.deepEqual(names(all), ['default-roles-r', 'offline_access', 'reader']);
    assert.ok(all.every((role: object) => !('attributes' in role)));
    assert.deepEqual((await get(`${R}/roles?briefRepresentation=false&search=READ`))[0].attributes, { team: ['a', 'b'] });
    assert.deepEqual(names(await get(`${R}/roles?first=1&max=1`)), ['offline_access']);
    assert.deepEqual(names(await get(`${R}/clients/${IDS.api}/roles`)), ['read']);
  });

  test('delete by name and by id removes the role from every mapping', async () => {
    await send('POST', `${R}/users/${IDS.workerUser}/role-mappings/clients/${IDS.api}`, [{ id: IDS.apiRead, name: 'read' }]);
    await send('DELETE', `${R}/roles-by-id/${IDS.apiRead}`);
    assert.equal((await api.call('GET', `${R}/roles-by-id/${IDS.apiRead}`)).status, 404);
    assert.deepEqual(await get(`${R}/users/${IDS.workerUser}/role-mappings/clients/${IDS.api}`), []);
    await send('DELETE', `${R}/roles/reader`);
    assert.deepEqual(names(await get(`${R}/roles`)), ['default-roles-r', 'offline_access']);
  });
});

describe('composites by id and role mappings', () => {
  test('composites: add by id (a realm and a client role), list brief, split by container, remove the last makes it plain', async () => {
    const offlineAccess = (await get(`${R}/roles/offline_access`)).id;
    await send('POST', `${R}/roles-by-id/${IDS.reader}/composites`, [{ id: IDS.apiRead }, { id: offlineAccess }]);
    const composites = await get(`${R}/roles-by-id/${IDS.reader}/composites`);
    assert.deepEqual(names(composites), ['offline_access', 'read']);
    assert.deepEqual(composites.find((r: { name: string }) => r.name === 'read'), { id: IDS.apiRead, name: 'read', composite: false, clientRole: true, containerId: IDS.api });
    assert.deepEqual(names(await get(`${R}/roles-by-id/${IDS.reader}/composites/realm`)), ['offline_access']);
    assert.deepEqual(names(await get(`${R}/roles-by-id/${IDS.reader}/composites/clients/${IDS.api}`)), ['read']);
    assert.equal((await get(`${R}/roles/reader`)).composite, true);
    await send('DELETE', `${R}/roles-by-id/${IDS.reader}/composites`, composites.map((r: { id: string }) => ({ id: r.id })));
    assert.equal((await get(`${R}/roles/reader`)).composite, false);
  });

  test('composites by the role name (realm and client containers), as the admin client sends them', async () => {
    await send('POST', `${R}/roles/reader/composites`, [{ id: IDS.apiRead }]);
    assert.deepEqual(names(await get(`${R}/roles/reader/composites`)), ['read']);
    assert.deepEqual(await get(`${R}/roles/reader/composites/realm`), []);
    assert.deepEqual(names(await get(`${R}/roles/reader/composites/clients/${IDS.api}`)), ['read']);
    await send('POST', `${R}/clients/${IDS.api}/roles/read/composites`, [{ id: IDS.reader }]);
    assert.deepEqual(names(await get(`${R}/clients/${IDS.api}/roles/read/composites`)), ['reader']);
    await send('DELETE', `${R}/roles/reader/composites`, [{ id: IDS.apiRead }]);
    assert.equal((await get(`${R}/roles/reader`)).composite, false);
    assert.equal((await api.call('POST', `${R}/roles/ghost/composites`, { body: [] })).status, 404);
  });

  test('role mappings: all, realm, clients, available and composite (composites and the default role expanded)', async () => {
    const M = `${R}/users/${IDS.workerUser}/role-mappings`;
    await send('POST', `${R}/roles-by-id/${IDS.reader}/composites`, [{ id: IDS.apiRead }]);
    assert.deepEqual(names(await get(`${M}/realm/available`)), ['offline_access', 'reader']);
    await send('POST', `${M}/realm`, [{ id: IDS.reader, name: 'reader' }]);
    await send('POST', `${M}/realm`, [{ id: IDS.reader, name: 'reader' }]); // already mapped is fine
    const all = await get(M);
    assert.deepEqual(names(all.realmMappings), ['default-roles-r', 'reader']);
    assert.equal(all.clientMappings, undefined);
    assert.deepEqual(names(await get(`${M}/realm/available`)), ['offline_access']);
    assert.deepEqual(await get(`${M}/realm/available`, 'r-users-viewer'), [], 'only a caller who may map roles has any available');
    assert.deepEqual(names(await get(`${M}/realm/composite`)), ['default-roles-r', 'offline_access', 'reader']);
    assert.deepEqual(names(await get(`${M}/clients/${IDS.api}/composite`)), ['read']);
    assert.deepEqual(await get(`${M}/clients/${IDS.api}`), []);
    assert.deepEqual((await get(`${M}/realm/composite?briefRepresentation=false`)).find((r: { name: string }) => r.name === 'reader').attributes, { team: ['a', 'b'] });
    // No body: every realm role goes.
    await send('DELETE', `${M}/realm`);
    assert.deepEqual(await get(`${M}/realm`), []);
    assert.deepEqual(await get(`${M}/realm/composite`), []);
  });

  test('reads count their table operations: a role-mapping or role-by-id read is a fixed number of Queries, no per-role reads', async () => {
    const count = async (path: string) => {
      for (const key of Object.keys(api.counts)) delete api.counts[key];
      await get(path);
      return { ...api.counts };
    };
    // The realm settings (one GetItem), the service account by its id, the realm's roles (composite and plain: two Queries).
    assert.deepEqual(await count(`${R}/users/${IDS.workerUser}/role-mappings/realm`), { GetCommand: 1, QueryCommand: 3 });
    assert.deepEqual(await count(`${R}/users/${IDS.workerUser}/role-mappings`), { GetCommand: 1, QueryCommand: 3 });
    // The realm settings and the roles.
    assert.deepEqual(await count(`${R}/roles-by-id/${IDS.reader}`), { GetCommand: 1, QueryCommand: 2 });
    // Client roles also read their client's uuid once per owning client: one GetItem.
    await send('POST', `${R}/users/${IDS.workerUser}/role-mappings/clients/${IDS.api}`, [{ id: IDS.apiRead, name: 'read' }]);
    assert.deepEqual(await count(`${R}/users/${IDS.workerUser}/role-mappings`), { GetCommand: 2, QueryCommand: 3 });
  });

  test('users: the service accounts, by exact username, by search, with access', async () => {
    const found = await get(`${R}/users?username=SERVICE-ACCOUNT-WORKER&exact=true`);
    assert.deepEqual(found.map((u: { id: string; serviceAccountClientId: string }) => [u.id, u.serviceAccountClientId]), [[IDS.workerUser, 'worker']]);
    assert.deepEqual(found[0].access, { manageGroupMembership: true, view: true, mapRoles: true, impersonate: false, manage: true });
    assert.deepEqual(await get(`${R}/users?username=service-account&exact=true`), []);
    assert.equal((await get(`${R}/users?search=work`)).length, 1);
    assert.equal((await get(`${R}/users?search=nobody`)).length, 0);
    assert.equal((await get(`${R}/users/${IDS.workerUser}`, 'r-users-viewer')).access.mapRoles, false);
    const [brief] = await get(`${R}/users?briefRepresentation=true&max=1`);
    assert.deepEqual(Object.keys(brief).sort(), ['createdTimestamp', 'emailVerified', 'enabled', 'id', 'serviceAccountClientId', 'username']);
    assert.deepEqual(await get(`${R}/users?first=1`), []);
  });
});

describe('client scopes, protocol mappers, scope mappings', () => {
  test('client scope: 201 with its uuid, read back as sent; a rename follows into clients and realm defaults; delete when unused', async () => {
    const body = { name: 'api-audience', description: 'Audience of the API', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'true' } };
    const res = await send('POST', `${R}/client-scopes`, body, 201);
    const id = res.headers.Location!.split('/').pop()!;
    assert.match(id, UUID);
    assert.equal(res.headers.Location, `https://sso.example.com/admin/realms/r/client-scopes/${id}`);
    assert.deepEqual(await get(`${R}/client-scopes/${id}`), { id, ...body });
    assert.ok((await get(`${R}/client-scopes`)).some((scope: { id: string }) => scope.id === id));

    await send('PUT', `${R}/client-scopes/${IDS.profile}`, { name: 'profile2', attributes: { 'include.in.token.scope': 'true' } });
    assert.equal((await get(`${R}/client-scopes/${IDS.profile}`)).name, 'profile2');
    const worker = (await api.table.getClient('r', 'worker'))!;
    assert.deepEqual(worker.defaultClientScopes, ['profile2']);
    assert.deepEqual((await api.table.getRealmSettings('r'))!.defaultDefaultClientScopes, ['profile2']);
    await send('DELETE', `${R}/client-scopes/${id}`);
    assert.equal((await api.call('GET', `${R}/client-scopes/${id}`)).status, 404);
  });

  test('protocol mappers on a client and on a client scope: 201 with the mapper uuid, read, update, delete', async () => {
    for (const base of [`${R}/clients/${IDS.worker}`, `${R}/client-scopes/${IDS.unused}`]) {
      const mapper = { name: 'tier', protocol: 'openid-connect', protocolMapper: 'oidc-hardcoded-claim-mapper', config: { 'claim.name': 'tier', 'claim.value': 'gold', 'jsonType.label': 'String', 'access.token.claim': 'true' } };
      const res = await send('POST', `${base}/protocol-mappers/models`, mapper, 201);
      const id = res.headers.Location!.split('/').pop()!;
      assert.equal(res.headers.Location, `https://sso.example.com${base}/protocol-mappers/models/${id}`);
      assert.deepEqual(await get(`${base}/protocol-mappers/models/${id}`), { id, ...mapper, consentRequired: false });
      await send('PUT', `${base}/protocol-mappers/models/${id}`, { ...mapper, id, config: { ...mapper.config, 'claim.value': 'silver' } });
      assert.equal((await get(`${base}/protocol-mappers/models`))[0].config['claim.value'], 'silver');
      assert.equal((await get(`${base}/protocol-mappers/protocol/openid-connect`)).length, 1);
      await send('DELETE', `${base}/protocol-mappers/models/${id}`);
      assert.deepEqual(await get(`${base}/protocol-mappers/models`), []);
    }
    assert.deepEqual((await get(`${R}/client-scopes/${IDS.unused}`)).protocolMappers, undefined);
  });

  test('scope mappings: realm roles by id, client roles by name, the mappings, available and composite', async () => {
    const S = `${R}/clients/${IDS.worker}/scope-mappings`;
    await send('POST', `${S}/realm`, [{ id: IDS.reader }]);
    await send('POST', `${S}/clients/${IDS.api}`, [{ name: 'read' }]);
    assert.deepEqual(names(await get(`${S}/realm`)), ['reader']);
    assert.deepEqual(names(await get(`${S}/clients/${IDS.api}`)), ['read']);
    const all = await get(S);
    assert.deepEqual(names(all.realmMappings), ['reader']);
    assert.deepEqual(Object.keys(all.clientMappings), ['api']);
    // With full scope every role is in scope; without, only the mappings (and the client's own roles).
    assert.deepEqual(await get(`${S}/realm/available`), []);
    const stored = (await api.table.getClient('r', 'worker'))!;
    await api.table.putClient({ ...stored, fullScopeAllowed: false });
    assert.deepEqual(names(await get(`${S}/realm/available`)), ['default-roles-r', 'offline_access']);
    assert.deepEqual(await get(`${S}/realm/available`, 'r-clients-viewer'), []);
    assert.deepEqual(names(await get(`${S}/realm/composite`)), ['reader']);
    await send('DELETE', `${S}/clients/${IDS.api}`, [{ name: 'read' }]);
    await send('DELETE', `${S}/realm`);
    assert.deepEqual(await get(S), {});
  });

  test('scope mappings of a client scope: stored on the scope, read back, in scope by composites', async () => {
    const S = `${R}/client-scopes/${IDS.unused}/scope-mappings`;
    await send('POST', `${R}/roles-by-id/${IDS.reader}/composites`, [{ id: IDS.apiRead }]);
    await send('POST', `${S}/realm`, [{ id: IDS.reader }]);
    assert.deepEqual(names(await get(`${S}/realm`)), ['reader']);
    assert.deepEqual(names(await get(`${S}/clients/${IDS.api}/composite`)), ['read']);
    assert.deepEqual(await get(`${S}/clients/${IDS.api}`), []);
    const stored = await api.table.getClientScope('r', 'unused');
    assert.deepEqual(stored!.scopeMappings, { realm: ['reader'], client: {} });
    await send('DELETE', `${S}/realm`, [{ id: IDS.reader }]);
    assert.deepEqual(await get(S), {});
    assert.equal((await api.call('GET', `${R}/client-scopes/ghost/scope-mappings/realm`, { token: 'r-clients-viewer' })).status, 404);
  });
});

describe('client rename', () => {
  test("a group's mappings of the client's roles follow the new clientId", async () => {
    await api.table.putItem('r', { kind: 'group', id: 'f0000000-0000-4000-8000-000000000001', name: 'readers', path: '/readers', attributes: {}, roles: { realm: [], client: { api: ['read'] } } });
    await send('PUT', `${R}/clients/${IDS.api}`, { clientId: 'api-v2' });
    const groups = await api.table.listGroups('r');
    assert.deepEqual(groups.map((group) => group.roles), [{ realm: [], client: { 'api-v2': ['read'] } }]);
  });
});
