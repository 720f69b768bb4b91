import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { adminApiFixture, IDS } from '../support/adminApiFixture.js';

/**
 * Groups through the Admin REST API, replaying the Terraform provider's calls from its source
 * (terraform-provider-keycloak keycloak/group.go, group_role_mappings.go, user.go,
 * provider/resource_keycloak_group*.go): paths, bodies, and what it decodes. On the in-memory
 * clients table; test/e2e/adminApiGroups.test.ts runs the admin client and the token endpoint.
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
const send = async (method: string, path: string, body?: unknown, status = 204, token?: string) => {
  const res = await api.call(method, path, { body, token });
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
  return res;
};
/** keycloak.Group as the provider marshals it: `attributes` always sent, description only when set. */
const providerGroup = (name: string, attributes: Record<string, string[]> = {}, extra: Record<string, unknown> = {}) => ({ name, attributes, ...extra });
const idOf = (location: string) => location.slice(location.lastIndexOf('/') + 1);

/** NewGroup: POST groups or groups/{parent}/children, the id from Location. */
async function newGroup(name: string, parentId?: string, attributes: Record<string, string[]> = {}): Promise<string> {
  const res = await send('POST', parentId ? `${R}/groups/${parentId}/children` : `${R}/groups`, providerGroup(name, attributes), 201);
  assert.ok(res.headers.Location?.startsWith(`https://sso.example.com${R}/groups/`), res.headers.Location);
  return idOf(res.headers.Location!);
}

/** GetGroup: GET groups/{id}, then the parent by group-by-path (groupParentId). */
async function providerGetGroup(id: string) {
  const group = await get(`${R}/groups/${id}`);
  const parentPath = group.path.slice(0, group.path.length - group.name.length);
  const parentId = parentPath === '/' ? '' : (await get(`${R}/group-by-path/${parentPath.replace(/^\//, '').split('/').filter(Boolean).map(encodeURIComponent).join('/')}`)).id;
  return { ...group, parentId };
}

describe('keycloak_group', () => {
  test('create, read, rename and delete a group and a subgroup as the provider does', async () => {
    const ops = await newGroup('ops', undefined, { team: ['a', 'b'] });
    const payments = await newGroup('pay ments', ops);
    assert.match(ops, UUID);

    const top = await providerGetGroup(ops);
    assert.deepEqual(top, {
      id: ops,
      name: 'ops',
      path: '/ops',
      subGroupCount: 1,
      subGroups: [],
      attributes: { team: ['a', 'b'] },
      realmRoles: [],
      clientRoles: {},
      access: { view: true, viewMembers: true, manageMembers: true, manage: true, manageMembership: true },
      parentId: '',
    });
    const child = await providerGetGroup(payments);
    assert.equal(child.path, '/ops/pay ments');
    assert.equal(child.parentId, ops);

    // UpdateGroup: PUT the whole group; a new name moves the subgroup's path too.
    await send('PUT', `${R}/groups/${ops}`, { id: ops, ...providerGroup('platform', { team: ['c'] }), description: 'Platform team' });
    assert.deepEqual((await get(`${R}/groups/${ops}`)).attributes, { team: ['c'] });
    assert.equal((await get(`${R}/groups/${ops}`)).description, 'Platform team');
    assert.equal((await get(`${R}/groups/${payments}`)).path, '/platform/pay ments');
    assert.equal((await get(`${R}/group-by-path/platform/pay%20ments`)).id, payments);

    // Keycloak's answers for a duplicate sibling, a blank name, and an id that is not the group's.
    const dup = await api.call('POST', `${R}/groups`, { body: providerGroup('platform') });
    assert.deepEqual([dup.status, dup.body], [409, { errorMessage: "Top level group named 'platform' already exists." }]);
    const dupChild = await api.call('POST', `${R}/groups/${ops}/children`, { body: providerGroup('pay ments') });
    assert.deepEqual([dupChild.status, dupChild.body], [409, { errorMessage: "Sibling group named 'pay ments' already exists." }]);
    assert.deepEqual((await api.call('PUT', `${R}/groups/${ops}`, { body: { name: ' ' } })).body, { errorMessage: 'Group name is missing' });
    assert.deepEqual((await api.call('PUT', `${R}/groups/${ops}`, { body: { id: payments, name: 'x' } })).body, { errorMessage: 'Invalid group id' });

    await send('DELETE', `${R}/groups/${ops}`);
    assert.deepEqual((await api.call('GET', `${R}/groups/${payments}`)).body, { error: 'Could not find group by id' });
    assert.deepEqual((await api.call('GET', `${R}/group-by-path/platform`)).body, { error: 'Group path does not exist' });
  });

  test('a new child answers 201 with its representation; listing, search and counts are Keycloak’s', async () => {
    const a = await newGroup('alpha');
    await newGroup('beta');
    const res = await send('POST', `${R}/groups/${a}/children`, providerGroup('deep-search-target'), 201);
    assert.equal(res.body.name, 'deep-search-target');
    assert.equal(res.body.parentId, a);

    const top = await get(`${R}/groups`);
    assert.deepEqual(top.map((g: any) => [g.name, g.subGroupCount, g.subGroups, 'attributes' in g]), [['alpha', 1, [], false], ['beta', 0, [], false]]);
    assert.deepEqual((await get(`${R}/groups?first=1&max=1`)).map((g: any) => g.name), ['beta']);

    // GetGroupByName: search, then a depth-first walk of subGroups; only the path to the match is there.
    const found = await get(`${R}/groups?search=search-target`);
    assert.deepEqual(found.map((g: any) => g.name), ['alpha']);
    assert.deepEqual(found[0].subGroups.map((g: any) => g.path), ['/alpha/deep-search-target']);

    assert.deepEqual(await get(`${R}/groups/count`), { count: 3 });
    assert.deepEqual(await get(`${R}/groups/count?top=true`), { count: 2 });
    assert.deepEqual(await get(`${R}/groups/count?search=ALP`), { count: 1 });
    assert.deepEqual((await get(`${R}/groups/${a}/children?briefRepresentation=true`)).map((g: any) => g.name), ['deep-search-target']);
  });

  test('moving a group (POST children with its id) carries its members with it', async () => {
    const a = await newGroup('a');
    const b = await newGroup('b');
    await send('PUT', `${R}/users/${IDS.workerUser}/groups/${b}`);
    await send('POST', `${R}/groups/${a}/children`, { id: b, name: 'b' });
    assert.equal((await get(`${R}/groups/${b}`)).path, '/a/b');
    assert.deepEqual((await get(`${R}/users/${IDS.workerUser}/groups`)).map((g: any) => g.path), ['/a/b']);
    const cycle = await api.call('POST', `${R}/groups/${b}/children`, { body: { id: a, name: 'a' } });
    assert.equal(cycle.status, 400);
    await send('POST', `${R}/groups`, { id: b, name: 'b' });
    assert.deepEqual((await get(`${R}/users/${IDS.workerUser}/groups`)).map((g: any) => g.path), ['/b']);
  });

  test('hostile names and attribute keys are refused or kept as plain data', async () => {
    for (const name of ['a/b', '', 'x\u0001']) {
      assert.equal((await api.call('POST', `${R}/groups`, { body: { name } })).status, 400, JSON.stringify(name));
    }
    const res = await api.call('POST', `${R}/groups`, { rawBody: '{"name":"p","attributes":{"__proto__":["x"]}}' });
    assert.equal(res.status, 400);
    assert.equal(({} as Record<string, unknown>).x, undefined);
    assert.equal((await api.call('POST', `${R}/groups`, { body: { name: 'q', attributes: 'nope' } })).status, 400);
  });
});

describe('keycloak_group_roles', () => {
  test('realm and client roles mapped to a group read back in a MappingsRepresentation and reach its members', async () => {
    const g = await newGroup('readers');
    const sub = await newGroup('sub', g);
    // getExtendedRoleMapping: each role by id, then POST the roles as keycloak.Role.
    const reader = await get(`${R}/roles-by-id/${IDS.reader}`);
    const apiRead = await get(`${R}/roles-by-id/${IDS.apiRead}`);
    await send('POST', `${R}/groups/${g}/role-mappings/realm`, [reader]);
    await send('POST', `${R}/groups/${g}/role-mappings/clients/${apiRead.containerId}`, [apiRead]);

    const mappings = await get(`${R}/groups/${g}/role-mappings`);
    assert.deepEqual(mappings.realmMappings.map((r: any) => r.id), [IDS.reader]);
    assert.deepEqual(mappings.clientMappings.api, { id: IDS.api, client: 'api', mappings: [apiRead].map(({ attributes: _a, ...brief }: any) => brief) });
    assert.deepEqual((await get(`${R}/groups/${g}`)).realmRoles, ['reader']);
    assert.deepEqual((await get(`${R}/groups/${g}`)).clientRoles, { api: ['read'] });

    // A subgroup holds its parent's roles (composite), not as its own mapping.
    assert.deepEqual(await get(`${R}/groups/${sub}/role-mappings/realm`), []);
    assert.deepEqual((await get(`${R}/groups/${sub}/role-mappings/realm/composite`)).map((r: any) => r.name), ['reader']);
    // The service account in the subgroup holds them too (what its token will carry).
    await send('PUT', `${R}/users/${IDS.workerUser}/groups/${sub}`);
    assert.ok((await get(`${R}/users/${IDS.workerUser}/role-mappings/clients/${IDS.api}/composite`)).some((r: any) => r.name === 'read'));

    await send('DELETE', `${R}/groups/${g}/role-mappings/realm`, [reader]);
    assert.equal((await get(`${R}/groups/${g}/role-mappings`)).realmMappings, undefined);
    const wrongId = await api.call('POST', `${R}/groups/${g}/role-mappings/realm`, { body: [{ ...reader, id: IDS.apiRead }] });
    assert.deepEqual([wrongId.status, wrongId.body], [404, { error: 'Role not found' }]);
  });

  test('an admin role is mapped to a group only by a caller holding it', async () => {
    const g = await newGroup('admins');
    const manageUsers = await get(`${R}/roles-by-id/${IDS.manageUsers}`);
    const viewClients = await get(`${R}/roles-by-id/${IDS.viewClients}`);
    await send('POST', `${R}/groups/${g}/role-mappings/clients/${IDS.realmManagement}`, [manageUsers], 204, 'r-user-manager');
    await send('POST', `${R}/groups/${g}/role-mappings/clients/${IDS.realmManagement}`, [viewClients], 403, 'r-user-manager');
  });
});

describe('keycloak_group_memberships', () => {
  test('members found by username, added, listed page by page and removed', async () => {
    const g = await newGroup('workers');
    // AddUsersToGroup: GetUserByUsername (users?username=), then PUT users/{id}/groups/{groupId}.
    const [user] = await get(`${R}/users?username=service-account-worker`);
    assert.equal(user.id, IDS.workerUser);
    await send('PUT', `${R}/users/${user.id}/groups/${g}`);
    await send('PUT', `${R}/users/${user.id}/groups/${g}`);
    // GetGroupMembers: pages of 50 until an empty one.
    assert.deepEqual((await get(`${R}/groups/${g}/members?max=50&first=0`)).map((u: any) => u.username), ['service-account-worker']);
    assert.deepEqual(await get(`${R}/groups/${g}/members?max=50&first=50`), []);
    assert.deepEqual(await get(`${R}/users/${user.id}/groups/`), [{ id: g, name: 'workers', path: '/workers', subGroups: [] }]);
    assert.deepEqual(await get(`${R}/users/${user.id}/groups/count`), { count: 1 });

    await send('DELETE', `${R}/users/${user.id}/groups/${g}`);
    assert.deepEqual(await get(`${R}/groups/${g}/members`), []);
    const unknown = await api.call('PUT', `${R}/users/${user.id}/groups/${IDS.unused}`);
    assert.deepEqual([unknown.status, unknown.body], [404, { error: 'Group not found' }]);
  });
});

describe('rights (GroupPermissions)', () => {
  test('query-groups lists; view-users reads; manage-users changes; an unknown group is 404 before 403', async () => {
    const g = await newGroup('g');
    // r-users-viewer holds view-users and query-users, r-clients-viewer nothing of users or groups.
    assert.equal((await get(`${R}/groups`, 'r-users-viewer'))[0].access.manage, false);
    assert.equal((await api.call('GET', `${R}/groups`, { token: 'r-clients-viewer' })).status, 403);
    assert.equal((await api.call('GET', `${R}/groups/${g}`, { token: 'r-users-viewer' })).status, 200);
    assert.equal((await api.call('GET', `${R}/groups/${g}`, { token: 'r-clients-viewer' })).status, 403);
    assert.equal((await api.call('GET', `${R}/groups/nope`, { token: 'r-clients-viewer' })).status, 404);
    assert.equal((await api.call('POST', `${R}/groups`, { token: 'r-users-viewer', body: { name: 'x' } })).status, 403);
    assert.equal((await api.call('PUT', `${R}/users/${IDS.workerUser}/groups/${g}`, { token: 'r-users-viewer' })).status, 403);
    assert.equal((await api.call('POST', `${R}/groups`, { token: 'r-user-manager', body: { name: 'x' } })).status, 201);
    assert.equal((await api.call('GET', `${R}/groups`, { token: 'other-admin' })).status, 403);
  });
});

describe('keycloak_realm and data "keycloak_openid_client"', () => {
  test('an empty defaultSignatureAlgorithm means unset; the realm read carries no default client-scope lists', async () => {
    await send('PUT', R, { realm: 'r', enabled: true, defaultSignatureAlgorithm: '', attributes: null, supportedLocales: null });
    const realm = await get(R);
    assert.equal(realm.defaultSignatureAlgorithm, 'RS256');
    assert.equal('defaultDefaultClientScopes' in realm, false);
    assert.equal('defaultOptionalClientScopes' in realm, false);
    assert.equal((await api.call('PUT', R, { body: { defaultSignatureAlgorithm: 'HS1' } })).status, 400);
  });

  test("realm-management's client-secret answers Keycloak's secret-less credential to manage-clients", async () => {
    assert.deepEqual(await get(`${R}/clients/${IDS.realmManagement}/client-secret`), { type: 'secret' });
    assert.deepEqual(await get(`${R}/clients/${IDS.api}/client-secret`), { type: 'secret' });
    assert.equal((await api.call('GET', `${R}/clients/${IDS.realmManagement}/client-secret`, { token: 'r-clients-viewer' })).status, 403);
  });
});
