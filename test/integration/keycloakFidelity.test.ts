/**
 * A Keycloak 26 realm export with protocol mappers of every common kind (audience, hardcoded claim,
 * user attribute, group membership, custom role claims, role-name and hardcoded-role edits), nested
 * groups with attributes and roles, service-account attributes, a client without the standard
 * scopes, a lightweight client, a permission-gated scope and a mapper type this service does not
 * know. Imported into DynamoDB Local and asked for tokens through the real token and introspection
 * endpoints; each client's claim set is the one keycloak-mappers.md says Keycloak 26 gives.
 */
import { signingKeyAliases } from '../../lib/deployment/stageNames.js';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { introspect } from '../../lib/grants/introspect.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { importRealm, parseRealmExport, type ParsedRealm } from '../../lib/admin/realmImport.js';
import { exportRealm } from '../../lib/admin/realmExport.js';
import { createSigningKey } from '../../lib/signing/keys.js';
import { apiEvent, basic, FORM } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

const FIXTURE = new URL('../fixtures/keycloak26-realm.json', import.meta.url);
const BASE = ['exp', 'iat', 'jti', 'iss', 'sub', 'typ', 'azp', 'scope'];

let stack: TestStack;
let token: ReturnType<typeof httpHandler>;
let introspection: ReturnType<typeof httpHandler>;
let parsed: ParsedRealm;
let fixture: Record<string, any>;

async function load(realm: string, json: Record<string, any>): Promise<ParsedRealm> {
  const result = await parseRealmExport({ ...json, realm });
  await importRealm(stack.table, result);
  for (const alg of ['RS256', 'ES256'] as const) {
    await createSigningKey(stack.kms, stack.table, realm, { alg, mode: 'kms', kmsKeyId: signingKeyAliases('test')[alg], retainPreviousFor: 0, now: Math.floor(Date.now() / 1000) });
  }
  return result;
}

async function grant(realm: string, clientId: string, secret: string, scope?: string) {
  const res = await token(apiEvent({
    path: `/realms/${realm}/protocol/openid-connect/token`, realm, headers: { ...FORM, authorization: basic(clientId, secret) },
    body: `grant_type=client_credentials${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`, sourceIp: '192.0.2.7',
  }));
  const body = JSON.parse(res.body!);
  assert.equal(res.statusCode, 200, JSON.stringify(body));
  return { body, claims: decodeJwt(body.access_token) as Record<string, any> };
}

async function inspect(realm: string, accessToken: string, clientId: string, secret: string) {
  const res = await introspection(apiEvent({
    path: `/realms/${realm}/protocol/openid-connect/token/introspect`, realm, headers: { ...FORM, authorization: basic(clientId, secret) },
    body: `token=${encodeURIComponent(accessToken)}`,
  }));
  return JSON.parse(res.body!) as Record<string, any>;
}

const keys = (claims: Record<string, unknown>) => Object.keys(claims).sort();
const set = (values: unknown) => new Set(values as string[]);

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
  token = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  introspection = httpHandler((request) => introspect(stack.runtime, request), { noStore: true, log: () => undefined });
  fixture = JSON.parse(await readFile(FIXTURE, 'utf8'));
  parsed = await load('fidelity', fixture);
});

describe('import of a Keycloak 26 export with protocol mappers and groups', () => {
  it('keeps every mapper, reports the unknown types once, and skips no protocolMappers', () => {
    assert.ok(!parsed.skipped.some((line) => line.includes('protocolMappers')), parsed.skipped.join('\n'));
    const unknown = parsed.notes.filter((note) => note.includes('never applied'));
    assert.equal(unknown.length, 1, parsed.notes.join('\n'));
    assert.match(unknown[0]!, /script-legacy-claims\.js \(1\)/);
    assert.match(unknown[0]!, /oidc-address-mapper \(1\)/);
    assert.equal(parsed.counts.groups, 3);
    assert.equal(parsed.counts.protocolMappers, 48, 'every mapper of the file, of clients and client scopes');
  });

  it('exports the mappers (unknown ones too), groups, users and ids back', async () => {
    const exported = await exportRealm(stack.table, 'fidelity');
    const legacy = (exported.clients as any[]).find((c) => c.clientId === 'legacy-service');
    assert.deepEqual(legacy.protocolMappers.map((m: any) => m.protocolMapper), ['script-legacy-claims.js', 'oidc-usermodel-attribute-mapper']);
    assert.equal(exported.id, fixture.id);
    const engineering = (exported.groups as any[]).find((g) => g.name === 'engineering');
    assert.equal(engineering.id, fixture.groups[0].id);
    assert.deepEqual(engineering.subGroups.map((g: any) => g.path), ['/engineering/payments']);
    assert.deepEqual(engineering.attributes, { region: ['eu-west-1'], team: ['platform'] });
    const orders = (exported.users as any[]).find((u) => u.serviceAccountClientId === 'orders-service');
    assert.equal(orders.email, 'orders@example.com');
    assert.deepEqual(orders.attributes, { department: ['finance'], cost_center: ['cc-1', 'cc-2'] });
    assert.deepEqual(orders.groups, ['/engineering/payments']);
    const orderClient = (exported.clients as any[]).find((c) => c.clientId === 'orders-service');
    assert.equal(orderClient.id, fixture.clients[1].id);
    assert.deepEqual(orderClient.redirectUris, [], 'representation fields kept in extra');
    assert.equal(orderClient.secret, undefined);
  });
});

describe('tokens of each client, as Keycloak 26 builds them', () => {
  it('orders-service: audiences, hardcoded, attribute, group and custom role claims; role edits; standard scopes', async () => {
    const { body, claims } = await grant('fidelity', 'orders-service', 'orders-secret');
    assert.deepEqual(keys(claims), [
      ...BASE, 'acr', 'api', 'aud', 'billing.cost_centers', 'clientAddress', 'clientHost', 'client_id', 'dept', 'email', 'email_verified', 'family_name',
      'given_name', 'groups', 'name', 'preferred_username', 'realm_access', 'region', 'resource_access', 'teams', 'tenant',
    ].sort());
    assert.equal(claims.scope, 'profile email');
    assert.deepEqual(set(claims.aud), set(['product-api', 'https://billing.example.com', 'audit-api']));
    assert.deepEqual(claims.tenant, { id: 42, name: 'acme' });
    assert.equal(claims.dept, 'finance');
    assert.deepEqual(claims['billing.cost_centers'], ['cc-1', 'cc-2']);
    assert.equal(claims.region, 'eu-west-1', "the parent group's attribute");
    assert.deepEqual(set(claims.teams), set(['payments', 'platform']));
    assert.deepEqual(claims.groups, ['/engineering/payments']);
    assert.deepEqual(set(claims.api.roles), set(['product:write', 'product:read']));
    assert.deepEqual(set(claims.realm_access.roles), set(['default-roles-fidelity', 'offline_access', 'uma_authorization', 'developer']));
    assert.deepEqual(set(claims.resource_access['product-api'].roles), set(['write', 'read']));
    assert.deepEqual(claims.resource_access['audit-api'], { roles: ['viewer'] });
    assert.equal(claims.name, 'Orders Service');
    assert.equal(claims.email_verified, false);
    assert.equal(claims.acr, '1');
    assert.equal(claims.clientAddress, '192.0.2.7');
    assert.equal(claims.sub, fixture.users[0].id);
    assert.deepEqual(body.tenant, { id: 42 }, 'the token-response mapper');
  });

  it('orders-service ID token: ID-token mappers only, aud the client', async () => {
    const { body } = await grant('fidelity', 'orders-service', 'orders-secret', 'openid');
    const id = decodeJwt(body.id_token) as Record<string, any>;
    assert.deepEqual(keys(id), [
      'acr', 'at_hash', 'aud', 'azp', 'billing.cost_centers', 'clientAddress', 'clientHost', 'client_id', 'dept', 'email', 'email_verified', 'exp', 'family_name',
      'given_name', 'groups', 'iat', 'iss', 'jti', 'name', 'preferred_username', 'region', 'sub', 'teams', 'tenant', 'typ',
    ]);
    assert.equal(id.aud, 'orders-service');
  });

  it('bare-service: without profile, email, acr, roles or basic it gets only the base claims', async () => {
    const { body, claims } = await grant('fidelity', 'bare-service', 'bare-secret');
    assert.deepEqual(keys(claims), [...BASE].sort());
    assert.equal(claims.scope, '');
    assert.equal(body.scope, '');
    assert.equal((await grant('fidelity', 'bare-service', 'bare-secret', 'phone')).claims.scope, 'phone');
  });

  it('light-service: a lightweight access token keeps only lightweight claims; introspection gives the full view', async () => {
    const { body, claims } = await grant('fidelity', 'light-service', 'light-secret');
    assert.deepEqual(keys(claims), [...BASE, 'tier'].sort());
    const info = await inspect('fidelity', body.access_token, 'orders-service', 'orders-secret');
    assert.equal(info.active, true);
    assert.equal(info.tier, 'light');
    assert.deepEqual(info.resource_access, { 'product-api': { roles: ['read'] } });
    assert.equal(info.aud, 'product-api');
    assert.equal(info.preferred_username, 'service-account-light-service');
    assert.equal(info.username, 'service-account-light-service');
    assert.equal(info.client_id, 'light-service');
    assert.equal(info.acr, '1');
    assert.equal(info.clientHost, undefined, 'no session notes when introspection rebuilds a session-less token');
  });

  it('gated-service and partner-service: a scope with role scope mappings needs one of its roles (held here through a group)', async () => {
    const gated = await grant('fidelity', 'gated-service', 'gated-secret');
    assert.deepEqual(keys(gated.claims), [...BASE].sort());
    assert.equal(gated.claims.scope, '');
    const partner = await grant('fidelity', 'partner-service', 'partner-secret');
    assert.deepEqual(keys(partner.claims), [...BASE, 'partner'].sort());
    assert.equal(partner.claims.partner, true);
    assert.equal(partner.claims.scope, 'partner');
  });

  it('legacy-service: a mapper of an unknown type is never applied', async () => {
    const { claims } = await grant('fidelity', 'legacy-service', 'legacy-secret');
    assert.deepEqual(keys(claims), [...BASE, 'acr', 'tier'].sort());
    assert.equal(claims.tier, 'gold');
  });
});

describe('an export without clientScopes', () => {
  it("gets Keycloak's built-in scopes with their mappers: the same standard claims", async () => {
    const { clientScopes: _scopes, ...withoutScopes } = fixture;
    // The custom `partner` scope goes with the others.
    await load('builtin', { ...withoutScopes, scopeMappings: [{ clientScope: 'offline_access', roles: ['offline_access'] }] });
    const { claims } = await grant('builtin', 'orders-service', 'orders-secret');
    const original = (await grant('fidelity', 'orders-service', 'orders-secret')).claims;
    assert.deepEqual(keys(claims), keys(original));
  });
});

describe("an older Keycloak's export is migrated as Keycloak 26.1+ imports it", () => {
  /** The fixture as Keycloak 26.0 exports it: no `service_account` scope, on the realm or its clients. */
  function as26_0(version = '26.0.7'): Record<string, any> {
    const copy = structuredClone(fixture);
    copy.keycloakVersion = version;
    copy.clientScopes = copy.clientScopes.filter((scope: { name: string }) => scope.name !== 'service_account');
    for (const client of copy.clients) client.defaultClientScopes = client.defaultClientScopes?.filter((name: string) => name !== 'service_account');
    return copy;
  }

  it('26.0: the service_account scope is added to the realm and its service-account clients, so tokens carry client_id, clientHost, clientAddress', async () => {
    const result = await load('from260', as26_0());
    assert.ok(result.notes.some((note) => note.includes("'service_account'") && note.includes('26.0.7')), result.notes.join('\n'));
    const { claims } = await grant('from260', 'orders-service', 'orders-secret');
    const original = (await grant('fidelity', 'orders-service', 'orders-secret')).claims;
    assert.deepEqual(keys(claims), keys(original));
    assert.equal(claims.client_id, 'orders-service');
    assert.equal(claims.clientAddress, '192.0.2.7');
  });

  it('26.1 and later: the export is taken as it is', async () => {
    const result = await load('from262', as26_0('26.2.5'));
    assert.ok(!result.notes.some((note) => note.includes('service_account')), result.notes.join('\n'));
    const { claims } = await grant('from262', 'orders-service', 'orders-secret');
    assert.equal(claims.client_id, undefined);
    assert.equal(claims.clientAddress, undefined);
  });
});
