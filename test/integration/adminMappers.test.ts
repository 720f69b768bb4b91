/**
 * sa-admin mapper, group, sa attribute and token preview commands as a process against DynamoDB
 * Local, checked in the next token (realm cache TTL 0, as in the local stack); and what a grant
 * for a client with many mappers costs in AWS calls.
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
let secret: string;

async function claims(clientId = 'mapped', key = secret) {
  const res = await basicGrant(handler, 'demo', clientId, key);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { body: res.body, claims: decodeJwt(res.body.access_token) as Record<string, any> };
}

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
  handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  ({ secret } = await json(['client', 'create', 'demo', 'mapped', '--service-accounts']));
});

describe('sa-admin mapper', () => {
  it('audience, hardcoded-claim and user-attribute shortcuts show in the next token; remove takes them out', async () => {
    await ok(['mapper', 'audience', 'demo', '--client', 'mapped', '--audience', 'product-api']);
    await ok(['mapper', 'hardcoded-claim', 'demo', '--client', 'mapped', 'org.tier', 'true', '--type', 'boolean', '--no-introspection']);
    await ok(['sa', 'set-attribute', 'demo', 'mapped', 'region', 'eu', 'us']);
    await ok(['mapper', 'user-attribute', 'demo', 'region', '--client', 'mapped', '--multivalued']);
    const { claims: first } = await claims();
    assert.equal(first.aud, 'product-api');
    assert.deepEqual(first.org, { tier: true });
    assert.deepEqual(first.region, ['eu', 'us']);

    const listed = await json(['mapper', 'list', 'demo', '--client', 'mapped']);
    const tier = listed.find((m: { name: string }) => m.name === 'org.tier');
    assert.equal(tier.config['introspection.token.claim'], 'false');
    await ok(['mapper', 'remove', 'demo', '--client', 'mapped', 'org.tier']);
    await ok(['sa', 'set-attribute', 'demo', 'mapped', 'region']);
    const { claims: after } = await claims();
    assert.equal(after.org, undefined);
    assert.equal(after.region, undefined);
  });

  it('the generic form takes any supported type; a client scope mapper reaches every client of the scope', async () => {
    await ok(['mapper', 'add', 'demo', '--client-scope', 'profile', '--name', 'issuer team', '--type', 'oidc-hardcoded-claim-mapper',
      '--config', 'claim.name=team', '--config', 'claim.value=payments', '--config', 'access.token.claim=true']);
    assert.equal((await claims()).claims.team, 'payments');
    assert.equal((await claims('full-scope-client', 'full-secret')).claims.team, 'payments');
    await ok(['mapper', 'remove', 'demo', '--client-scope', 'profile', 'issuer team']);
    assert.equal((await claims()).claims.team, undefined);
  });

  it('refuses unknown types, bad configurations, duplicate names and a missing owner with one line', async () => {
    await fails(['mapper', 'add', 'demo', '--client', 'mapped', '--name', 'x', '--type', 'oidc-script-mapper'], 1, /not a protocol mapper type/);
    await fails(['mapper', 'hardcoded-claim', 'demo', '--client', 'mapped', 'n', 'abc', '--type', 'long'], 1, /not a valid long/);
    await fails(['mapper', 'audience', 'demo', '--client', 'mapped', '--audience', 'product-api'], 1, /already has a protocol mapper named/);
    await fails(['mapper', 'list', 'demo'], 2, /--client CLIENT_ID or --client-scope SCOPE/);
    await fails(['mapper', 'list', 'demo', '--client-scope', 'nope'], 1, /client scope 'nope' does not exist/);
  });
});

describe('sa-admin group', () => {
  it('nested groups: roles and attributes reach members (and members of subgroups); remove-member takes them away', async () => {
    await ok(['group', 'create', 'demo', '/eng']);
    await ok(['group', 'create', 'demo', '/eng/payments']);
    await fails(['group', 'create', 'demo', '/nope/child'], 1, /group '\/nope' does not exist/);
    await ok(['group', 'grant', 'demo', '/eng', 'admin']);
    await ok(['group', 'grant', 'demo', '/eng/payments', 'write', '--client', 'product-api']);
    await ok(['group', 'set-attribute', 'demo', '/eng', 'cost_center', 'cc-9']);
    await ok(['group', 'add-member', 'demo', '/eng/payments', 'mapped']);
    await ok(['mapper', 'user-attribute', 'demo', 'cost_center', '--client', 'mapped']);
    await ok(['mapper', 'add', 'demo', '--client', 'mapped', '--name', 'groups', '--type', 'oidc-group-membership-mapper', '--config', 'claim.name=groups', '--config', 'full.path=true', '--config', 'access.token.claim=true']);
    const { claims: member } = await claims();
    assert.ok(member.realm_access.roles.includes('admin'), JSON.stringify(member.realm_access));
    assert.deepEqual(member.resource_access['product-api'], { roles: ['write'] });
    assert.equal(member.cost_center, 'cc-9');
    assert.deepEqual(member.groups, ['/eng/payments']);
    assert.deepEqual(await json(['group', 'members', 'demo', '/eng/payments']), ['mapped']);

    await ok(['group', 'remove-member', 'demo', '/eng/payments', 'mapped']);
    const { claims: left } = await claims();
    assert.ok(!left.realm_access.roles.includes('admin'));
    assert.equal(left.groups, undefined);
    await ok(['group', 'add-member', 'demo', '/eng', 'mapped']);
    const deleted = await json(['group', 'delete', 'demo', '/eng']);
    assert.deepEqual(deleted, { path: '/eng', groupsDeleted: 2, membershipsRemoved: 1 });
    assert.deepEqual(await json(['group', 'list', 'demo']), []);
  });
});

describe('sa-admin sa set-profile and token preview', () => {
  it("names and email go to the profile and email scopes' claims; preview prints them unsigned", async () => {
    await ok(['sa', 'set-profile', 'demo', 'mapped', '--email', 'mapped@example.com', '--first-name', 'Map', '--last-name', 'Ped']);
    const preview = await json(['token', 'preview', 'demo', 'mapped', '--scope', 'openid']);
    assert.equal(preview.accessToken.email, 'mapped@example.com');
    assert.equal(preview.accessToken.name, 'Map Ped');
    assert.equal(preview.idToken.given_name, 'Map');
    assert.equal(preview.idToken.at_hash, undefined);
    assert.equal(preview.scope, 'openid profile email');
    const { claims: real } = await claims();
    assert.equal(real.email, 'mapped@example.com');
    assert.equal(real.family_name, 'Ped');
    await fails(['token', 'preview', 'demo', 'mapped', '--scope', 'nope'], 1, /invalid_scope/);
    await fails(['token', 'preview', 'demo', 'product-api'], 1, /cannot use the client credentials grant/);
  });
});

describe('AWS calls per grant for a client with many mappers', () => {
  it('a warm grant is still one GetItem and one kms:Sign (zero reads with the client cache)', async () => {
    const client = (await stack.table.getClient('demo', 'mapped'))!;
    const mappers = Array.from({ length: 10 }, (_, i) => ({
      id: `m${i}`, name: `claim ${i}`, protocol: 'openid-connect', protocolMapper: 'oidc-hardcoded-claim-mapper',
      config: { 'claim.name': `c.n${i}`, 'claim.value': String(i), 'jsonType.label': 'int', 'access.token.claim': 'true' },
    }));
    await stack.table.putClient({ ...client, clientId: 'ten-mappers', protocolMappers: [...(client.protocolMappers ?? []), ...mappers] });
    const warm = await freshStack({ realmCacheTtlSeconds: 60, clientCacheTtlSeconds: 0 });
    const cached = await freshStack({ realmCacheTtlSeconds: 60, clientCacheTtlSeconds: 30 });
    for (const target of [warm, cached]) {
      await target.table.putClient({ ...client, clientId: 'ten-mappers', protocolMappers: [...(client.protocolMappers ?? []), ...mappers] });
      const h = httpHandler((request) => tokenEndpoint(target.runtime, request, tokenGrants), { log: () => undefined });
      assert.equal((await basicGrant(h, 'demo', 'ten-mappers', secret)).status, 200);
      target.resetCounts();
      const res = await basicGrant(h, 'demo', 'ten-mappers', secret);
      assert.equal(res.status, 200);
      assert.equal((decodeJwt(res.body.access_token) as { c: Record<string, number> }).c.n9, 9);
      assert.deepEqual({ ...target.counts }, target === warm ? { GetItemCommand: 1, SignCommand: 1 } : { SignCommand: 1 });
    }
  });
});
