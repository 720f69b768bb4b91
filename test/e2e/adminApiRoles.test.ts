/**
 * Roles, role mappings, composites by id, scope mappings, client scopes and protocol mappers
 * through the Admin REST API end to end (serverless offline), with Keycloak's admin client as the
 * caller, as a Terraform apply of `keycloak_role`, `keycloak_openid_client_service_account_role`,
 * `keycloak_generic_role_mapper`, `keycloak_openid_client_scope` and the mapper resources does;
 * then tokens from the token endpoint show what was mapped.
 */
import { secretsKeyAlias, signingKeyAliases, tableNames } from '../../lib/deployment/stageNames.js';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt } from 'jose';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { createRealm } from '../../lib/admin/realms.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const adminId = `roles-admin-${randomUUID().slice(0, 8)}`;
const adminSecret = randomUUID();
const realm = `roles-${randomUUID().slice(0, 8)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ctx = () =>
  createAdminContext({
    names: { stage: 'test', service: 'sa-token-service', clientsTable: tableNames('test').clients, signingKeyAliases: signingKeyAliases('test'), secretsKeyId: secretsKeyAlias('test') },
  });

async function claims(clientId: string, secret: string): Promise<Record<string, any>> {
  const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  const body = (await res.json()) as { access_token?: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  return decodeJwt(body.access_token!);
}

async function raw(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${base}/admin/realms/${realm}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const names = (roles: { name?: string }[]) => roles.map((role) => role.name!).sort();

let kc: KcAdminClient;
let adminToken: string;
/** The confidential service-account client the roles are mapped to, and the bearer-only API owning client roles. */
const worker = { uuid: '', secret: '', userId: '' };
let apiUuid = '';
/** Role ids, shared by the two suites (node:test runs them in order). */
let readerId = '';
let bundleId = '';

before(async () => {
  await bootstrapAdminService(ctx(), adminId, adminSecret);
  kc = new KcAdminClient({ baseUrl: base, realmName: 'master' });
  await kc.auth({ grantType: 'client_credentials', clientId: adminId, clientSecret: adminSecret });
  adminToken = kc.accessToken!;
  // The realm comes from lib/admin directly (POST /admin/realms is tested in adminApi.test.ts): it
  // makes KMS keys, the slowest admin request, and this file is about what goes into a realm.
  await createRealm(ctx(), realm);
  kc.setConfig({ realmName: realm });
  ({ id: worker.uuid } = await kc.clients.create({ clientId: 'worker', serviceAccountsEnabled: true, publicClient: false, standardFlowEnabled: false }));
  worker.secret = (await kc.clients.getClientSecret({ id: worker.uuid })).value!;
  worker.userId = (await kc.clients.getServiceAccountUser({ id: worker.uuid })).id!;
  ({ id: apiUuid } = await kc.clients.create({ clientId: 'orders-api', bearerOnly: true }));
});

describe('Admin REST API: roles and role mappings with the Keycloak admin client', () => {
  it('creates a realm role, then updates it by id as the provider does; every field reads back', async () => {
    await kc.roles.create({ name: 'reader', description: 'Reads orders' });
    const created = (await kc.roles.findOneByName({ name: 'reader' }))!;
    readerId = created.id!;
    assert.match(readerId, UUID);
    assert.equal(created.clientRole, false);
    await kc.roles.updateById({ id: readerId }, { name: 'reader', description: 'Reads orders', attributes: { team: ['billing'] } });
    const read = (await kc.roles.findOneById({ id: readerId }))!;
    assert.deepEqual([read.name, read.description, read.attributes, read.composite], ['reader', 'Reads orders', { team: ['billing'] }, false]);
  });

  it('creates client roles and a composite realm role holding one of them by id', async () => {
    await kc.clients.createRole({ id: apiUuid, name: 'orders:read' });
    await kc.clients.createRole({ id: apiUuid, name: 'orders:write', description: 'Writes orders' });
    const write = (await kc.clients.findRole({ id: apiUuid, roleName: 'orders:write' }))!;
    assert.equal(write.containerId, apiUuid);
    assert.equal(write.clientRole, true);
    await kc.roles.create({ name: 'bundle' });
    bundleId = (await kc.roles.findOneByName({ name: 'bundle' }))!.id!;
    await kc.roles.createComposite({ roleId: bundleId }, [{ id: write.id }]);
    assert.deepEqual(names(await kc.roles.getCompositeRoles({ id: bundleId })), ['orders:write']);
    assert.deepEqual(names(await kc.roles.getCompositeRolesForClient({ id: bundleId, clientId: apiUuid })), ['orders:write']);
    assert.equal((await kc.roles.findOneById({ id: bundleId }))!.composite, true);
  });

  it('maps realm and client roles to the service account; the token carries them, composites expanded', async () => {
    const reader = (await kc.roles.findOneById({ id: readerId }))!;
    const bundle = (await kc.roles.findOneById({ id: bundleId }))!;
    await kc.users.addRealmRoleMappings({ id: worker.userId, roles: [{ id: reader.id!, name: reader.name! }, { id: bundle.id!, name: bundle.name! }] });
    const available = await kc.users.listAvailableClientRoleMappings({ id: worker.userId, clientUniqueId: apiUuid });
    assert.deepEqual(names(available), ['orders:read', 'orders:write']);
    const read = available.find((role) => role.name === 'orders:read')!;
    await kc.users.addClientRoleMappings({ id: worker.userId, clientUniqueId: apiUuid, roles: [{ id: read.id!, name: read.name! }] });

    const mappings = await kc.users.listRoleMappings({ id: worker.userId });
    assert.deepEqual(names(mappings.realmMappings!), ['bundle', `default-roles-${realm}`, 'reader']);
    assert.deepEqual(names(mappings.clientMappings!['orders-api']!.mappings!), ['orders:read']);
    assert.equal(mappings.clientMappings!['orders-api']!.id, apiUuid);
    const effective = await kc.users.listCompositeRealmRoleMappings({ id: worker.userId });
    assert.ok(names(effective).includes('offline_access'), 'the default role is expanded');

    const token = await claims('worker', worker.secret);
    assert.ok(token.realm_access.roles.includes('reader') && token.realm_access.roles.includes('bundle'));
    assert.deepEqual(token.resource_access['orders-api'].roles.sort(), ['orders:read', 'orders:write']);
  });

  it('finds the service account as kcadm add-roles --uusername does', async () => {
    const [user, ...rest] = await kc.users.find({ username: 'service-account-worker', exact: true });
    assert.equal(user?.id, worker.userId);
    assert.equal(rest.length, 0);
    assert.equal((user as Record<string, unknown>).serviceAccountClientId, 'worker');
  });

  it('renames a role by name: the mapping follows and the next token shows the new name', async () => {
    await kc.roles.updateByName({ name: 'reader' }, { name: 'order-reader', description: 'Reads orders' });
    assert.equal((await kc.roles.findOneById({ id: readerId }))!.name, 'order-reader');
    const token = await claims('worker', worker.secret);
    assert.ok(token.realm_access.roles.includes('order-reader'));
    assert.ok(!token.realm_access.roles.includes('reader'));
  });

  it('scope mappings limit a client without full scope to the mapped roles', async () => {
    const { id: narrowUuid } = await kc.clients.create({ clientId: 'narrow', serviceAccountsEnabled: true, fullScopeAllowed: false });
    const narrowSecret = (await kc.clients.getClientSecret({ id: narrowUuid })).value!;
    const narrowUser = (await kc.clients.getServiceAccountUser({ id: narrowUuid })).id!;
    const reader = (await kc.roles.findOneById({ id: readerId }))!;
    const bundle = (await kc.roles.findOneById({ id: bundleId }))!;
    await kc.users.addRealmRoleMappings({ id: narrowUser, roles: [{ id: reader.id!, name: reader.name! }, { id: bundle.id!, name: bundle.name! }] });
    assert.equal((await claims('narrow', narrowSecret)).realm_access, undefined, 'nothing is in scope yet');

    await kc.clients.addRealmScopeMappings({ id: narrowUuid }, [{ id: readerId }]);
    await kc.clients.addClientScopeMappings({ id: narrowUuid, client: apiUuid }, [{ name: 'orders:write' }]);
    assert.deepEqual(names(await kc.clients.listRealmScopeMappings({ id: narrowUuid })), ['order-reader']);
    assert.deepEqual(names((await kc.clients.listClientScopeMappings({ id: narrowUuid, client: apiUuid })) as unknown as { name: string }[]), ['orders:write']);
    const token = await claims('narrow', narrowSecret);
    assert.deepEqual(token.realm_access.roles, ['order-reader']);
    assert.deepEqual(token.resource_access['orders-api'].roles, ['orders:write'], 'through the bundle composite, in scope by its client role');
  });
});

describe('Admin REST API: client scopes and protocol mappers with the Keycloak admin client', () => {
  let scopeId = '';

  it('creates a client scope with an audience mapper and attaches it as a default scope of the client', async () => {
    await kc.clientScopes.create({ name: 'orders-audience', protocol: 'openid-connect', description: 'Audience of the orders API', attributes: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' } });
    const scope = (await kc.clientScopes.findOneByName({ name: 'orders-audience' }))!;
    scopeId = scope.id!;
    assert.match(scopeId, UUID);
    assert.deepEqual(scope.attributes, { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' });
    await kc.clientScopes.addProtocolMapper(
      { id: scopeId },
      { name: 'orders audience', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.client.audience': 'orders-api', 'access.token.claim': 'true', 'id.token.claim': 'false', 'introspection.token.claim': 'true' } },
    );
    const [mapper] = await kc.clientScopes.listProtocolMappers({ id: scopeId });
    assert.match(mapper!.id!, UUID);
    assert.equal(mapper!.config!['included.client.audience'], 'orders-api');
    await kc.clients.addDefaultClientScope({ id: worker.uuid, clientScopeId: scopeId });
    assert.ok((await kc.clients.listDefaultClientScopes({ id: worker.uuid })).some((s) => s.id === scopeId));
  });

  it('adds a hardcoded-claim mapper to the client; it reads back as sent and updates by id', async () => {
    const sent = { name: 'tier', protocol: 'openid-connect', protocolMapper: 'oidc-hardcoded-claim-mapper', config: { 'claim.name': 'tier', 'claim.value': 'gold', 'jsonType.label': 'String', 'access.token.claim': 'true', 'id.token.claim': 'true', 'userinfo.token.claim': 'true' } };
    await kc.clients.addProtocolMapper({ id: worker.uuid }, sent);
    const mapper = (await kc.clients.findProtocolMapperByName({ id: worker.uuid, name: 'tier' }))!;
    assert.deepEqual({ ...mapper, id: undefined }, { ...sent, id: undefined, consentRequired: false });
    assert.ok((await kc.clients.findOne({ id: worker.uuid }))!.protocolMappers!.some((m) => m.id === mapper.id));
    await kc.clients.updateProtocolMapper({ id: worker.uuid, mapperId: mapper.id! }, { ...mapper, config: { ...sent.config, 'claim.value': 'platinum' } });
    assert.equal((await kc.clients.findProtocolMapperById({ id: worker.uuid, mapperId: mapper.id! }))!.config!['claim.value'], 'platinum');
  });

  it('refuses what Keycloak refuses: a duplicate mapper name, an unknown mapper type, a scope in use', async () => {
    const dup = await raw('POST', `/clients/${worker.uuid}/protocol-mappers/models`, adminToken, { name: 'tier', protocolMapper: 'oidc-hardcoded-claim-mapper', config: {} });
    assert.deepEqual([dup.status, dup.body], [409, { errorMessage: 'Protocol mapper exists with same name' }]);
    const unknown = await raw('POST', `/clients/${worker.uuid}/protocol-mappers/models`, adminToken, { name: 'x', protocolMapper: 'no-such-mapper' });
    assert.deepEqual([unknown.status, unknown.body], [404, { error: 'ProtocolMapper provider not found' }]);
    const inUse = await raw('DELETE', `/client-scopes/${scopeId}`, adminToken);
    assert.deepEqual([inUse.status, inUse.body], [400, { errorMessage: 'Cannot remove client scope, it is currently in use' }]);
    const role = await raw('POST', '/roles', adminToken, { name: 'bundle' });
    assert.deepEqual([role.status, role.body], [409, { errorMessage: 'Role with name bundle already exists' }]);
    const mapping = await raw('POST', `/users/${worker.userId}/role-mappings/realm`, adminToken, [{ name: 'bundle', id: readerId }]);
    assert.deepEqual([mapping.status, mapping.body], [404, { error: 'Role not found' }]);
  });

  it('a realm-management token maps roles only with manage-users; internal client roles cannot change', async () => {
    const { id: opsUuid } = await kc.clients.create({ clientId: 'ops', serviceAccountsEnabled: true });
    const opsSecret = (await kc.clients.getClientSecret({ id: opsUuid })).value!;
    const opsUser = (await kc.clients.getServiceAccountUser({ id: opsUuid })).id!;
    const [management] = await kc.clients.find({ clientId: 'realm-management' });
    const viewUsers = (await kc.clients.findRole({ id: management!.id!, roleName: 'view-users' }))!;
    await kc.users.addClientRoleMappings({ id: opsUser, clientUniqueId: management!.id!, roles: [{ id: viewUsers.id!, name: viewUsers.name! }] });
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'ops', client_secret: opsSecret });
    const opsToken = ((await (await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
    assert.equal((await raw('GET', `/users/${worker.userId}/role-mappings`, opsToken)).status, 200);
    const refused = await raw('POST', `/users/${worker.userId}/role-mappings/realm`, opsToken, []);
    assert.deepEqual([refused.status, refused.body], [403, { error: 'HTTP 403 Forbidden' }]);
    const internal = await raw('DELETE', `/clients/${management!.id}/roles/view-users`, adminToken);
    assert.deepEqual([internal.status, internal.body], [403, { error: 'HTTP 403 Forbidden' }]);
  });

  it('deletes a role by id: it leaves every mapping and the next token', async () => {
    await kc.roles.delById({ id: bundleId });
    const token = await claims('worker', worker.secret);
    assert.ok(!token.realm_access.roles.includes('bundle'));
    assert.deepEqual(token.resource_access['orders-api'].roles, ['orders:read']);
  });
});
