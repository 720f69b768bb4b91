import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { adminApiFixture, IDS } from '../support/adminApiFixture.js';

/**
 * Every error body of the role, role-mapping, client-scope, protocol-mapper and scope-mapping
 * families, as the reference (§1, §3.3–3.6) and Keycloak 26's resources write them, and the order
 * of the checks (sub-resource 404 before or after the 403 as Keycloak looks it up).
 */
let api: Awaited<ReturnType<typeof adminApiFixture>>;
beforeEach(async () => {
  api = await adminApiFixture();
});

const R = '/admin/realms/r';

async function expectError(status: number, body: unknown, method: string, path: string, options: Parameters<typeof api.call>[2] = {}) {
  const res = await api.call(method, path, options);
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
  assert.deepEqual(res.body, body, `${method} ${path}`);
  assert.equal(res.headers['Content-Type'], 'application/json;charset=UTF-8');
}

const forbidden = { error: 'HTTP 403 Forbidden' };

describe('roles (realm and client containers)', () => {
  test('404 Could not find role, for reads, updates and deletes by name', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      await expectError(404, { error: 'Could not find role' }, method, `${R}/roles/ghost`, { body: method === 'PUT' ? { name: 'ghost' } : undefined });
      await expectError(404, { error: 'Could not find role' }, method, `${R}/clients/${IDS.api}/roles/ghost`, { body: method === 'PUT' ? {} : undefined });
    }
  });

  test('400 HTTP 400 Bad Request without a name; 409 Role with name … already exists on create and on rename', async () => {
    await expectError(400, { error: 'HTTP 400 Bad Request' }, 'POST', `${R}/roles`, { body: { description: 'x' } });
    await expectError(409, { errorMessage: 'Role with name reader already exists' }, 'POST', `${R}/roles`, { body: { name: 'reader' } });
    await expectError(409, { errorMessage: 'Role with name read already exists' }, 'POST', `${R}/clients/${IDS.api}/roles`, { body: { name: 'read' } });
    await expectError(409, { errorMessage: 'Role with name offline_access already exists' }, 'PUT', `${R}/roles/reader`, { body: { name: 'offline_access' } });
    await expectError(409, { errorMessage: 'Role with name offline_access already exists' }, 'PUT', `${R}/roles-by-id/${IDS.reader}`, { body: { name: 'offline_access' } });
  });

  test('400 for the realm default role, by name and by id', async () => {
    const body = { errorMessage: 'default-roles-r is default role of the realm and cannot be removed.' };
    await expectError(400, body, 'DELETE', `${R}/roles/default-roles-r`);
    const listed = (await api.call('GET', `${R}/roles`)).body as { id: string; name: string }[];
    await expectError(400, body, 'DELETE', `${R}/roles-by-id/${listed.find((role) => role.name === 'default-roles-r')!.id}`);
  });

  test('bodies that are not JSON, or JSON of the wrong type', async () => {
    await expectError(400, { error: 'invalid_request', error_description: 'Cannot parse the JSON' }, 'POST', `${R}/roles`, { rawBody: '{name' });
    await expectError(400, { error: 'unknown_error', error_description: 'Cannot parse the JSON' }, 'POST', `${R}/roles`, { body: ['x'] });
    await expectError(400, { error: 'unknown_error', error_description: 'Cannot parse the JSON' }, 'POST', `${R}/roles`, { body: { name: 'x', attributes: 'flat' } });
    await expectError(400, { error: 'unknown_error', error_description: 'Cannot parse the JSON' }, 'POST', `${R}/roles`, { body: { name: { nested: true } } });
  });

  test('an unknown client: 404 Could not find client for a caller who may list clients, else 403', async () => {
    await expectError(404, { error: 'Could not find client' }, 'GET', `${R}/clients/ghost/roles`, { token: 'r-clients-viewer' });
    await expectError(404, { error: 'Could not find client' }, 'POST', `${R}/clients/ghost/roles`, { token: 'r-clients-viewer', body: { name: 'x' } });
    await expectError(403, forbidden, 'GET', `${R}/clients/ghost/roles`, { token: 'r-nothing' });
  });

  test('403: realm roles need the realm rights, client roles the client rights, realm-management is read-only', async () => {
    await expectError(403, forbidden, 'GET', `${R}/roles`, { token: 'r-clients-viewer' });
    await expectError(403, forbidden, 'POST', `${R}/roles`, { token: 'r-clients-viewer', body: { name: 'x' } });
    await expectError(403, forbidden, 'POST', `${R}/clients/${IDS.api}/roles`, { token: 'r-clients-viewer', body: { name: 'x' } });
    await expectError(403, forbidden, 'GET', `${R}/roles`, { token: 'other-admin' });
    await expectError(403, forbidden, 'POST', `${R}/clients/${IDS.realmManagement}/roles`, { body: { name: 'x' } });
    await expectError(403, forbidden, 'DELETE', `${R}/clients/${IDS.realmManagement}/roles/manage-users`);
    // Refused before the role or the body is looked at, as Keycloak checks the right first.
    await expectError(403, forbidden, 'PUT', `${R}/clients/${IDS.realmManagement}/roles/ghost`, { body: {} });
    await expectError(403, forbidden, 'DELETE', `${R}/clients/${IDS.realmManagement}/protocol-mappers/models/ghost`);
    await expectError(403, forbidden, 'POST', `${R}/clients/${IDS.realmManagement}/scope-mappings/realm`, { body: [{ id: 'ghost' }] });
    await expectError(403, forbidden, 'PUT', `${R}/roles-by-id/${IDS.manageUsers}`, { body: { name: 'manage-users', description: 'x' } });
    assert.equal((await api.call('GET', `${R}/clients/${IDS.realmManagement}/roles`, { token: 'r-clients-viewer' })).status, 200);
    await expectError(404, { error: 'Realm not found.' }, 'GET', '/admin/realms/nowhere/roles');
  });
});

describe('roles by id', () => {
  test('404 for an unknown id, looked up before the right is checked', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      await expectError(404, { error: 'Could not find role' }, method, `${R}/roles-by-id/ghost`, { token: 'r-nothing', body: method === 'PUT' ? {} : undefined });
    }
    await expectError(404, { error: 'Could not find role' }, 'GET', `${R}/roles-by-id/ghost/composites`, { token: 'r-nothing' });
    await expectError(403, forbidden, 'GET', `${R}/roles-by-id/${IDS.reader}`, { token: 'r-nothing' });
    // A client role needs the client rights, a realm role the realm rights.
    assert.equal((await api.call('GET', `${R}/roles-by-id/${IDS.apiRead}`, { token: 'r-clients-viewer' })).status, 200);
    await expectError(403, forbidden, 'GET', `${R}/roles-by-id/${IDS.reader}`, { token: 'r-clients-viewer' });
  });

  test('composites: 404 Could not find composite role for an unknown or missing id; 403 for an admin role the caller does not hold', async () => {
    await expectError(404, { error: 'Could not find composite role' }, 'POST', `${R}/roles-by-id/${IDS.reader}/composites`, { body: [{ id: 'ghost' }] });
    await expectError(404, { error: 'Could not find composite role' }, 'POST', `${R}/roles-by-id/${IDS.reader}/composites`, { body: [{ name: 'offline_access' }] });
    await expectError(404, { error: 'Could not find composite role' }, 'DELETE', `${R}/roles-by-id/${IDS.reader}/composites`, { body: [{ id: 'ghost' }] });
    await expectError(403, forbidden, 'POST', `${R}/roles-by-id/${IDS.reader}/composites`, { token: 'r-realm-manager', body: [{ id: IDS.manageUsers }] });
    await expectError(400, { error: 'unknown_error', error_description: 'Cannot parse the JSON' }, 'POST', `${R}/roles-by-id/${IDS.reader}/composites`, { body: { id: IDS.apiRead } });
    // Nothing was written by the refused requests.
    assert.deepEqual((await api.call('GET', `${R}/roles-by-id/${IDS.reader}/composites`)).body, []);
  });
});

describe('service-account users and role mappings', () => {
  const M = `${R}/users/${IDS.workerUser}/role-mappings`;

  test('404 User not found for a caller who may query users, else 403; then 404 Client not found, then the right', async () => {
    await expectError(404, { error: 'User not found' }, 'GET', `${R}/users/ghost/role-mappings`, { token: 'r-users-viewer' });
    await expectError(404, { error: 'User not found' }, 'POST', `${R}/users/ghost/role-mappings/realm`, { token: 'r-users-viewer', body: [] });
    await expectError(404, { error: 'User not found' }, 'GET', `${R}/users/ghost`, { token: 'r-users-viewer' });
    await expectError(403, forbidden, 'GET', `${R}/users/ghost/role-mappings`, { token: 'r-nothing' });
    await expectError(404, { error: 'Client not found' }, 'GET', `${M}/clients/ghost`, { token: 'r-users-viewer' });
    await expectError(404, { error: 'Client not found' }, 'POST', `${M}/clients/ghost`, { token: 'r-users-viewer', body: [] });
    await expectError(403, forbidden, 'POST', `${M}/clients/${IDS.api}`, { token: 'r-users-viewer', body: [] });
    await expectError(403, forbidden, 'GET', `${R}/users`, { token: 'r-clients-viewer' });
  });

  test('404 Role not found: looked up by name in its container, and the id must match', async () => {
    await expectError(404, { error: 'Role not found' }, 'POST', `${M}/realm`, { body: [{ name: 'ghost' }] });
    await expectError(404, { error: 'Role not found' }, 'POST', `${M}/realm`, { body: [{ name: 'reader', id: IDS.apiRead }] });
    await expectError(404, { error: 'Role not found' }, 'POST', `${M}/realm`, { body: [{ name: 'reader' }] });
    await expectError(404, { error: 'Role not found' }, 'POST', `${M}/clients/${IDS.api}`, { body: [{ name: 'reader', id: IDS.reader }] });
    await expectError(404, { error: 'Role not found' }, 'DELETE', `${M}/realm`, { body: [{ name: 'ghost', id: 'x' }] });
    // One bad role refuses the whole request.
    await expectError(404, { error: 'Role not found' }, 'POST', `${M}/realm`, { body: [{ name: 'reader', id: IDS.reader }, { name: 'ghost' }] });
    assert.ok(!((await api.call('GET', `${M}/realm`)).body as { name: string }[]).some((role) => role.name === 'reader'));
  });

  test("403 for an admin role the caller does not hold; a held one maps", async () => {
    const rmRoles = `${M}/clients/${IDS.realmManagement}`;
    await expectError(403, forbidden, 'POST', rmRoles, { token: 'r-user-manager', body: [{ name: 'view-clients', id: IDS.viewClients }] });
    assert.equal((await api.call('POST', rmRoles, { token: 'r-user-manager', body: [{ name: 'manage-users', id: IDS.manageUsers }] })).status, 204);
    const available = (await api.call('GET', `${rmRoles}/available`, { token: 'r-user-manager' })).body as { name: string }[];
    assert.deepEqual(available, []);
    await expectError(403, forbidden, 'POST', `${M}/realm`, { token: 'r-users-viewer', body: [{ name: 'reader', id: IDS.reader }] });
  });
});

describe('client scopes', () => {
  test('404 Could not find client scope (403 for a caller who may not list clients)', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      await expectError(404, { error: 'Could not find client scope' }, method, `${R}/client-scopes/ghost`, { token: 'r-clients-viewer', body: method === 'PUT' ? {} : undefined });
    }
    await expectError(403, forbidden, 'GET', `${R}/client-scopes/ghost`, { token: 'r-nothing' });
    await expectError(403, forbidden, 'POST', `${R}/client-scopes`, { token: 'r-clients-viewer', body: { name: 'x' } });
  });

  test('409 Client Scope … already exists, 400 for a name Keycloak refuses, 400 in use', async () => {
    await expectError(409, { errorMessage: 'Client Scope profile already exists' }, 'POST', `${R}/client-scopes`, { body: { name: 'profile', protocol: 'openid-connect' } });
    await expectError(409, { errorMessage: 'Client Scope profile already exists' }, 'PUT', `${R}/client-scopes/${IDS.unused}`, { body: { name: 'profile' } });
    await expectError(400, { errorMessage: 'Unexpected name "two words" for ClientScope' }, 'POST', `${R}/client-scopes`, { body: { name: 'two words' } });
    await expectError(400, { errorMessage: 'Unexpected protocol' }, 'POST', `${R}/client-scopes`, { body: { name: 'x', protocol: 'saml' } });
    await expectError(400, { errorMessage: 'Cannot remove client scope, it is currently in use' }, 'DELETE', `${R}/client-scopes/${IDS.profile}`);
    assert.equal((await api.call('DELETE', `${R}/client-scopes/${IDS.unused}`)).status, 204);
  });
});

describe('protocol mappers', () => {
  const audience = { name: 'aud', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.custom.audience': 'x', 'access.token.claim': 'true' } };

  test('404 Model not found, 404 ProtocolMapper provider not found, 409 Protocol mapper exists with same name, on clients and client scopes', async () => {
    for (const base of [`${R}/clients/${IDS.worker}`, `${R}/client-scopes/${IDS.unused}`]) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        await expectError(404, { error: 'Model not found' }, method, `${base}/protocol-mappers/models/ghost`, { body: method === 'PUT' ? audience : undefined });
      }
      await expectError(404, { error: 'ProtocolMapper provider not found' }, 'POST', `${base}/protocol-mappers/models`, { body: { ...audience, protocolMapper: 'no-such-mapper' } });
      assert.equal((await api.call('POST', `${base}/protocol-mappers/models`, { body: audience })).status, 201);
      await expectError(409, { errorMessage: 'Protocol mapper exists with same name' }, 'POST', `${base}/protocol-mappers/models`, { body: audience });
    }
    await expectError(404, { error: 'Could not find client' }, 'GET', `${R}/clients/ghost/protocol-mappers/models`, { token: 'r-clients-viewer' });
    await expectError(403, forbidden, 'POST', `${R}/clients/${IDS.realmManagement}/protocol-mappers/models`, { body: audience });
    await expectError(403, forbidden, 'POST', `${R}/clients/${IDS.worker}/protocol-mappers/models`, { token: 'r-clients-viewer', body: audience });
  });
});

describe('scope mappings', () => {
  const S = `${R}/clients/${IDS.worker}/scope-mappings`;

  test('404 Role not found (realm roles by id, client roles by name); 404 Could not find client for the role owner', async () => {
    await expectError(404, { error: 'Role not found' }, 'POST', `${S}/realm`, { body: [{ id: 'ghost' }] });
    await expectError(404, { error: 'Role not found' }, 'POST', `${S}/realm`, { body: [{ name: 'reader' }] });
    await expectError(404, { error: 'Role not found' }, 'DELETE', `${S}/realm`, { body: [{ id: 'ghost' }] });
    await expectError(404, { error: 'Role not found' }, 'POST', `${S}/clients/${IDS.api}`, { body: [{ name: 'ghost' }] });
    await expectError(404, { error: 'Could not find client' }, 'POST', `${S}/clients/ghost`, { body: [] });
    await expectError(404, { error: 'Could not find client' }, 'GET', `${S}/clients/ghost`, { token: 'r-nothing' });
    await expectError(404, { error: 'Could not find client' }, 'GET', `${R}/clients/ghost/scope-mappings/realm`, { token: 'r-clients-viewer' });
    await expectError(403, forbidden, 'POST', `${S}/realm`, { token: 'r-clients-viewer', body: [{ id: IDS.reader }] });
    await expectError(403, forbidden, 'POST', `${R}/clients/${IDS.realmManagement}/scope-mappings/realm`, { body: [{ id: IDS.reader }] });
  });
});
