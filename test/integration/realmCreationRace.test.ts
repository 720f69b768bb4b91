/**
 * Issue 17 F3: creating a realm claims its name before any other work. A master admin's
 * `POST /admin/realms` is paused inside key making (the KMS client it is given waits on a gate, so
 * the interleaving is fixed, not timed) while a `create-realm` holder posts an export of the same
 * realm with its own realm-admin client: 409, and nothing of the export is written. On DynamoDB
 * Local and the local KMS, through the Admin API's router (bearer authentication is tested
 * elsewhere; callers are picked by token here).
 */
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KMSClient } from '@aws-sdk/client-kms';
import { createAdminContext, type AdminContext } from '../../lib/admin/context.js';
import { deleteRealm } from '../../lib/admin/realms.js';
import { claimRealm, apiCreator } from '../../lib/admin/realmClaim.js';
import { unauthorized } from '../../lib/adminApi/errors.js';
import { ADMIN_ROUTES } from '../../lib/adminApi/allFamilies.js';
import type { AdminCaller } from '../../lib/adminApi/rights.js';
import { AdminRouter } from '../../lib/adminApi/router.js';
import type { HttpRequest } from '../../lib/http/request.js';
import { stageNames } from '../../infra/seed.js';
import { freshStack, type TestStack } from '../support/localAws.js';

const CALLERS: Record<string, AdminCaller> = {
  boss: { realm: 'master', clientId: 'boss', roles: [{ name: 'admin' }] },
  creator: { realm: 'master', clientId: 'creator', roles: [{ name: 'create-realm' }] },
};

let stack: TestStack;
let admin: AdminContext;
/** While set, key making (KMS's GenerateDataKeyPairWithoutPlaintext) reports it was reached and waits for release. */
let gate: { reached: () => void; released: Promise<void> } | undefined;
let failKeys = false;

before(async () => {
  stack = await freshStack();
  const base = createAdminContext({ names: stageNames('test', stack.table.tableName) });
  const kms = {
    send: async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'GenerateDataKeyPairWithoutPlaintextCommand') {
        if (failKeys) throw new Error('KMS is unavailable');
        const waiting = gate;
        if (waiting) {
          waiting.reached();
          await waiting.released;
        }
      }
      return stack.kms.send(command as never);
    },
  } as unknown as KMSClient;
  admin = { ...base, table: stack.table, kms };
});

const router = new AdminRouter(ADMIN_ROUTES);

async function call(token: string, method: string, path: string, body?: unknown) {
  const request: HttpRequest = {
    method,
    path,
    query: '',
    realm: '',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? '' : JSON.stringify(body),
    sourceIp: '127.0.0.1',
    origin: 'http://localhost:3000',
    legacyAuthPrefix: false,
    requestId: 'id',
  };
  const deps = {
    admin,
    authenticate: async (req: HttpRequest) => {
      const caller = CALLERS[(req.headers.authorization ?? '').replace(/^Bearer /, '')];
      if (!caller) throw unauthorized();
      return caller;
    },
  };
  const res = await router.handle(deps, request);
  return { status: res.statusCode, body: typeof res.body === 'string' && res.body !== '' ? JSON.parse(res.body) : undefined };
}

/** An export of `realm` whose service account holds realm-admin: what the attacker wants to own. */
const hostileExport = (realm: string) => ({
  realm,
  enabled: true,
  clients: [
    { clientId: 'mine', secret: 'attacker-secret', serviceAccountsEnabled: true, publicClient: false },
    { clientId: 'realm-management', bearerOnly: true },
  ],
  roles: { client: { 'realm-management': [{ name: 'realm-admin' }] } },
  users: [
    {
      username: 'service-account-mine',
      serviceAccountClientId: 'mine',
      clientRoles: { 'realm-management': ['realm-admin'] },
    },
  ],
});

function closeGate() {
  let reached!: () => void;
  let release!: () => void;
  const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  gate = { reached, released };
  return { reached: reachedPromise, release: () => { gate = undefined; release(); } };
}

it('a create-realm holder cannot adopt a realm another admin is still making keys for: 409, nothing of its export written', async () => {
  const paused = closeGate();
  const first = call('boss', 'POST', '/admin/realms', { realm: 'race-a' });
  await paused.reached;
  // The master admin's creation is inside key making: its claim is written, its settings are not.
  const second = await call('creator', 'POST', '/admin/realms', hostileExport('race-a'));
  assert.equal(second.status, 409);
  assert.deepEqual(second.body, { errorMessage: 'Conflict detected. See logs for details' });
  const plain = await call('creator', 'POST', '/admin/realms', { realm: 'race-a' });
  assert.equal(plain.status, 409);
  paused.release();
  assert.equal((await first).status, 201);
  assert.equal(await stack.table.getClient('race-a', 'mine'), undefined, 'the attacker client was never written');
  assert.equal((await stack.table.getRealmClaim('race-a'))?.state, 'created');
  // The finished realm is complete: settings, keys, realm-management.
  const realm = await stack.table.loadRealm('race-a');
  assert.ok(realm && realm.keys.length >= 2);
  assert.ok(await stack.table.getClient('race-a', 'realm-management'));
  // And a later create of the same name, by anyone, is Keycloak's duplicate answer.
  assert.equal((await call('boss', 'POST', '/admin/realms', { realm: 'race-a' })).status, 409);
  assert.equal((await call('creator', 'POST', '/admin/realms', hostileExport('race-a'))).status, 409);
});

it('the export path claims too: a create during an import of the same name is refused', async () => {
  const paused = closeGate();
  const first = call('creator', 'POST', '/admin/realms', hostileExport('race-b'));
  await Promise.race([paused.reached, first.then((res) => assert.fail(`finished before key making: ${JSON.stringify(res)}`))]);
  const second = await call('boss', 'POST', '/admin/realms', { realm: 'race-b' });
  assert.equal(second.status, 409);
  paused.release();
  assert.equal((await first).status, 201);
  assert.ok(await stack.table.getClient('race-b', 'mine'));
});

it('a creation that fails half-way is removed, so the name is free again', async () => {
  failKeys = true;
  // The router lets an unexpected failure through to the one handler that answers 500 (lib/http/handler.ts).
  await assert.rejects(call('boss', 'POST', '/admin/realms', { realm: 'race-c' }), /KMS is unavailable/).finally(() => (failKeys = false));
  assert.deepEqual(await stack.table.listRealmItems('race-c'), [], 'nothing of the failed creation is left');
  assert.equal((await call('creator', 'POST', '/admin/realms', { realm: 'race-c' })).status, 201);
});

it('a creation whose process died is finished by its creator only; the operator can remove it', async () => {
  // What a creator that died after claiming and writing part of the realm leaves behind.
  assert.equal(await claimRealm(admin, 'race-d', apiCreator('master', 'boss')), 'new');
  await stack.table.putItem('race-d', { kind: 'role', name: 'leftover', composite: false });
  assert.equal((await call('creator', 'POST', '/admin/realms', hostileExport('race-d'))).status, 409);
  assert.equal(await stack.table.getClient('race-d', 'mine'), undefined);
  assert.equal((await call('boss', 'POST', '/admin/realms', { realm: 'race-d' })).status, 201, 'its creator retries and finishes');
  assert.ok(await stack.table.loadRealm('race-d'));

  assert.equal(await claimRealm(admin, 'race-e', apiCreator('master', 'boss')), 'new');
  await stack.table.putItem('race-e', { kind: 'role', name: 'leftover', composite: false });
  assert.equal(await deleteRealm(admin, 'race-e'), 2, 'sa-admin realm delete removes the claim and what was written');
  assert.deepEqual(await stack.table.listRealmItems('race-e'), []);
  assert.equal((await call('creator', 'POST', '/admin/realms', { realm: 'race-e' })).status, 201);
});

it('deleting a realm frees its name for a new creation', async () => {
  assert.equal((await call('boss', 'DELETE', '/admin/realms/race-c')).status, 204);
  assert.deepEqual((await stack.table.listRealmItems('race-c')).filter((item) => item.kind === 'realmClaim'), []);
  assert.equal((await call('boss', 'POST', '/admin/realms', { realm: 'race-c' })).status, 201);
});
