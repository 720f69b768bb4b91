/**
 * The operator story of issue 5 ("Done when"), step by step as the README tells it, with the
 * CLI's human output: import a Keycloak export, create a client and get a token with its printed
 * secret, grant a role and see it in the next token, rotate the secret with a grace period,
 * disable the client, push a not-before, rotate keys, export the realm.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { DEMO_REALM_FILE } from '../../infra/local/stack.js';
import { introspect } from '../../lib/grants/introspect.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import { adminCli } from '../support/adminCli.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

let stack: TestStack;
/** Seconds added to the stack's clock: a token issued earlier without waiting. */
let clockOffset = 0;
let dir: string;

const { saAdmin } = adminCli(() => stack.table.tableName);

function endpoint(fn: Endpoint) {
  const handler = httpHandler(fn, { noStore: true, log: () => undefined });
  return async (path: string, body: string, clientId: string, secret: string) => {
    const res = await handler(
      apiEvent({
        path: `/realms/shop/protocol/openid-connect${path}`,
        realm: 'shop',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) },
        body,
      }),
    );
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
let tokenCall: ReturnType<typeof endpoint>;
let introspectCall: ReturnType<typeof endpoint>;
const grant = (clientId: string, secret: string) => tokenCall('/token', 'grant_type=client_credentials', clientId, secret);
const secretIn = (output: string) => /^(?:secret|new secret for \S+): (\S+)$/m.exec(output)?.[1] ?? assert.fail(`no secret in: ${output}`);

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0, now: () => Math.floor(Date.now() / 1000) + clockOffset });
  tokenCall = endpoint((request) => tokenEndpoint(stack.runtime, request, tokenGrants));
  introspectCall = endpoint((request) => introspect(stack.runtime, request));
  dir = await mkdtemp(join(tmpdir(), 'sa-admin-story-'));
});

it('an operator moves a realm from Keycloak and runs it', async () => {
  // 1. Import a Keycloak export (kc.sh export of realm "shop").
  const kcExport = join(dir, 'shop-realm.json');
  await writeFile(kcExport, JSON.stringify({ ...JSON.parse(await readFile(DEMO_REALM_FILE, 'utf8')), realm: 'shop' }));
  assert.match(await saAdmin('import-realm', kcExport, '--dry-run'), /^dry run, nothing written: would import realm shop: 9 clients/m);
  assert.match(await saAdmin('import-realm', kcExport), /^imported realm shop: 9 clients/m);
  assert.equal((await grant('product-sa-client', 'password')).status, 200, 'imported clients keep their Keycloak secrets');

  // 2. Create a client and get a token with its printed secret.
  const secret = secretIn(await saAdmin('client', 'create', 'shop', 'inventory-sync', '--service-accounts'));
  const first = await grant('inventory-sync', secret);
  assert.equal(first.status, 200);
  assert.equal(decodeJwt(first.body.access_token).resource_access, undefined);

  // 3. Grant a role and see it in the next token.
  await saAdmin('sa', 'grant', 'shop', 'inventory-sync', 'read', '--client', 'product-api');
  const granted = await grant('inventory-sync', secret);
  assert.deepEqual(decodeJwt(granted.body.access_token).resource_access, { 'product-api': { roles: ['read'] } });

  // 4. Rotate the secret with a grace period: both work until it ends.
  const rotated = secretIn(await saAdmin('client', 'rotate-secret', 'shop', 'inventory-sync', '--grace', '3600'));
  assert.equal((await grant('inventory-sync', rotated)).status, 200);
  assert.equal((await grant('inventory-sync', secret)).status, 200);

  // 5. Disable the client: its next request fails.
  await saAdmin('client', 'disable', 'shop', 'inventory-sync');
  assert.equal((await grant('inventory-sync', rotated)).status, 401);
  await saAdmin('client', 'enable', 'shop', 'inventory-sync');

  // 6. Push a not-before: tokens issued before it are no longer active.
  clockOffset = -5;
  const early = (await grant('inventory-sync', rotated)).body.access_token;
  clockOffset = 0;
  const active = async (token: string) =>
    (await introspectCall('/token/introspect', `token=${encodeURIComponent(token)}`, 'full-scope-client', 'full-secret')).body.active;
  assert.equal(await active(early), true);
  await saAdmin('not-before', 'push', 'shop');
  assert.equal(await active(early), false);
  const fresh = await grant('inventory-sync', rotated);
  assert.ok(fresh.body['not-before-policy'] > 0);
  assert.equal(await active(fresh.body.access_token), true);

  // 7. Rotate keys: new tokens use the new key, the old key still verifies the tokens it signed.
  const oldKid = decodeProtectedHeader(fresh.body.access_token).kid;
  assert.match(await saAdmin('keys', 'rotate', 'shop'), /^previous keys stay published for 420 s/m);
  const afterRotation = await grant('inventory-sync', rotated);
  assert.notEqual(decodeProtectedHeader(afterRotation.body.access_token).kid, oldKid);
  const realm = await stack.runtime.realms.get('shop');
  const jwks = createLocalJWKSet(realm.keys.jwks(stack.runtime.now()));
  await jwtVerify(fresh.body.access_token, jwks);
  await jwtVerify(afterRotation.body.access_token, jwks);
  assert.match(await saAdmin('keys', 'list', 'shop'), /\bpassive\b/);

  // 8. Export the realm: Keycloak's format, never a secret.
  const out = join(dir, 'shop-export.json');
  await saAdmin('export-realm', 'shop', '--out', out);
  const exported = JSON.parse(await readFile(out, 'utf8'));
  assert.ok(exported.clients.some((c: { clientId: string }) => c.clientId === 'inventory-sync'));
  const user = exported.users.find((u: { serviceAccountClientId: string }) => u.serviceAccountClientId === 'inventory-sync');
  assert.deepEqual(user.clientRoles, { 'product-api': ['read'] });
  // The realm's own `requiredCredentials: ["password"]` is kept as sent; no client secret may appear.
  const text = JSON.stringify({ ...exported, requiredCredentials: undefined });
  for (const value of [secret, rotated, 'full-secret', '"password"']) assert.ok(!text.includes(value), value);
});
