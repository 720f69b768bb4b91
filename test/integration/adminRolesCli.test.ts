/**
 * sa-admin's role rename and attributes and its client-scope commands, which call the same
 * operations as the Admin REST API (lib/admin/roles.ts, lib/admin/clientScopes.ts): checked in
 * DynamoDB Local and in the next token (realm cache TTL 0).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { adminCliInProcess } from '../support/adminCli.js';
import { basicGrant } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

let stack: TestStack;
let handler: ReturnType<typeof httpHandler>;
const { ok, json, fails } = adminCliInProcess(() => stack.table.tableName);

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
  handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
});

async function realmRoles(clientId: string, secret: string): Promise<string[]> {
  const res = await basicGrant(handler, 'demo', clientId, secret);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (decodeJwt(res.body.access_token) as { realm_access?: { roles: string[] } }).realm_access?.roles ?? [];
}

describe('role update --rename and --attribute', () => {
  it('a rename keeps the id and every mapping follows into the next token; attributes are lists', async () => {
    const created = await json(['role', 'create', 'demo', 'billing-reader']);
    const { secret } = await json(['client', 'create', 'demo', 'billing-job', '--service-accounts']);
    await ok(['sa', 'grant', 'demo', 'billing-job', 'billing-reader']);
    assert.ok((await realmRoles('billing-job', secret)).includes('billing-reader'));

    const renamed = await json(['role', 'update', 'demo', 'billing-reader', '--rename', 'invoice-reader', '--attribute', 'team=billing', 'team=finance']);
    assert.equal(renamed.id, created.id);
    assert.deepEqual(renamed.attributes, { team: ['billing', 'finance'] });
    const roles = await realmRoles('billing-job', secret);
    assert.ok(roles.includes('invoice-reader') && !roles.includes('billing-reader'));
    assert.deepEqual((await stack.table.getClient('demo', 'billing-job'))!.serviceAccount!.roles.realm.sort(), ['default-roles-demo', 'invoice-reader']);
    await fails(['role', 'update', 'demo', 'invoice-reader', '--rename', 'default-roles-demo'], 1, /already exists/);
    await fails(['role', 'update', 'demo', 'invoice-reader', '--attribute', 'novalue'], 2, /KEY=VALUE/);
  });
});

describe('client-scope', () => {
  it('create, list with ids, rename followed by clients, delete refused while in use', async () => {
    const created = await json(['client-scope', 'create', 'demo', 'reports', '--no-in-token-scope', '--description', 'Reports API']);
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.attributes, { 'include.in.token.scope': 'false' });
    assert.equal(created.includeInTokenScope, false);
    const listed = await json(['client-scope', 'list', 'demo']);
    assert.equal(listed.find((scope: { name: string }) => scope.name === 'reports').id, created.id);
    // Every scope has an id, the built-in ones included.
    assert.ok(listed.every((scope: { id?: string }) => /^[0-9a-f-]{36}$/.test(scope.id ?? '')));

    await fails(['client-scope', 'create', 'demo', 'reports'], 1, /already exists/);
    await fails(['client-scope', 'create', 'demo', 'two words'], 1, /not a valid client scope name/);
    await fails(['client-scope', 'delete', 'demo', 'profile'], 1, /in use/);

    const renamed = await json(['client-scope', 'update', 'demo', 'profile', '--rename', 'profile-v2']);
    assert.equal(renamed.name, 'profile-v2');
    assert.ok((await stack.table.getClient('demo', 'billing-job'))!.defaultClientScopes.includes('profile-v2'));
    const scopes = (await stack.table.listClientScopes('demo')).filter((scope) => scope.name.startsWith('profile'));
    assert.deepEqual(scopes.map((scope) => scope.name), ['profile-v2'], 'the item moved to its new key');
    await ok(['client-scope', 'delete', 'demo', 'reports']);
    await fails(['client-scope', 'delete', 'demo', 'reports'], 1, /does not exist/);
  });
});
