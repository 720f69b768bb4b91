/**
 * Groups through the Admin REST API end to end (serverless offline): Keycloak's admin client's
 * `groups.*` and `users.addToGroup/delFromGroup/listGroups`, the Terraform provider's
 * `keycloak_realm` (its exact body, `defaultSignatureAlgorithm: ""` included) and
 * `data "keycloak_openid_client"` for realm-management; then tokens from the token endpoint show
 * that roles mapped to a group reach its members, subgroups included, and leave when they do.
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt } from 'jose';
import { tableNames } from '../../infra/local/tables.js';
import { secretsKeyAlias, signingKeyAliases } from '../../infra/seed.js';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { createRealm, deleteRealm } from '../../lib/admin/realms.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const adminId = `groups-admin-${randomUUID().slice(0, 8)}`;
const adminSecret = randomUUID();
const realm = `groups-${randomUUID().slice(0, 8)}`;
const tfRealm = `tf-realm-${randomUUID().slice(0, 8)}`;

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

/** The provider's own HTTP calls (keycloak/keycloak_client.go): JSON bodies, bearer token, ids from Location. */
async function provider(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${kc.accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location') ?? undefined, body: text === '' ? undefined : (JSON.parse(text) as any) };
}

let kc: KcAdminClient;
const worker = { uuid: '', secret: '', userId: '' };

before(async () => {
  await bootstrapAdminService(ctx(), adminId, adminSecret);
  kc = new KcAdminClient({ baseUrl: base, realmName: 'master' });
  await kc.auth({ grantType: 'client_credentials', clientId: adminId, clientSecret: adminSecret });
  await createRealm(ctx(), realm);
  kc.setConfig({ realmName: realm });
  ({ id: worker.uuid } = await kc.clients.create({ clientId: 'worker', serviceAccountsEnabled: true, publicClient: false, standardFlowEnabled: false }));
  worker.secret = (await kc.clients.getClientSecret({ id: worker.uuid })).value!;
  worker.userId = (await kc.clients.getServiceAccountUser({ id: worker.uuid })).id!;
});

after(async () => {
  await deleteRealm(ctx(), realm).catch(() => undefined);
  await deleteRealm(ctx(), tfRealm).catch(() => undefined);
});

describe('Admin REST API: groups with the Keycloak admin client', () => {
  it('roles mapped to a group reach the token of a service account in one of its subgroups, and leave with the membership', async () => {
    await kc.roles.create({ name: 'auditor' });
    const auditor = (await kc.roles.findOneByName({ name: 'auditor' }))!;
    const { id: apiUuid } = await kc.clients.create({ clientId: 'ledger-api', bearerOnly: true });
    await kc.clients.createRole({ id: apiUuid, name: 'ledger:read' });
    const ledgerRead = (await kc.clients.findRole({ id: apiUuid, roleName: 'ledger:read' }))!;

    const { id: finance } = await kc.groups.create({ name: 'finance', attributes: { cost: ['42'] } });
    const { id: audit } = await kc.groups.createChildGroup({ id: finance }, { name: 'audit' });
    await kc.groups.addRealmRoleMappings({ id: finance, roles: [{ id: auditor.id!, name: 'auditor' }] });
    await kc.groups.addClientRoleMappings({ id: finance, clientUniqueId: apiUuid!, roles: [{ id: ledgerRead.id!, name: 'ledger:read' }] });

    const before = await claims('worker', worker.secret);
    assert.ok(!before.realm_access?.roles.includes('auditor'));

    await kc.users.addToGroup({ id: worker.userId, groupId: audit });
    assert.deepEqual((await kc.users.listGroups({ id: worker.userId })).map((g) => g.path), ['/finance/audit']);
    assert.deepEqual(await kc.users.countGroups({ id: worker.userId }), { count: 1 });
    assert.deepEqual((await kc.groups.listMembers({ id: audit })).map((u) => u.username), ['service-account-worker']);
    const inGroup = await claims('worker', worker.secret);
    assert.ok(inGroup.realm_access.roles.includes('auditor'), JSON.stringify(inGroup.realm_access));
    assert.deepEqual(inGroup.resource_access['ledger-api'].roles, ['ledger:read']);

    await kc.users.delFromGroup({ id: worker.userId, groupId: audit });
    const left = await claims('worker', worker.secret);
    assert.ok(!left.realm_access?.roles.includes('auditor'));
    assert.equal(left.resource_access?.['ledger-api'], undefined);
  });

  it('finds, counts, lists, updates, moves and deletes groups', async () => {
    const { id: ops } = await kc.groups.create({ name: 'ops' });
    const { id: oncall } = await kc.groups.createChildGroup({ id: ops }, { name: 'oncall' });
    const one = (await kc.groups.findOne({ id: ops }))!;
    assert.equal(one.subGroupCount, 1);
    assert.equal(one.access?.manage, true);
    assert.deepEqual((await kc.groups.listSubGroups({ parentId: ops, first: 0, max: 10 })).map((g) => g.name), ['oncall']);
    const searched = await kc.groups.find({ search: 'oncall' });
    assert.deepEqual(searched.map((g) => g.subGroups?.map((s) => s.path)), [['/ops/oncall']]);
    assert.ok((await kc.groups.count()).count >= 2);

    await kc.groups.update({ id: oncall }, { name: 'on-call', attributes: { pager: ['yes'] } });
    assert.equal((await kc.groups.findOne({ id: oncall }))!.path, '/ops/on-call');
    assert.equal((await kc.groups.listRoleMappings({ id: ops })).realmMappings, undefined);

    await kc.groups.updateRoot({ id: oncall, name: 'on-call' });
    assert.equal((await kc.groups.findOne({ id: oncall }))!.path, '/on-call');
    await kc.groups.del({ id: ops });
    await kc.groups.del({ id: oncall });
    assert.equal(await kc.groups.findOne({ id: ops }), null);
    await assert.rejects(kc.groups.create({ name: 'a/b' }), (err: any) => err.response?.status === 400);
  });
});

describe('Terraform provider: keycloak_realm and data "keycloak_openid_client"', () => {
  it('creates, reads and updates a realm with only realm and enabled set, with the body the provider marshals', async () => {
    // keycloak.Realm marshalled by Go for `resource "keycloak_realm" { realm = …, enabled = true }`:
    // every field without omitempty is sent, nil slices and maps as null.
    const body = {
      realm: tfRealm, enabled: true, displayName: '', displayNameHtml: '', userManagedAccessAllowed: false,
      registrationAllowed: false, registrationEmailAsUsername: false, editUsernameAllowed: false, resetPasswordAllowed: false,
      rememberMe: false, verifyEmail: false, loginWithEmailAllowed: true, duplicateEmailsAllowed: false, sslRequired: 'external',
      smtpServer: {}, defaultSignatureAlgorithm: '', revokeRefreshToken: false, refreshTokenMaxReuse: 0,
      internationalizationEnabled: false, supportedLocales: null, defaultLocale: '', attributes: {},
      browserSecurityHeaders: { contentSecurityPolicy: '', contentSecurityPolicyReportOnly: '', strictTransportSecurity: '', xContentTypeOptions: '', xFrameOptions: '', xRobotsTag: '', xXSSProtection: '', referrerPolicy: '' },
      bruteForceProtected: false, permanentLockout: false, failureFactor: 0, waitIncrementSeconds: 0, quickLoginCheckMilliSeconds: 0,
      minimumQuickLoginWaitSeconds: 0, maxFailureWaitSeconds: 0, maxDeltaTimeSeconds: 0, passwordPolicy: '', otpPolicyCodeReusable: false,
      webAuthnPolicyAcceptableAaguids: null, webAuthnPolicyAttestationConveyancePreference: '', webAuthnPolicyAuthenticatorAttachment: '',
      webAuthnPolicyAvoidSameAuthenticatorRegister: false, webAuthnPolicyCreateTimeout: 0, webAuthnPolicyRequireResidentKey: '',
      webAuthnPolicyRpEntityName: '', webAuthnPolicyRpId: '', webAuthnPolicySignatureAlgorithms: null, webAuthnPolicyUserVerificationRequirement: '',
    };
    const created = await provider('POST', '/realms', body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const read = await provider('GET', `/realms/${tfRealm}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.defaultSignatureAlgorithm, 'RS256');
    // Keycloak's realm read has no default client-scope lists; the provider would plan them away on every run.
    assert.equal(read.body.defaultDefaultClientScopes, undefined);
    assert.equal(read.body.defaultOptionalClientScopes, undefined);
    const updated = await provider('PUT', `/realms/${tfRealm}`, { ...body, displayName: 'TF' });
    assert.equal(updated.status, 204, JSON.stringify(updated.body));
    assert.equal((await provider('GET', `/realms/${tfRealm}`)).body.displayName, 'TF');
  });

  it('reads realm-management by clientId, then its client-secret, as GetOpenidClientByClientId does', async () => {
    const found = await provider('GET', `/realms/${realm}/clients?clientId=realm-management`);
    assert.equal(found.body.length, 1);
    const secret = await provider('GET', `/realms/${realm}/clients/${found.body[0].id}/client-secret`);
    assert.deepEqual([secret.status, secret.body], [200, { type: 'secret' }]);
  });
});
