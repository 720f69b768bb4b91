import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { stageNames, secretsKeyAlias } from '../../infra/seed.js';
import { createClient, deleteClient } from '../../lib/admin/clients.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { importRealmExport } from '../../lib/admin/realmImport.js';
import { createRealm } from '../../lib/admin/realms.js';
import { ADMIN_ROUTES } from '../../lib/adminApi/allFamilies.js';
import { AdminRouter } from '../../lib/adminApi/router.js';
import { createAdminRuntime } from '../../lib/adminRuntime.js';
import { introspect } from '../../lib/grants/introspect.js';
import { logout } from '../../lib/grants/logout.js';
import { revoke } from '../../lib/grants/revoke.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import { apiEvent, basic, FORM } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * Issue 17 F5 (and F2's binding half), end to end on DynamoDB Local and the local KMS: a token is
 * its client's, not its clientId's. Delete a client, create one with the same clientId, and
 * nothing the first one was given works for anyone: not at introspection, not at the Admin API,
 * not as a refresh token, and revoke or logout with it touch nothing.
 */
const REALM = 'rebind';
const OIDC = `/realms/${REALM}/protocol/openid-connect`;
let stack: TestStack;
let ctx: AdminContext;
let admin: (token: string, path: string) => Promise<{ status: number; body: any }>;
/** What the admin function wrote to stdout (its audit trail). */
const adminLog: string[] = [];

function endpoint(fn: Endpoint) {
  const handler = httpHandler(fn, { noStore: true, log: () => undefined });
  return async (path: string, body: string, auth: string) => {
    const res = await handler(apiEvent({ path, realm: REALM, headers: { ...FORM, authorization: auth }, body }));
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
const token = endpoint((r) => tokenEndpoint(stack.runtime, r, tokenGrants));
const introspectCall = endpoint((r) => introspect(stack.runtime, r));
const revokeCall = endpoint((r) => revoke(stack.runtime, r));
const logoutCall = endpoint((r) => logout(stack.runtime, r));

/** A realm-management `view-clients` service account, with or without refresh tokens. */
async function makeClient(clientId: string, refreshTokens: boolean): Promise<string> {
  const { secret } = await createClient(
    ctx,
    REALM,
    clientId,
    { serviceAccountsEnabled: true, attributes: refreshTokens ? { 'client_credentials.use_refresh_token': 'true' } : {} },
    { serviceAccountRoles: { realm: [], client: { 'realm-management': ['view-clients'] } } },
  );
  return basic(clientId, secret!);
}

before(async () => {
  stack = await freshStack();
  ctx = { names: stageNames('test', stack.table.tableName), table: stack.table, kms: stack.kms, now: () => Math.floor(Date.now() / 1000) };
  await createRealm(ctx, REALM);
  const runtime = createAdminRuntime({
    env: { CLIENTS_TABLE: stack.table.tableName, SESSIONS_TABLE: stack.runtime.config.sessionsTable, SECRETS_KEY_ID: secretsKeyAlias('test'), LOCAL_STAGE: 'true' },
    dynamodb: new DynamoDBClient({}),
    kms: new KMSClient({}),
  });
  const router = new AdminRouter(ADMIN_ROUTES);
  const handler = httpHandler((request) => router.handle(runtime.deps, request), { log: () => undefined });
  admin = async (bearer, path) => {
    const original = console.log;
    console.log = (line: string) => void adminLog.push(line);
    try {
      const res = await handler(apiEvent({ method: 'GET', path, headers: { authorization: `Bearer ${bearer}`, 'user-agent': 'integration-test' } }));
      return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
    } finally {
      console.log = original;
    }
  };
});

describe('a re-created client inherits nothing of the deleted one (issue 17 F5)', () => {
  it('old access tokens: inactive at introspection, 401 at the Admin API; old refresh token: invalid_grant', async () => {
    const before = { stateless: await makeClient('rebound', false), withSession: await makeClient('rebound-rt', true) };
    const stateless = await token(`${OIDC}/token`, 'grant_type=client_credentials', before.stateless);
    const withSession = await token(`${OIDC}/token`, 'grant_type=client_credentials', before.withSession);
    assert.equal(stateless.status, 200);
    assert.ok(withSession.body.refresh_token, 'the second client has refresh tokens');
    for (const [access, auth] of [[stateless.body.access_token, before.stateless], [withSession.body.access_token, before.withSession]] as const) {
      assert.equal((await admin(access, `/admin/realms/${REALM}/clients`)).status, 200, 'works before the delete');
      assert.equal((await introspectCall(`${OIDC}/token/introspect`, `token=${access}`, auth)).body.active, true);
    }

    await deleteClient(ctx, REALM, 'rebound');
    await deleteClient(ctx, REALM, 'rebound-rt');
    const after = { stateless: await makeClient('rebound', false), withSession: await makeClient('rebound-rt', true) };
    const stored = await stack.table.getClient(REALM, 'rebound');
    assert.notEqual(stored?.serviceAccount?.id, JSON.parse(Buffer.from(stateless.body.access_token.split('.')[1], 'base64url').toString()).sub, 'a fresh service-account user');

    for (const [access, auth] of [[stateless.body.access_token, after.stateless], [withSession.body.access_token, after.withSession]] as const) {
      adminLog.length = 0;
      assert.equal((await admin(access, `/admin/realms/${REALM}/clients`)).status, 401);
      // Issue 17 F4: the refusal is an admin event with its source, and the token is not in it.
      const event = JSON.parse(adminLog.find((line) => line.includes('admin event'))!);
      assert.deepEqual([event.error, event.status, event.realm, event.ipAddress, event.userAgent], ['invalid_token', 401, REALM, '127.0.0.1', 'integration-test']);
      assert.match(event.requestId, /^[0-9a-f-]{36}$/);
      assert.ok(!adminLog.join('\n').includes(access.split('.')[2]!), 'no token in the log');
      assert.deepEqual((await introspectCall(`${OIDC}/token/introspect`, `token=${access}`, auth)).body, { active: false });
    }
    const oldRefresh = encodeURIComponent(withSession.body.refresh_token);
    assert.deepEqual((await introspectCall(`${OIDC}/token/introspect`, `token=${oldRefresh}`, after.withSession)).body, { active: false });
    const refreshed = await token(`${OIDC}/token`, `grant_type=refresh_token&refresh_token=${oldRefresh}`, after.withSession);
    assert.equal(refreshed.status, 400);
    assert.equal(refreshed.body.error, 'invalid_grant');
    // Revoke and logout with the old credentials answer as for a token that is gone, and end nothing of the new client's.
    const fresh = await token(`${OIDC}/token`, 'grant_type=client_credentials', after.withSession);
    assert.equal((await revokeCall(`${OIDC}/revoke`, `token=${stateless.body.access_token}`, after.stateless)).status, 200);
    assert.equal((await logoutCall(`${OIDC}/logout`, `refresh_token=${oldRefresh}`, after.withSession)).status, 204);
    assert.equal((await admin(fresh.body.access_token, `/admin/realms/${REALM}/clients`)).status, 200, 'the new client’s own token works');
    const again = await token(`${OIDC}/token`, `grant_type=refresh_token&refresh_token=${encodeURIComponent(fresh.body.refresh_token)}`, after.withSession);
    assert.equal(again.status, 200);
  });

  it('an import keeps the ids a client has, and gives a client it re-creates fresh ones', async () => {
    const file = {
      realm: REALM,
      clients: [{ clientId: 'imported', secret: 'imported-secret-0123456789', serviceAccountsEnabled: true }],
      users: [{ username: 'service-account-imported', serviceAccountClientId: 'imported' }],
    };
    await importRealmExport(ctx, file);
    const auth = basic('imported', 'imported-secret-0123456789');
    const first = (await token(`${OIDC}/token`, 'grant_type=client_credentials', auth)).body.access_token;
    await importRealmExport(ctx, file);
    assert.equal((await introspectCall(`${OIDC}/token/introspect`, `token=${first}`, auth)).body.active, true, 'same client: same ids');
    await deleteClient(ctx, REALM, 'imported');
    await importRealmExport(ctx, file);
    assert.deepEqual((await introspectCall(`${OIDC}/token/introspect`, `token=${first}`, auth)).body, { active: false }, 'another client');
  });

  it('a disabled client’s token stops at the Admin API at once', async () => {
    const auth = await makeClient('soon-disabled', false);
    const access = (await token(`${OIDC}/token`, 'grant_type=client_credentials', auth)).body.access_token;
    assert.equal((await admin(access, `/admin/realms/${REALM}/clients`)).status, 200);
    const client = (await stack.table.getClient(REALM, 'soon-disabled'))!;
    await stack.table.putClient({ ...client, enabled: false });
    assert.equal((await admin(access, `/admin/realms/${REALM}/clients`)).status, 401);
  });
});
