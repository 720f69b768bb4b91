/**
 * Client scopes › Evaluate and the mapper forms' server side, through serverless offline with
 * Keycloak's own admin client: serverinfo's mapper types and predefined mappers, `add-models`
 * with a predefined one, and `evaluate-scopes/protocol-mappers`, `…/scope-mappings/…/granted` and
 * `…/not-granted` agreeing with the token the client then really gets.
 */
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt } from 'jose';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { secretsKeyAlias, signingKeyAliases, tableNames } from '../../lib/deployment/stageNames.js';
import type { ProtocolMapperEvaluationRepresentation } from '../../lib/representation/protocolMapper.js';
import { MAPPER_TYPES } from '../../lib/tokens/mappers/registry.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const suffix = randomUUID().slice(0, 8);
const adminId = `evaluate-admin-${suffix}`;
const adminSecret = randomUUID();
const realm = `evaluate-${suffix}`;

async function token(clientId: string, secret: string, scope?: string): Promise<Record<string, any>> {
  const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, ...(scope ? { scope } : {}) }),
  });
  assert.equal(res.status, 200);
  return decodeJwt(((await res.json()) as { access_token: string }).access_token);
}

const names = (roles: { name?: string }[]) => roles.map((role) => role.name!).sort();

describe('Client scopes › Evaluate, with the Keycloak admin client', () => {
  let kc: KcAdminClient;
  let clientUuid: string;
  let apiUuid: string;
  const secret = randomUUID();

  before(async () => {
    await bootstrapAdminService(
      createAdminContext({ names: { stage: 'test', service: 'sa-token-service', clientsTable: tableNames('test').clients, signingKeyAliases: signingKeyAliases('test'), secretsKeyId: secretsKeyAlias('test') } }),
      adminId,
      adminSecret,
    );
    kc = new KcAdminClient({ baseUrl: base, realmName: 'master' });
    await kc.auth({ grantType: 'client_credentials', clientId: adminId, clientSecret: adminSecret });
    await kc.realms.create({ realm, enabled: true });
    kc.setConfig({ realmName: realm });
    for (const name of ['mapped', 'held-only']) await kc.roles.create({ name });
    ({ id: apiUuid } = await kc.clients.create({ clientId: 'orders-api', publicClient: false, serviceAccountsEnabled: false, standardFlowEnabled: false }));
    await kc.clients.createRole({ id: apiUuid, name: 'read' });
    ({ id: clientUuid } = await kc.clients.create({ clientId: 'worker', secret, publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false, fullScopeAllowed: false }));
    const user = await kc.clients.getServiceAccountUser({ id: clientUuid });
    const realmRoles = await Promise.all(['mapped', 'held-only'].map((name) => kc.roles.findOneByName({ name })));
    await kc.users.addRealmRoleMappings({ id: user.id!, roles: realmRoles.map((role) => ({ id: role!.id!, name: role!.name! })) });
    await kc.clients.addRealmScopeMappings({ id: clientUuid }, [{ id: realmRoles[0]!.id!, name: 'mapped' }]);
    await kc.clients.addProtocolMapper({ id: clientUuid }, { name: 'orders audience', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.custom.audience': 'orders', 'access.token.claim': 'true' } });
  });

  it("serverinfo describes every mapper type's form, with Keycloak's switch defaults, and lists predefined mappers of applied types only", async () => {
    const info = await kc.serverInfo.find();
    const types = info.protocolMapperTypes!['openid-connect']!;
    const audience = types.find((type) => type.id === 'oidc-audience-mapper')!;
    assert.ok(audience.helpText && audience.helpText.length > 0);
    const property = (name: string) => audience.properties.find((p) => p.name === name)!;
    assert.equal(property('included.client.audience').type, 'ClientList');
    assert.equal(property('id.token.claim').defaultValue, 'false', "Keycloak's audience mapper starts with the ID token off");
    assert.equal(property('access.token.claim').defaultValue, 'true');
    assert.equal(property('lightweight.claim').defaultValue, 'false');
    const builtins = info.builtinProtocolMappers!['openid-connect']!;
    const known = new Set(types.map((type) => type.id));
    assert.ok(builtins.length >= 10);
    assert.ok(builtins.every((mapper) => known.has(mapper.protocolMapper!) && mapper.id === undefined));
    assert.equal(new Set(builtins.map((mapper) => mapper.name)).size, builtins.length, 'once each by name');
    assert.ok(!builtins.some((mapper) => mapper.protocolMapper === 'oidc-address-mapper'), 'a type this service does not apply is not offered');
  });

  it('adds a predefined mapper with add-models; its claim then is in the token', async () => {
    const builtins = (await kc.serverInfo.find()).builtinProtocolMappers!['openid-connect']!;
    const clientIdNote = builtins.find((mapper) => mapper.name === 'Client ID')!;
    await kc.clients.addMultipleProtocolMappers({ id: clientUuid }, [clientIdNote]);
    const mappers = await kc.clients.listProtocolMappers({ id: clientUuid });
    assert.deepEqual(mappers.map((mapper) => mapper.name).sort(), ['Client ID', 'orders audience']);
    assert.equal((await token('worker', secret)).client_id, 'worker');
  });

  it('lists the effective protocol mappers: its own with an empty container name, then those of its scopes', async () => {
    // The admin client types the answer as ProtocolMapperRepresentation; Keycloak sends the evaluation form.
    const listed = (await kc.clients.evaluateListProtocolMapper({ id: clientUuid, scope: 'openid' })) as unknown as ProtocolMapperEvaluationRepresentation[];
    const own = listed.filter((mapper) => mapper.containerType === 'client');
    assert.deepEqual(own.map((mapper) => mapper.mapperName).sort(), ['Client ID', 'orders audience']);
    assert.ok(own.every((mapper) => mapper.containerId === clientUuid && mapper.containerName === ''));
    const roles = listed.find((mapper) => mapper.mapperName === 'realm roles')!;
    assert.deepEqual({ containerType: roles.containerType, containerName: roles.containerName, protocolMapper: roles.protocolMapper }, { containerType: 'client-scope', containerName: 'roles', protocolMapper: 'oidc-usermodel-realm-role-mapper' });
    const scopes = await kc.clientScopes.find();
    assert.equal(roles.containerId, scopes.find((scope) => scope.name === 'roles')!.id);
    // Ordered as they run: by priority, the subject mapper (-10) first.
    assert.equal(listed[0]!.protocolMapper, 'oidc-sub-mapper');
    // An optional scope's mappers count only when the scope is asked for.
    const optional = (await kc.clients.listOptionalClientScopes({ id: clientUuid })).find((scope) => (scope.protocolMappers ?? []).length > 0);
    if (optional) {
      const without = listed.filter((mapper) => mapper.containerName === optional.name);
      const withIt = ((await kc.clients.evaluateListProtocolMapper({ id: clientUuid, scope: `openid ${optional.name}` })) as unknown as ProtocolMapperEvaluationRepresentation[]).filter((mapper) => mapper.containerName === optional.name);
      assert.deepEqual({ without: without.length, withIt: withIt.length }, { without: 0, withIt: optional.protocolMappers!.filter((m) => MAPPER_TYPES.has(m.protocolMapper!)).length });
    }
  });

  it('grants exactly the scope-mapped realm role; every other realm role is not granted; the token agrees', async () => {
    const granted = await kc.clients.evaluatePermission({ id: clientUuid, roleContainer: realm, scope: 'openid', type: 'granted' });
    assert.deepEqual(names(granted), ['mapped']);
    assert.equal(granted[0]!.clientRole, false);
    const notGranted = await kc.clients.evaluatePermission({ id: clientUuid, roleContainer: realm, scope: 'openid', type: 'not-granted' });
    const all = await kc.roles.find();
    assert.deepEqual(names(notGranted), names(all).filter((name) => name !== 'mapped'));
    const example = await kc.clients.evaluateGenerateAccessToken({ id: clientUuid, scope: 'openid', userId: '', audience: '' });
    const real = await token('worker', secret, 'openid');
    assert.deepEqual(example.realm_access, { roles: ['mapped'] });
    assert.deepEqual(real.realm_access, example.realm_access);
    assert.deepEqual([real.aud].flat(), ['orders']);
  });

  it("grants a client's roles by the client's id: its own always, another client's only when mapped", async () => {
    assert.deepEqual(names(await kc.clients.evaluatePermission({ id: clientUuid, roleContainer: apiUuid, scope: 'openid', type: 'granted' })), []);
    assert.deepEqual(names(await kc.clients.evaluatePermission({ id: clientUuid, roleContainer: apiUuid, scope: 'openid', type: 'not-granted' })), ['read']);
    const read = await kc.clients.findRole({ id: apiUuid, roleName: 'read' });
    await kc.clients.addClientScopeMappings({ id: clientUuid, client: apiUuid }, [{ id: read!.id!, name: 'read' }]);
    const granted = await kc.clients.evaluatePermission({ id: clientUuid, roleContainer: apiUuid, scope: 'openid', type: 'granted' });
    assert.deepEqual(names(granted), ['read']);
    assert.equal(granted[0]!.containerId, apiUuid);
    await kc.clients.createRole({ id: clientUuid, name: 'own' });
    assert.deepEqual(names(await kc.clients.evaluatePermission({ id: clientUuid, roleContainer: clientUuid, scope: 'openid', type: 'granted' })), ['own']);
  });

  it('answers 404 for an unknown role container or client, and 403 without view-clients', async () => {
    await assert.rejects(kc.clients.evaluatePermission({ id: clientUuid, roleContainer: 'no-such-container', scope: 'openid', type: 'granted' }), (err: { response?: { status: number } }) => err.response?.status === 404);
    await assert.rejects(kc.clients.evaluateListProtocolMapper({ id: randomUUID(), scope: 'openid' }), (err: { response?: { status: number } }) => err.response?.status === 404);
    const outsider = await kc.clients.create({ clientId: 'outsider', secret: 'outsider-secret', publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false });
    const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'outsider', client_secret: 'outsider-secret' }),
    });
    const bearer = ((await res.json()) as { access_token: string }).access_token;
    assert.ok(outsider.id);
    const refused = await fetch(`${base}/admin/realms/${realm}/clients/${clientUuid}/evaluate-scopes/protocol-mappers?scope=openid`, { headers: { authorization: `Bearer ${bearer}` } });
    assert.equal(refused.status, 403);
  });
});
