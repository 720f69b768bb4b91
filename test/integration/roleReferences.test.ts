/**
 * Every kind of stored item that names a role follows a client rename and a role rename, and
 * loses the role when it is deleted: one traversal (lib/store/roleReferences.ts) serves all four
 * admin operations, checked in DynamoDB Local. Besides a check per kind, each step checks that no
 * stored item of the realm still spells the old name at all, so a kind of item the traversal
 * misses (today's or one added later) fails here.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deleteClient, updateClient } from '../../lib/admin/clients.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { roleId } from '../../lib/admin/ids.js';
import { deleteRole, updateRole } from '../../lib/admin/roles.js';
import { stageNames } from '../../lib/deployment/stageNames.js';
import type { ClientsTableItem } from '../../lib/store/clientsTable.js';
import type { ClientRecord, RoleMappings } from '../../lib/model/stored.js';
import { freshStack, type TestStack } from '../support/localAws.js';

const REALM = 'demo';
let stack: TestStack;
let ctx: AdminContext;

const mappings = (realm: string[], client: Record<string, string[]>): RoleMappings => ({ realm, client });

function client(clientId: string, roles: RoleMappings, scopeMappings: RoleMappings): ClientsTableItem {
  const record: ClientRecord = {
    realm: REALM,
    clientId,
    id: `${clientId}-uuid`,
    enabled: true,
    publicClient: false,
    bearerOnly: false,
    serviceAccountsEnabled: true,
    fullScopeAllowed: false,
    clientAuthenticatorType: 'client-secret',
    defaultClientScopes: [],
    optionalClientScopes: [],
    attributes: {},
    notBefore: 0,
    serviceAccount: { id: `${clientId}-user`, username: `service-account-${clientId}`, roles, createdTimestamp: 1 },
    scopeMappings,
  };
  return { kind: 'client', ...record };
}

/**
 * One item of every kind that holds role names, each naming the realm role `auditor-x` and the
 * client role `entries` of `ledger`: a composite role, a client scope's scope mappings, a group's
 * role mappings, another client's service account and scope mappings, and the owning client's own.
 */
const HOLDERS: ClientsTableItem[] = [
  { kind: 'role', name: 'auditor-x', composite: false },
  { kind: 'role', client: 'ledger', name: 'entries', composite: false },
  { kind: 'role', name: 'bundle', composite: true, composites: mappings(['auditor-x'], { ledger: ['entries'] }) },
  { kind: 'role', client: 'ledger', name: 'all', composite: true, composites: mappings(['auditor-x'], { ledger: ['entries'] }) },
  { kind: 'clientScope', name: 'ledger-scope', protocol: 'openid-connect', includeInTokenScope: true, attributes: {}, scopeMappings: mappings(['auditor-x'], { ledger: ['entries'] }) },
  { kind: 'group', id: 'b1000000-0000-4000-8000-000000000001', name: 'readers', path: '/readers', attributes: {}, roles: mappings(['auditor-x'], { ledger: ['entries'] }) },
  client('ledger', mappings(['auditor-x'], { ledger: ['entries'] }), mappings([], { ledger: ['entries'] })),
  client('worker', mappings(['auditor-x'], { ledger: ['entries'], 'product-api': ['read'] }), mappings(['auditor-x'], { ledger: ['entries'] })),
];

const items = () => stack.table.listRealmItems(REALM);

/** The stored items of the realm that still spell `name` as a JSON string or key. */
async function holdersOf(name: string): Promise<string[]> {
  const quoted = JSON.stringify(name);
  return (await items()).filter((item) => JSON.stringify(item).includes(quoted)).map((item) => `${item.kind} ${JSON.stringify(item).slice(0, 120)}`);
}

/** The mappings each holder has now, by kind and name, for the per-kind checks. */
async function heldMappings(): Promise<Map<string, RoleMappings>> {
  const held = new Map<string, RoleMappings>();
  for (const item of await items()) {
    if (item.kind === 'role' && item.composites && HOLDER_ROLES.has(item.name)) held.set(`composite ${item.client ?? ''}/${item.name}`, item.composites);
    if (item.kind === 'clientScope' && item.name === 'ledger-scope') held.set('client scope', item.scopeMappings);
    if (item.kind === 'group' && item.path === '/readers') held.set('group', item.roles);
    if (item.kind === 'client' && item.serviceAccount && HOLDER_CLIENTS.has(item.id)) {
      held.set(`service account ${item.id}`, item.serviceAccount.roles);
      held.set(`scope mappings ${item.id}`, item.scopeMappings);
    }
  }
  return held;
}
const HOLDER_CLIENTS = new Set(['ledger-uuid', 'worker-uuid']);
const HOLDER_ROLES = new Set(['bundle', 'all']);

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
  ctx = { names: stageNames('test', stack.table.tableName), table: stack.table, kms: stack.kms, now: () => Math.floor(Date.now() / 1000) };
  for (const item of HOLDERS) await stack.table.putItem(REALM, item);
});

describe('role references', () => {
  it('a client rename moves its roles and renames every mapping of them, in every kind of item', async () => {
    const entriesId = roleId(REALM, (await stack.table.getRole(REALM, { client: 'ledger', name: 'entries' }))!);
    await updateClient(ctx, REALM, 'ledger', { clientId: 'ledger-v2' });

    assert.deepEqual(await holdersOf('ledger'), [], 'no item names the old clientId');
    const held = await heldMappings();
    assert.deepEqual([...held.keys()].sort(), [
      'client scope',
      'composite /bundle',
      'composite ledger-v2/all',
      'group',
      'scope mappings ledger-uuid',
      'scope mappings worker-uuid',
      'service account ledger-uuid',
      'service account worker-uuid',
    ]);
    for (const [holder, roles] of held) {
      if (holder !== 'scope mappings ledger-uuid') assert.deepEqual(roles.realm, ['auditor-x'], holder);
      assert.deepEqual(roles.client['ledger-v2'], ['entries'], holder);
    }
    assert.deepEqual(held.get('service account worker-uuid')!.client['product-api'], ['read'], 'other owners stay');
    const moved = await stack.table.listRoles(REALM, { client: 'ledger-v2' });
    assert.deepEqual(moved.map((role) => role.name).sort(), ['all', 'entries']);
    assert.equal(moved.find((role) => role.name === 'entries')!.id, entriesId, "a role's id survives its owner's rename");
    assert.deepEqual(await stack.table.listRoles(REALM, { client: 'ledger' }), []);
  });

  it('a role rename renames every mapping of it, and the role keeps its id', async () => {
    const before = (await stack.table.getRole(REALM, { name: 'auditor-x' }))!;
    await updateRole(ctx, REALM, { name: 'auditor-x' }, { name: 'auditor-y' });

    assert.deepEqual(await holdersOf('auditor-x'), [], 'no item names the old role name');
    for (const [holder, roles] of await heldMappings()) {
      if (holder !== 'scope mappings ledger-uuid') assert.deepEqual(roles.realm, ['auditor-y'], holder);
    }
    assert.equal((await stack.table.getRole(REALM, { name: 'auditor-y' }))!.id, roleId(REALM, before));
    assert.equal(await stack.table.getRole(REALM, { name: 'auditor-x' }), undefined);
  });

  it('a role deletion removes it from every kind of item', async () => {
    const { referencesRemoved } = await deleteRole(ctx, REALM, { name: 'auditor-y' });

    assert.deepEqual(await holdersOf('auditor-y'), [], 'no item names the deleted role');
    const held = await heldMappings();
    for (const [holder, roles] of held) assert.deepEqual(roles.realm, [], holder);
    // Two composites, the client scope, the group, two clients (their service account and scope mappings).
    assert.equal(referencesRemoved, 6);
  });

  it("a client deletion deletes its roles and removes them from every other kind of item", async () => {
    const result = await deleteClient(ctx, REALM, 'ledger-v2');

    assert.deepEqual(await holdersOf('ledger-v2'), [], 'no item names the deleted client');
    assert.equal(result.rolesDeleted, 2);
    // The composite `bundle`, the client scope, the group and the worker.
    assert.equal(result.referencesRemoved, 4);
    const held = await heldMappings();
    assert.deepEqual([...held.keys()].sort(), ['client scope', 'composite /bundle', 'group', 'scope mappings worker-uuid', 'service account worker-uuid']);
    for (const [holder, roles] of held) assert.equal(roles.client['ledger-v2'], undefined, holder);
    assert.deepEqual(held.get('service account worker-uuid'), mappings([], { 'product-api': ['read'] }));
  });
});
