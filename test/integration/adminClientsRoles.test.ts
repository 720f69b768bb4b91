/**
 * sa-admin client, role, sa and scope commands as a process, checked in DynamoDB Local and in the
 * next token from the token endpoint (realm cache TTL 0, as in the local stack).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { decryptClientSecret } from '../../lib/clientAuth/secretCipher.js';
import { verifySecret } from '../../lib/clientAuth/secretHash.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { assertion, assertionForm } from '../support/assertions.js';
import { adminCliInProcess } from '../support/adminCli.js';
import { apiEvent, basicGrant } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';
import { storedAt } from '../support/storedKeys.js';
import { sk } from '../../lib/store/clientsTableKeys.js';

let stack: TestStack;
/** Seconds added to the stack's clock, to pass a grace period without waiting for it. */
let clockOffset = 0;

const { ok, output, json, fails } = adminCliInProcess(() => stack.table.tableName);

let handler: ReturnType<typeof httpHandler>;

const grant = (clientId: string, secret: string, realm = 'demo') => basicGrant(handler, realm, clientId, secret);

/** client_credentials with a client assertion (RFC 7523) instead of a secret. */
async function grantWithAssertion(jwt: string) {
  const res = await handler(
    apiEvent({ path: '/realms/demo/protocol/openid-connect/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: assertionForm(jwt) }),
  );
  return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
}

async function claims(clientId: string, secret: string) {
  const res = await grant(clientId, secret);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return decodeJwt(res.body.access_token) as { realm_access?: { roles: string[] }; resource_access?: Record<string, { roles: string[] }> };
}

const realmRoles = (c: { realm_access?: { roles: string[] } }) => new Set(c.realm_access?.roles ?? []);
const clientRoles = (c: { resource_access?: Record<string, { roles: string[] }> }, owner: string) => new Set(c.resource_access?.[owner]?.roles ?? []);

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0, now: () => Math.floor(Date.now() / 1000) + clockOffset });
  handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
});

describe('client create', () => {
  it("prints a 256-bit secret once, stores only its SHA-256, with Keycloak's defaults; the secret gets a token", async () => {
    const out = await json(['client', 'create', 'demo', 'Billing-Worker', '--service-accounts']);
    assert.deepEqual(Object.keys(out).sort(), ['clientId', 'secret']);
    assert.equal(out.clientId, 'Billing-Worker');
    assert.match(out.secret, /^[A-Za-z0-9_-]{43}$/);
    const stored = (await stack.table.getClient('demo', 'Billing-Worker'))!;
    assert.match(stored.secretHash!, /^sha256\$/);
    assert.equal(await verifySecret(stored.secretHash!, out.secret), true);
    assert.ok(!JSON.stringify(stored).includes(out.secret));
    assert.equal(stored.enabled, true);
    assert.equal(stored.fullScopeAllowed, true);
    assert.equal(stored.clientAuthenticatorType, 'client-secret');
    // The demo realm, a Keycloak 26.0 export, got 26.1's service_account scope on import: a client with
    // service accounts gets it as a default scope, as in Keycloak 26.1+.
    assert.deepEqual(stored.defaultClientScopes, ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email', 'service_account']);
    assert.deepEqual(stored.optionalClientScopes, ['address', 'phone', 'offline_access', 'microprofile-jwt', 'organization']);
    assert.equal(stored.serviceAccount?.username, 'service-account-billing-worker');
    assert.match(stored.serviceAccount?.id ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(stored.serviceAccount?.roles, { realm: ['default-roles-demo'], client: {} });

    const token = await claims('Billing-Worker', out.secret);
    assert.deepEqual(realmRoles(token), new Set(['default-roles-demo', 'offline_access', 'uma_authorization']));
    await fails(['client', 'create', 'demo', 'Billing-Worker'], 1, /already exists/);
    await fails(['client', 'create', 'nowhere', 'x'], 1, /realm 'nowhere' does not exist/);
  });

  it('human output shows the secret once, with a warning', async () => {
    const out = await output(['client', 'create', 'demo', 'human-client', '--service-accounts']);
    const secret = /^secret: (\S+)$/m.exec(out)?.[1];
    assert.ok(secret);
    assert.match(out, /shown once/);
    assert.equal((await grant('human-client', secret)).status, 200);
  });

  it('--no-full-scope and --refresh-tokens', async () => {
    const { secret } = await json(['client', 'create', 'demo', 'narrow', '--service-accounts', '--no-full-scope', '--refresh-tokens']);
    const stored = (await stack.table.getClient('demo', 'narrow'))!;
    assert.equal(stored.fullScopeAllowed, false);
    assert.equal(stored.attributes['client_credentials.use_refresh_token'], 'true');
    const res = await grant('narrow', secret);
    assert.equal(res.status, 200);
    assert.ok(res.body.refresh_token);
    // Full scope off and no scope mappings: none of the default roles may go in.
    assert.equal(decodeJwt(res.body.access_token).realm_access, undefined);
  });

  it('without --service-accounts the client cannot use client credentials', async () => {
    const { secret } = await json(['client', 'create', 'demo', 'no-sa']);
    const res = await grant('no-sa', secret);
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'unauthorized_client');
  });

  it('client-secret-jwt: the secret is also stored encrypted under the stage secrets key', async () => {
    const { secret } = await json(['client', 'create', 'demo', 'hmac-client', '--service-accounts', '--auth', 'client-secret-jwt']);
    const stored = (await stack.table.getClient('demo', 'hmac-client'))!;
    assert.equal(stored.clientAuthenticatorType, 'client-secret-jwt');
    assert.equal(await decryptClientSecret(stack.kms, 'demo', 'hmac-client', stored.secretCiphertext!), secret);
    assert.equal(await verifySecret(stored.secretHash!, secret), true);

    const rotated = await json(['client', 'rotate-secret', 'demo', 'hmac-client', '--grace', '300']);
    const after = (await stack.table.getClient('demo', 'hmac-client'))!;
    assert.equal(await decryptClientSecret(stack.kms, 'demo', 'hmac-client', after.secretCiphertext!), rotated.secret);
    assert.equal(after.rotatedSecretCiphertext, stored.secretCiphertext);
  });

  it('client-jwt with --jwks FILE or --jwks-url: no secret; private keys refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sa-admin-jwks-'));
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    await writeFile(join(dir, 'jwk.json'), JSON.stringify(publicJwk));
    await writeFile(join(dir, 'private.json'), JSON.stringify({ keys: [await exportJWK(privateKey)] }));

    const out = await json(['client', 'create', 'demo', 'cli-jwt-client', '--service-accounts', '--auth', 'client-jwt', '--jwks', join(dir, 'jwk.json')]);
    assert.deepEqual(out, { clientId: 'cli-jwt-client' });
    const stored = (await stack.table.getClient('demo', 'cli-jwt-client'))!;
    assert.equal(stored.secretHash, undefined);
    assert.equal(stored.attributes['use.jwks.string'], 'true');
    assert.deepEqual(JSON.parse(stored.attributes['jwks.string']!), { keys: [publicJwk] });

    await ok(['client', 'create', 'demo', 'jwt-url-client', '--auth', 'client-jwt', '--jwks-url', 'https://jwt-url-client.example.com/jwks.json']);
    const byUrl = (await stack.table.getClient('demo', 'jwt-url-client'))!;
    assert.equal(byUrl.attributes['use.jwks.url'], 'true');
    assert.equal(byUrl.attributes['jwks.url'], 'https://jwt-url-client.example.com/jwks.json');

    await fails(['client', 'create', 'demo', 'bad-jwt', '--auth', 'client-jwt', '--jwks', join(dir, 'private.json')], 1, /private key material \(d\)/);
    await fails(['client', 'create', 'demo', 'bad-jwt', '--auth', 'client-jwt'], 1, /needs its public keys/);
    await fails(['client', 'create', 'demo', 'bad-jwt', '--jwks-url', 'https://x.example.com'], 1, /are for --auth client-jwt/);
    // Plain http would let anyone on the path swap the client's keys; only the local stage may use it, to loopback.
    await fails(['client', 'create', 'demo', 'bad-jwt', '--auth', 'client-jwt', '--jwks-url', 'http://jwks.example.com/jwks.json'], 1, /must be https \(plain http only to a loopback address\)/);
    await ok(['client', 'create', 'demo', 'jwt-loopback-client', '--auth', 'client-jwt', '--jwks-url', 'http://127.0.0.1:8443/jwks.json']);
    assert.equal(await stack.table.getClient('demo', 'bad-jwt'), undefined);

    // The registered key authenticates the client.
    const jwt = await assertion({ clientId: 'cli-jwt-client', audience: 'http://localhost:3000/realms/demo', key: privateKey, alg: 'ES256' });
    const res = await grantWithAssertion(jwt);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('client-secret-jwt: the printed secret signs an assertion the token endpoint accepts', async () => {
    const { secret } = await json(['client', 'create', 'demo', 'hmac-login', '--service-accounts', '--auth', 'client-secret-jwt']);
    const key = new TextEncoder().encode(secret);
    const jwt = await assertion({ clientId: 'hmac-login', audience: 'http://localhost:3000/realms/demo', key, alg: 'HS256' });
    const res = await grantWithAssertion(jwt);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { secret: rotated } = await json(['client', 'rotate-secret', 'demo', 'hmac-login']);
    const stale = await grantWithAssertion(await assertion({ clientId: 'hmac-login', audience: 'http://localhost:3000/realms/demo', key, alg: 'HS256' }));
    assert.equal(stale.status, 401, 'the old secret stopped at once');
    const fresh = await grantWithAssertion(
      await assertion({ clientId: 'hmac-login', audience: 'http://localhost:3000/realms/demo', key: new TextEncoder().encode(rotated), alg: 'HS256' }),
    );
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  });
});

describe('client list, show, enable, disable, delete', () => {
  it('list and show never print a hash or ciphertext', async () => {
    const list = await json(['client', 'list', 'demo']);
    const show = await json(['client', 'show', 'demo', 'hmac-client']);
    const human = await output(['client', 'show', 'demo', 'hmac-client']);
    for (const text of [JSON.stringify(list), JSON.stringify(show), human]) {
      assert.doesNotMatch(text, /sha256\$|scrypt\$|hmac\$|secretHash|Ciphertext/);
    }
    assert.equal(show.hasSecret, true);
    assert.equal(show.clientId, 'hmac-client');
    assert.match(human, /^clientAuthenticatorType: client-secret-jwt$/m);
    assert.ok(list.some((c: { clientId: string; hasSecret: boolean }) => c.clientId === 'public-client' && !c.hasSecret));
  });

  it('disable takes effect on the next request, enable restores it', async () => {
    assert.equal((await grant('full-scope-client', 'full-secret')).status, 200);
    assert.match(await output(['client', 'disable', 'demo', 'full-scope-client']), /^client full-scope-client disabled$/m);
    const refused = await grant('full-scope-client', 'full-secret');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
    assert.deepEqual(await json(['client', 'enable', 'demo', 'full-scope-client']), { clientId: 'full-scope-client', enabled: true });
    assert.equal((await grant('full-scope-client', 'full-secret')).status, 200);
  });

  it('delete removes the client, its roles and every mapping of them', async () => {
    await ok(['client', 'create', 'demo', 'ledger-api']);
    await ok(['role', 'create', 'demo', 'post', '--client', 'ledger-api']);
    await ok(['role', 'create', 'demo', 'bookkeeper', '--composite-of', 'ledger-api:post', 'user']);
    await ok(['sa', 'grant', 'demo', 'product-sa-client', 'post', '--client', 'ledger-api']);
    await ok(['scope', 'add', 'demo', 'product-sa-client', 'post', '--client', 'ledger-api']);

    const result = await json(['client', 'delete', 'demo', 'ledger-api']);
    assert.deepEqual(result, { clientId: 'ledger-api', rolesDeleted: 1, referencesRemoved: 2 });
    assert.equal(await stack.table.getClient('demo', 'ledger-api'), undefined);
    const product = (await stack.table.getClient('demo', 'product-sa-client'))!;
    assert.equal(product.serviceAccount!.roles.client['ledger-api'], undefined);
    assert.equal(product.scopeMappings.client['ledger-api'], undefined);
    const roles = await json(['role', 'list', 'demo']);
    assert.ok(!roles.some((r: { client?: string }) => r.client === 'ledger-api'));
    assert.deepEqual(roles.find((r: { name: string }) => r.name === 'bookkeeper').composites, { realm: ['user'], client: {} });
    await fails(['client', 'delete', 'demo', 'ledger-api'], 1, /does not exist/);
  });
});

describe('client rotate-secret', () => {
  it('with a grace period both secrets work; the printed one is new', async () => {
    const { secret: first } = await json(['client', 'create', 'demo', 'rotating', '--service-accounts']);
    const rotated = await json(['client', 'rotate-secret', 'demo', 'rotating', '--grace', '5']);
    assert.equal(rotated.clientId, 'rotating');
    assert.notEqual(rotated.secret, first);
    assert.ok(Math.abs(rotated.previousSecretExpiresAt - (Math.floor(Date.now() / 1000) + 5)) <= 3);
    assert.equal((await grant('rotating', rotated.secret)).status, 200);
    assert.equal((await grant('rotating', first)).status, 200);
    clockOffset = 6;
    try {
      assert.equal((await grant('rotating', first)).status, 401, 'the grace period is over');
      assert.equal((await grant('rotating', rotated.secret)).status, 200);
    } finally {
      clockOffset = 0;
    }
  });

  it('without a grace period the old secret stops at once', async () => {
    const before = (await stack.table.getClient('demo', 'rotating'))!;
    const out = await output(['client', 'rotate-secret', 'demo', 'rotating']);
    const secret = /^new secret for rotating: (\S+)$/m.exec(out)?.[1];
    assert.ok(secret);
    assert.match(out, /the previous secret no longer works/);
    const after = (await stack.table.getClient('demo', 'rotating'))!;
    assert.equal(after.rotatedSecretHash, undefined);
    assert.equal(after.rotatedSecretExpiresAt, undefined);
    assert.notEqual(after.secretHash, before.secretHash);
    assert.equal((await grant('rotating', secret)).status, 200);
  });

  it('refuses clients that have no secret', async () => {
    await fails(['client', 'rotate-secret', 'demo', 'public-client'], 1, /does not authenticate with a secret/);
    await fails(['client', 'rotate-secret', 'demo', 'cli-jwt-client'], 1, /does not authenticate with a secret/);
  });
});

describe('roles', () => {
  it('create, list, and composites expanded in tokens', async () => {
    assert.match(await output(['role', 'create', 'demo', 'auditor', '--description', 'Reads audit logs']), /^created realm role 'auditor'$/m);
    const { id: reportingId, ...reporting } = await json(['role', 'create', 'demo', 'reporting', '--composite-of', 'auditor', 'product-api:read']);
    // Keycloak gives every new role a random UUID, kept from then on.
    assert.match(reportingId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(reporting, { name: 'reporting', composite: true, composites: { realm: ['auditor'], client: { 'product-api': ['read'] } } });
    assert.ok(await storedAt(stack, 'demo', sk.compositeRole({ name: 'reporting' })));
    await ok(['role', 'create', 'demo', 'export', '--client', 'product-api']);
    await fails(['role', 'create', 'demo', 'auditor'], 1, /already exists/);
    await fails(['role', 'create', 'demo', 'x', '--composite-of', 'ghost'], 1, /no role 'ghost'/);
    await fails(['role', 'create', 'demo', 'x', '--client', 'ghost-client'], 1, /client 'ghost-client' does not exist/);

    const { secret } = await json(['client', 'create', 'demo', 'reporter', '--service-accounts']);
    await ok(['sa', 'grant', 'demo', 'reporter', 'reporting']);
    const token = await claims('reporter', secret);
    assert.ok(realmRoles(token).has('reporting') && realmRoles(token).has('auditor'));
    assert.deepEqual(clientRoles(token, 'product-api'), new Set(['read']));

    const listed = await json(['role', 'list', 'demo', '--client', 'product-api']);
    assert.deepEqual(listed.map((r: { name: string }) => r.name), ['delete', 'export', 'read', 'write']);
    assert.match(await output(['role', 'list', 'demo']), /^realm role 'reporting' \(composite of auditor, product-api:read\)$/m);
  });

  it('update: a composite made plain moves to the plain sort key, and tokens stop expanding it', async () => {
    await ok(['role', 'update', 'demo', 'reporting', '--plain']);
    assert.ok(!(await storedAt(stack, 'demo', sk.compositeRole({ name: 'reporting' }))));
    assert.ok(await storedAt(stack, 'demo', sk.plainRole({ name: 'reporting' })));
    const secret = (await json(['client', 'rotate-secret', 'demo', 'reporter'])).secret;
    const token = await claims('reporter', secret);
    assert.ok(realmRoles(token).has('reporting'));
    assert.ok(!realmRoles(token).has('auditor'));

    const { id: againId, ...again } = await json(['role', 'update', 'demo', 'reporting', '--composite-of', 'auditor', '--description', 'Reports']);
    assert.equal(againId, (await json(['role', 'list', 'demo'])).find((r: { name: string }) => r.name === 'reporting').id);
    assert.deepEqual(again, { name: 'reporting', description: 'Reports', composite: true, composites: { realm: ['auditor'], client: {} } });
    assert.ok(!(await storedAt(stack, 'demo', sk.plainRole({ name: 'reporting' }))));
    assert.ok(realmRoles(await claims('reporter', secret)).has('auditor'));
    await fails(['role', 'update', 'demo', 'reporting', '--composite-of', 'reporting'], 1, /cannot contain itself/);
  });

  it('delete removes it from service accounts, scope mappings, composites and client scopes', async () => {
    await ok(['sa', 'grant', 'demo', 'full-scope-client', 'auditor']);
    await ok(['scope', 'add', 'demo', 'product-sa-client', 'auditor']);
    const scope = (await stack.table.getClientScope('demo', 'offline_access'))!;
    await stack.table.putItem('demo', { kind: 'clientScope', ...scope, scopeMappings: { realm: ['offline_access', 'auditor'], client: {} } });

    const result = await json(['role', 'delete', 'demo', 'auditor']);
    assert.equal(result.referencesRemoved, 4);
    assert.equal(await stack.table.getRole('demo', { name: 'auditor' }), undefined);
    assert.ok(!(await stack.table.getClient('demo', 'full-scope-client'))!.serviceAccount!.roles.realm.includes('auditor'));
    assert.ok(!(await stack.table.getClient('demo', 'product-sa-client'))!.scopeMappings.realm.includes('auditor'));
    const after = (await stack.table.getClientScope('demo', 'offline_access'))!;
    assert.deepEqual(after.scopeMappings.realm, ['offline_access']);
    const roles = await json(['role', 'list', 'demo']);
    assert.deepEqual(roles.find((r: { name: string }) => r.name === 'reporting').composites, { realm: [], client: {} });
    assert.ok(!realmRoles(await claims('full-scope-client', 'full-secret')).has('auditor'));

    await ok(['role', 'delete', 'demo', 'export', '--client', 'product-api']);
    await fails(['role', 'delete', 'demo', 'default-roles-demo'], 1, /default role and cannot be deleted/);
    await fails(['role', 'delete', 'demo', 'auditor'], 1, /does not exist/);
  });
});

describe('service-account roles and scope mappings', () => {
  it('sa grant shows in the next token; revoke removes it; both are idempotent', async () => {
    const { secret } = await json(['client', 'create', 'demo', 'granted', '--service-accounts']);
    const granted = await json(['sa', 'grant', 'demo', 'granted', 'read', 'write', '--client', 'product-api']);
    assert.deepEqual(granted.roles, { realm: ['default-roles-demo'], client: { 'product-api': ['read', 'write'] } });
    assert.deepEqual(clientRoles(await claims('granted', secret), 'product-api'), new Set(['read', 'write']));

    const again = await json(['sa', 'grant', 'demo', 'granted', 'read', '--client', 'product-api']);
    assert.deepEqual(again.changed, []);
    assert.deepEqual(again.unchanged, [{ client: 'product-api', name: 'read' }]);

    await ok(['sa', 'grant', 'demo', 'granted', 'admin']);
    assert.ok(realmRoles(await claims('granted', secret)).has('admin'));
    const text = await output(['sa', 'revoke', 'demo', 'granted', 'write', '--client', 'product-api']);
    assert.match(text, /^revoke: role 'write' of client 'product-api'$/m);
    assert.match(text, /^granted service-account roles: default-roles-demo, admin, product-api:read$/m);
    assert.deepEqual(clientRoles(await claims('granted', secret), 'product-api'), new Set(['read']));
    assert.match(await output(['sa', 'revoke', 'demo', 'granted', 'write', '--client', 'product-api']), /^not there: /m);

    await fails(['sa', 'grant', 'demo', 'no-sa', 'admin'], 1, /has no service account/);
    await fails(['sa', 'grant', 'demo', 'granted', 'nope', '--client', 'product-api'], 1, /role 'nope' of client 'product-api' does not exist/);
  });

  it('scope add/remove decide what a client with full scope off may put in its tokens', async () => {
    const before = await claims('product-sa-client', 'password');
    assert.deepEqual(clientRoles(before, 'product-api'), new Set(['read', 'write']));
    await ok(['scope', 'add', 'demo', 'product-sa-client', 'delete', '--client', 'product-api']);
    assert.deepEqual(clientRoles(await claims('product-sa-client', 'password'), 'product-api'), new Set(['read', 'write', 'delete']));
    const removed = await json(['scope', 'remove', 'demo', 'product-sa-client', 'user']);
    assert.deepEqual(removed.roles.realm, []);
    assert.equal((await claims('product-sa-client', 'password')).realm_access, undefined);
    await fails(['scope', 'add', 'demo', 'product-sa-client', 'ghost'], 1, /realm role 'ghost' does not exist/);
  });
});
