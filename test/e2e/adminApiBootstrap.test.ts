/**
 * Bootstrap as Keycloak 26 does it (`sa-admin bootstrap-admin service`), the upgrade step for
 * realms made before the Admin REST API, realm-scoped administration through `realm-management`
 * roles, and one implementation of administration: what sa-admin does, the API sees at once.
 */
import { secretsKeyAlias, signingKeyAliases, tableNames } from '../../lib/deployment/stageNames.js';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addMappings } from '../../lib/admin/mappings.js';
import { createAdminContext, type AdminContext } from '../../lib/admin/context.js';
import { readFile } from 'node:fs/promises';
import { ensureAdministration } from '../../lib/admin/realmManagement.js';
import { importRealm, parseRealmExport } from '../../lib/admin/realmImport.js';
import { adminCli } from '../support/adminCli.js';
import { DEMO_REALM_FILE } from '../../infra/local/stack.js';
import { freshStack } from '../support/localAws.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const { cli, ok, fails } = adminCli(() => tableNames('test').clients);
const ctx = (): AdminContext =>
  createAdminContext({
    names: { stage: 'test', service: 'sa-token-service', clientsTable: tableNames('test').clients, signingKeyAliases: signingKeyAliases('test'), secretsKeyId: secretsKeyAlias('test') },
  });

async function token(realm: string, clientId: string, secret: string) {
  const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string } };
}

async function api(method: string, path: string, bearer: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), body: text === '' ? undefined : (JSON.parse(text) as any) };
}

describe('sa-admin bootstrap-admin service', () => {
  const clientId = `boot-${randomUUID().slice(0, 8)}`;
  const secret = randomUUID();

  it('creates a confidential admin client in master from KC_BOOTSTRAP_ADMIN_CLIENT_SECRET, whose token administers every realm', async () => {
    const run = await ok(['bootstrap-admin', 'service', '--client-id', clientId], { env: { KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: secret } });
    assert.ok(!run.stdout.includes(secret), 'the secret is never printed');
    const got = await token('master', clientId, secret);
    assert.equal(got.status, 200);
    assert.equal((await api('GET', '/admin/realms/demo', got.body.access_token!)).status, 200);
  });

  it('refuses an existing client (exit 1, nothing changed) unless --force-secret, which sets the new secret', async () => {
    await fails(['bootstrap-admin', 'service', '--client-id', clientId], 1, /already exists/, { env: { KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: 'other' } });
    assert.equal((await token('master', clientId, secret)).status, 200);
    // Keycloak's own spelling of the option, reading another variable.
    await ok(['bootstrap-admin', 'service', '--client-id', clientId, '--client-secret:env=MY_ADMIN_SECRET', '--force-secret'], { env: { MY_ADMIN_SECRET: 'rotated-secret' } });
    assert.equal((await token('master', clientId, secret)).status, 401);
    assert.equal((await token('master', clientId, 'rotated-secret')).status, 200);
  });

  it('is a usage error without a secret in the environment', async () => {
    const run = await cli(['bootstrap-admin', 'service', '--client-id', 'x'], { env: { KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: '' } });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /KC_BOOTSTRAP_ADMIN_CLIENT_SECRET holds no secret/);
  });
});

describe('realm-scoped administration and one implementation', () => {
  const realm = `scoped-${randomUUID().slice(0, 8)}`;
  let master: string;
  let viewer: string;

  before(async () => {
    const clientId = `boot-${randomUUID().slice(0, 8)}`;
    await ok(['bootstrap-admin', 'service', '--client-id', clientId], { env: { KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: 's3cret-boot' } });
    master = (await token('master', clientId, 's3cret-boot')).body.access_token!;
    assert.equal((await api('POST', '/admin/realms', master, { realm })).status, 201);
    // A client of the realm itself holding realm-management's view-clients (composite of query-clients).
    const created = await api('POST', `/admin/realms/${realm}/clients`, master, { clientId: 'auditor', serviceAccountsEnabled: true, secret: 'auditor-secret' });
    assert.equal(created.status, 201);
    await addMappings(ctx(), realm, 'auditor', 'serviceAccount', [{ client: 'realm-management', name: 'view-clients' }]);
    viewer = (await token(realm, 'auditor', 'auditor-secret')).body.access_token!;
  });

  it('a realm token with view-clients reads its realm clients, without secrets, and nothing else', async () => {
    const listed = await api('GET', `/admin/realms/${realm}/clients?clientId=auditor`, viewer);
    assert.equal(listed.status, 200);
    assert.equal(listed.body[0].clientId, 'auditor');
    const one = await api('GET', `/admin/realms/${realm}/clients/${listed.body[0].id}`, viewer);
    assert.equal(one.status, 200);
    assert.equal(one.body.secret, undefined, 'the secret only for manage-clients');
    assert.deepEqual(one.body.access, { view: true, configure: false, manage: false });
    assert.equal((await api('GET', `/admin/realms/${realm}/clients/${listed.body[0].id}/client-secret`, viewer)).status, 403);
    assert.equal((await api('POST', `/admin/realms/${realm}/clients`, viewer, { clientId: 'x' })).status, 403);
    assert.equal((await api('PUT', `/admin/realms/${realm}`, viewer, { enabled: false })).status, 403);
    assert.equal((await api('GET', '/admin/realms/demo/clients', viewer)).status, 403, 'another realm');
    // An unknown client id is 404 for a caller who may list clients.
    assert.deepEqual(await api('DELETE', `/admin/realms/${realm}/clients/${randomUUID()}`, viewer), { status: 404, location: null, body: { error: 'Could not find client' } });
    assert.deepEqual((await api('GET', '/admin/realms', viewer)).body, [{ realm }], 'a realm it holds no view-realm right in is listed by name');
  });

  it('realm-management is internal: readable, never changed or deleted', async () => {
    const [management] = (await api('GET', `/admin/realms/${realm}/clients?clientId=realm-management`, master)).body;
    assert.equal((await api('PUT', `/admin/realms/${realm}/clients/${management.id}`, master, { enabled: false })).status, 403);
    assert.equal((await api('DELETE', `/admin/realms/${realm}/clients/${management.id}`, master)).status, 403);
  });

  it('what sa-admin does the API sees at once, with the same rules', async () => {
    await ok(['client', 'create', realm, 'from-cli', '--service-accounts']);
    const [fromCli] = (await api('GET', `/admin/realms/${realm}/clients?clientId=from-cli`, master)).body;
    assert.equal(fromCli.serviceAccountsEnabled, true);
    const secret = await api('GET', `/admin/realms/${realm}/clients/${fromCli.id}/client-secret`, master);
    assert.equal(typeof secret.body.value, 'string', 'a secret sa-admin generated is readable through the API');
    assert.deepEqual((await api('POST', `/admin/realms/${realm}/clients`, master, { clientId: 'from-cli' })).body, { errorMessage: 'Client from-cli already exists' });
    await fails(['client', 'create', realm, 'auditor'], 1, /already exists/);
    await fails(['realm', 'delete', 'master', '--yes'], 1, /Can't remove master realm/);
  });
});

describe('the upgrade step for realms made before the Admin REST API', () => {
  it('adds realm-management and its roles once; a second run changes nothing', async () => {
    const stack = await freshStack();
    const local = { ...ctx(), table: stack.table };
    // A realm as imported before the Admin REST API: its items written, no realm-management (the
    // demo realm is now seeded complete, so a copy of its file is written without that step).
    const json = JSON.parse(await readFile(DEMO_REALM_FILE, 'utf8')) as Record<string, unknown>;
    await importRealm(stack.table, await parseRealmExport({ ...json, realm: 'legacy', id: undefined }, { hashSecrets: false }));
    const added = await ensureAdministration(local, 'legacy');
    assert.ok(added.includes('client realm-management'));
    assert.ok(added.includes('role realm-management:realm-admin'));
    assert.equal(added.length, 1 + 19);
    assert.deepEqual(await ensureAdministration(local, 'legacy'), []);
    assert.deepEqual(await ensureAdministration(local, 'demo'), [], 'the seeded demo realm is complete');
  });
});
