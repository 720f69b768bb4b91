/**
 * The Admin REST API end to end, through serverless offline, with Keycloak's own admin client
 * (@keycloak/keycloak-admin-client) as the caller: the flow a Terraform apply performs (issue 11,
 * "Tests"), and the refusals (401, 403, 404, 409).
 */
import { secretsKeyAlias, signingKeyAliases, tableNames } from '../../lib/deployment/stageNames.js';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt } from 'jose';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const adminId = `tf-admin-${randomUUID().slice(0, 8)}`;
const adminSecret = randomUUID();
const realmName = `tf-${randomUUID().slice(0, 8)}`;

/** The local stack's `test` stage, reached through the AWS_ENDPOINT_URL_* variables npm test sets. */
const ctx = () =>
  createAdminContext({
    names: { stage: 'test', service: 'sa-token-service', clientsTable: tableNames('test').clients, signingKeyAliases: signingKeyAliases('test'), secretsKeyId: secretsKeyAlias('test') },
  });

async function token(realm: string, clientId: string, secret: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function raw(method: string, path: string, options: { token?: string; body?: string } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}) },
    body: options.body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

let kc: KcAdminClient;
let adminToken: string;

before(async () => {
  await bootstrapAdminService(ctx(), adminId, adminSecret);
  kc = new KcAdminClient({ baseUrl: base, realmName: 'master' });
  await kc.auth({ grantType: 'client_credentials', clientId: adminId, clientSecret: adminSecret });
  adminToken = (await token('master', adminId, adminSecret)).body.access_token as string;
});

describe('Admin REST API: the Terraform apply flow with the Keycloak admin client', () => {
  let clientUuid: string;
  let secret: string;

  it('creates a realm (201 Location by name) and reads it back with its realm-management client', async () => {
    await kc.realms.create({ realm: realmName, enabled: true, accessTokenLifespan: 600, displayName: 'Terraform test', attributes: { team: 'a' } });
    const realm = await kc.realms.findOne({ realm: realmName });
    assert.equal(realm?.realm, realmName);
    assert.equal(realm?.accessTokenLifespan, 600);
    assert.equal(realm?.displayName, 'Terraform test', 'unused fields round-trip');
    assert.deepEqual(realm?.attributes, { team: 'a' });
    assert.match(realm!.id!, /^[0-9a-f-]{36}$/);
    assert.equal(realm?.defaultRole?.name, `default-roles-${realmName}`);
    const listed = await kc.realms.find();
    assert.ok(listed.some((r) => r.realm === realmName && r.id === realm!.id));
    kc.setConfig({ realmName });
    const [management] = await kc.clients.find({ clientId: 'realm-management' });
    assert.equal(management?.bearerOnly, true);
    kc.setConfig({ realmName: 'master' });
  });

  it('creates a confidential client with service accounts; every field it sent reads back as sent', async () => {
    const sent = {
      clientId: 'billing',
      name: 'Billing service',
      description: 'made by terraform',
      enabled: true,
      publicClient: false,
      serviceAccountsEnabled: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: false,
      redirectUris: ['https://billing.example.com/*'],
      webOrigins: ['+'],
      attributes: { 'access.token.lifespan': '120', 'pkce.code.challenge.method': 'S256' },
      authenticationFlowBindingOverrides: { browser: 'x' },
      someFutureField: { nested: [1, 2] },
    };
    ({ id: clientUuid } = await kc.clients.create({ realm: realmName, ...sent } as never));
    assert.match(clientUuid, /^[0-9a-f-]{36}$/);
    const read = (await kc.clients.findOne({ realm: realmName, id: clientUuid })) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(sent)) {
      if (key === 'attributes') for (const [name, v] of Object.entries(value)) assert.equal((read.attributes as Record<string, string>)[name], v, name);
      else assert.deepEqual(read[key], value, key);
    }
    assert.equal(read.id, clientUuid);
    assert.equal(read.protocol, 'openid-connect');
    assert.equal(read.clientAuthenticatorType, 'client-secret');
    assert.deepEqual(read.access, { view: true, configure: true, manage: true });
    assert.equal(typeof read.secret, 'string', 'manage-clients callers see the secret');
  });

  it('reads the client secret, and the token endpoint accepts it', async () => {
    const credential = await kc.clients.getClientSecret({ realm: realmName, id: clientUuid });
    assert.equal(credential.type, 'secret');
    secret = credential.value!;
    assert.ok(secret.length >= 32);
    const got = await token(realmName, 'billing', secret);
    assert.equal(got.status, 200);
    const claims = decodeJwt(got.body.access_token as string);
    assert.equal(claims.azp, 'billing');
    assert.equal(claims.exp! - claims.iat!, 120, 'the access.token.lifespan attribute applies');
  });

  it('shows the service-account user', async () => {
    const user = await kc.clients.getServiceAccountUser({ realm: realmName, id: clientUuid });
    assert.equal(user.username, 'service-account-billing');
    assert.equal(user.enabled, true);
    assert.match(user.id!, /^[0-9a-f-]{36}$/);
  });

  it('creates realm and client roles, maps them to the service account, attaches an audience and a hardcoded-claim mapper: the token shows them', async () => {
    await kc.roles.create({ realm: realmName, name: 'billing-reader', description: 'Reads billing' });
    const { id: apiUuid } = await kc.clients.create({ realm: realmName, clientId: 'billing-api', bearerOnly: true });
    await kc.clients.createRole({ realm: realmName, id: apiUuid, name: 'invoices:write' });
    const realmRole = (await kc.roles.findOneByName({ realm: realmName, name: 'billing-reader' }))!;
    const clientRole = (await kc.clients.findRole({ realm: realmName, id: apiUuid, roleName: 'invoices:write' }))!;
    assert.match(realmRole.id!, /^[0-9a-f-]{36}$/);
    const user = await kc.clients.getServiceAccountUser({ realm: realmName, id: clientUuid });
    // What keycloak_openid_client_service_account_realm_role and …_service_account_role send.
    await kc.users.addRealmRoleMappings({ realm: realmName, id: user.id!, roles: [{ id: realmRole.id!, name: realmRole.name! }] });
    await kc.users.addClientRoleMappings({ realm: realmName, id: user.id!, clientUniqueId: apiUuid, roles: [{ id: clientRole.id!, name: clientRole.name! }] });
    const composite = await kc.users.listCompositeRealmRoleMappings({ realm: realmName, id: user.id! });
    assert.ok(composite.some((role) => role.name === 'billing-reader'));
    // keycloak_openid_audience_protocol_mapper and keycloak_openid_hardcoded_claim_protocol_mapper.
    await kc.clients.addProtocolMapper(
      { realm: realmName, id: clientUuid },
      { name: 'billing-api audience', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.client.audience': 'billing-api', 'access.token.claim': 'true', 'id.token.claim': 'false' } },
    );
    await kc.clients.addProtocolMapper(
      { realm: realmName, id: clientUuid },
      { name: 'tenant', protocol: 'openid-connect', protocolMapper: 'oidc-hardcoded-claim-mapper', config: { 'claim.name': 'tenant.id', 'claim.value': '42', 'jsonType.label': 'long', 'access.token.claim': 'true' } },
    );
    const mappers = await kc.clients.listProtocolMappers({ realm: realmName, id: clientUuid });
    assert.deepEqual(mappers.map((mapper) => mapper.name).sort(), ['billing-api audience', 'tenant']);

    const claims = decodeJwt((await token(realmName, 'billing', secret)).body.access_token as string) as Record<string, any>;
    assert.ok(claims.realm_access.roles.includes('billing-reader'), JSON.stringify(claims.realm_access));
    assert.deepEqual(claims.resource_access['billing-api'].roles, ['invoices:write']);
    assert.ok([claims.aud].flat().includes('billing-api'), `aud ${JSON.stringify(claims.aud)}`);
    assert.deepEqual(claims.tenant, { id: 42 }, 'the hardcoded claim, nested by its dotted name, as a long');
    const tenant = mappers.find((mapper) => mapper.name === 'tenant')!;
    assert.deepEqual(tenant.config, { 'claim.name': 'tenant.id', 'claim.value': '42', 'jsonType.label': 'long', 'access.token.claim': 'true' });
  });

  it('regenerates the secret: the new one works, the old one stops at once', async () => {
    const fresh = await kc.clients.generateNewClientSecret({ realm: realmName, id: clientUuid });
    assert.notEqual(fresh.value, secret);
    assert.equal((await kc.clients.getClientSecret({ realm: realmName, id: clientUuid })).value, fresh.value);
    assert.equal((await token(realmName, 'billing', secret)).status, 401);
    assert.equal((await token(realmName, 'billing', fresh.value!)).status, 200);
    secret = fresh.value!;
  });

  it('sets a chosen secret with PUT (as the provider sends client_secret)', async () => {
    await kc.clients.update({ realm: realmName, id: clientUuid }, { secret: 'chosen-by-terraform-0123456789' } as never);
    assert.equal((await kc.clients.getClientSecret({ realm: realmName, id: clientUuid })).value, 'chosen-by-terraform-0123456789');
    assert.equal((await token(realmName, 'billing', 'chosen-by-terraform-0123456789')).status, 200);
    secret = 'chosen-by-terraform-0123456789';
  });

  it('lists clients by clientId (exact) and by search', async () => {
    const [found, ...rest] = await kc.clients.find({ realm: realmName, clientId: 'billing' });
    assert.equal(found?.id, clientUuid);
    assert.equal(rest.length, 0);
    assert.equal((found as Record<string, unknown>).secret, undefined, 'lists never carry secrets');
    assert.deepEqual(await kc.clients.find({ realm: realmName, clientId: 'bill' }), []);
    const searched = await kc.clients.find({ realm: realmName, clientId: 'BILL', search: true });
    assert.deepEqual(searched.map((c) => c.clientId), ['billing', 'billing-api']);
    assert.deepEqual((await kc.clients.find({ realm: realmName, clientId: 'BILL', search: true, first: 1, max: 1 })).map((c) => c.clientId), ['billing-api']);
  });

  it('moves a client scope between default and optional by id', async () => {
    const optional = await kc.clients.listOptionalClientScopes({ realm: realmName, id: clientUuid });
    const phone = optional.find((scope) => scope.name === 'phone')!;
    assert.match(phone.id!, /^[0-9a-f-]{36}$/);
    await kc.clients.addDefaultClientScope({ realm: realmName, id: clientUuid, clientScopeId: phone.id! });
    const defaults = await kc.clients.listDefaultClientScopes({ realm: realmName, id: clientUuid });
    assert.ok(defaults.some((scope) => scope.name === 'phone'));
    assert.ok(!(await kc.clients.listOptionalClientScopes({ realm: realmName, id: clientUuid })).some((scope) => scope.name === 'phone'));
    const claims = decodeJwt((await token(realmName, 'billing', secret)).body.access_token as string);
    assert.ok(String(claims.scope).split(' ').includes('phone'), 'a default scope is in the token');
    await kc.clients.delDefaultClientScope({ realm: realmName, id: clientUuid, clientScopeId: phone.id! });
    assert.ok(!(await kc.clients.listDefaultClientScopes({ realm: realmName, id: clientUuid })).some((scope) => scope.name === 'phone'));
  });

  it('refuses a duplicate clientId with 409 in Keycloak words', async () => {
    const res = await raw('POST', `/admin/realms/${realmName}/clients`, { token: adminToken, body: JSON.stringify({ clientId: 'billing' }) });
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, { errorMessage: 'Client billing already exists' });
  });

  it('deletes the client; the token endpoint refuses it', async () => {
    await kc.clients.del({ realm: realmName, id: clientUuid });
    const res = await raw('GET', `/auth/admin/realms/${realmName}/clients/${clientUuid}`, { token: adminToken });
    assert.deepEqual([res.status, res.body], [404, { error: 'Could not find client' }]);
    assert.equal((await token(realmName, 'billing', secret)).status, 401);
  });
});

describe('Admin REST API: refusals', () => {
  it('401 without a token, with garbage, with Basic: one body, no WWW-Authenticate', async () => {
    for (const authorization of [undefined, 'Bearer garbage', 'Basic dGVzdDp0ZXN0']) {
      const res = await fetch(`${base}/admin/realms/master`, { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), null);
      assert.deepEqual(await res.json(), { error: 'HTTP 401 Unauthorized' });
    }
  });

  it('403 with a valid token that holds no admin right; 404 for an unknown realm', async () => {
    // The demo realm's product-sa-client has no realm-management role.
    const demo = (await token('demo', 'product-sa-client', 'password')).body.access_token as string;
    const res = await raw('GET', '/admin/realms/demo/clients', { token: demo });
    assert.deepEqual([res.status, res.body], [403, { error: 'HTTP 403 Forbidden' }]);
    assert.deepEqual((await raw('GET', '/admin/realms/master', { token: demo })).status, 403);
    assert.deepEqual((await raw('POST', '/admin/realms', { token: demo, body: '{"realm":"x"}' })).status, 403);
    const missing = await raw('GET', '/admin/realms/no-such-realm', { token: adminToken });
    assert.deepEqual([missing.status, missing.body], [404, { error: 'Realm not found.' }]);
  });

  it('answers reads with JSON in UTF-8 and no-cache, under /admin and /auth/admin, with a trailing slash', async () => {
    for (const path of ['/admin/realms/', '/auth/admin/realms']) {
      const res = await raw('GET', path, { token: adminToken });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8');
      assert.equal(res.headers.get('cache-control'), 'no-cache');
    }
    const info = (await raw('GET', '/admin/serverinfo', { token: adminToken })).body as { systemInfo: { version: string } };
    assert.match(info.systemInfo.version, /^26\./);
  });

  it('a body that is not JSON is 400 Cannot parse the JSON; a duplicate realm 409', async () => {
    const res = await raw('POST', '/admin/realms', { token: adminToken, body: '{"realm":' });
    assert.deepEqual([res.status, res.body], [400, { error: 'invalid_request', error_description: 'Cannot parse the JSON' }]);
    const dup = await raw('POST', '/admin/realms', { token: adminToken, body: JSON.stringify({ realm: 'demo' }) });
    assert.deepEqual([dup.status, dup.body], [409, { errorMessage: 'Conflict detected. See logs for details' }]);
    const master = await raw('DELETE', '/admin/realms/master', { token: adminToken });
    assert.deepEqual([master.status, master.body], [400, { errorMessage: "Can't remove master realm" }]);
  });
});
