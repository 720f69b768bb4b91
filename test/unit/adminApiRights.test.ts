import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALL_RIGHTS,
  decideAccess,
  isAnyAdmin,
  mayCreateRealm,
  mayMapRole,
  REALM_MANAGEMENT_CLIENT,
  rightsIn,
  type AdminCaller,
  type Right,
} from '../../lib/adminApi/rights.js';

const rm = (...names: string[]) => names.map((name) => ({ client: REALM_MANAGEMENT_CLIENT, name }));
const caller = (realm: string, roles: AdminCaller['roles']): AdminCaller => ({ realm, clientId: 'c', roles });
const masterAdmin = caller('master', [{ name: 'admin' }]);
const rights = (c: AdminCaller, realm = c.realm) => [...rightsIn(c, realm)].sort();

describe('Admin API rights table (reference §2)', () => {
  test("master's admin holds every right in every realm, create-realm included", () => {
    assert.deepEqual(rights(masterAdmin, 'any'), [...ALL_RIGHTS].sort());
    assert.ok(mayCreateRealm(masterAdmin));
  });

  test("master's create-realm may only create realms", () => {
    const creator = caller('master', [{ name: 'create-realm' }]);
    assert.ok(mayCreateRealm(creator));
    assert.deepEqual(rights(creator, 'other'), []);
    assert.equal(decideAccess(creator, 'other', true, 'view-realm'), 'check-sub-resource');
  });

  test('each realm-management role grants exactly the rights of the table', () => {
    const expected: Record<string, Right[]> = {
      'view-realm': ['view-realm'],
      'manage-realm': ['manage-realm', 'view-realm'],
      'query-clients': ['list-clients'],
      'view-clients': ['list-clients', 'view-clients'],
      'manage-clients': ['list-clients', 'manage-clients', 'view-clients'],
      'query-users': ['list-clients', 'list-users'],
      'view-users': ['list-groups', 'list-users', 'view-users'],
      'manage-users': ['list-groups', 'list-users', 'manage-groups', 'manage-users', 'map-roles', 'view-users'],
      'query-groups': ['list-groups'],
      'create-client': [],
      'view-events': [],
    };
    for (const [role, granted] of Object.entries(expected)) {
      assert.deepEqual(rights(caller('r', rm(role))), [...granted].sort(), role);
    }
  });

  test('realm-admin holds every right of its realm but create-realm, even without stored composites', () => {
    assert.deepEqual(rights(caller('r', rm('realm-admin'))), ALL_RIGHTS.filter((right) => right !== 'create-realm').sort());
  });

  test('a realm token reaches its own realm only; roles of other clients or realm roles grant nothing', () => {
    const admin = caller('r', rm('realm-admin'));
    assert.deepEqual(rights(admin, 'other'), []);
    assert.equal(decideAccess(admin, 'other', true, 'view-realm'), 'forbidden');
    assert.equal(decideAccess(admin, 'other', true, undefined), 'forbidden');
    assert.deepEqual(rights(caller('r', [{ name: 'manage-clients' }, { client: 'other', name: 'manage-clients' }])), []);
    assert.equal(mayCreateRealm(admin), false);
  });

  test("a master token without master's admin holds no realm-management rights elsewhere", () => {
    assert.deepEqual(rights(caller('master', rm('realm-admin')), 'r'), []);
  });

  test("order of checks: realm existence before reach, reach before the right", () => {
    const viewer = caller('r', rm('view-clients'));
    assert.equal(decideAccess(viewer, 'nope', false, 'view-clients'), 'realm-not-found');
    assert.equal(decideAccess(viewer, 'other', true, 'view-clients'), 'forbidden');
    assert.equal(decideAccess(viewer, 'r', true, 'view-clients'), 'allow');
    assert.equal(decideAccess(viewer, 'r', true, 'manage-clients'), 'check-sub-resource');
    assert.equal(decideAccess(viewer, 'r', true, undefined), 'allow');
    assert.equal(decideAccess(viewer, 'r', true, 'create-realm'), 'forbidden');
    assert.equal(decideAccess(masterAdmin, 'r', true, 'create-realm'), 'allow');
  });

  test('serverinfo needs some admin right', () => {
    assert.ok(isAnyAdmin(masterAdmin));
    assert.ok(isAnyAdmin(caller('r', rm('query-clients'))));
    assert.equal(isAnyAdmin(caller('r', [{ name: 'offline_access' }])), false);
    assert.equal(isAnyAdmin(caller('master', [{ name: 'offline_access' }])), false);
  });

  test('admin roles are mappable only by holders (RolePermissions.checkAdminRoles)', () => {
    const userManager = caller('r', rm('manage-users'));
    assert.ok(mayMapRole(userManager, 'r', { name: 'reader' }));
    assert.ok(mayMapRole(userManager, 'r', { client: 'api', name: 'write' }));
    assert.ok(mayMapRole(userManager, 'r', { client: REALM_MANAGEMENT_CLIENT, name: 'manage-users' }));
    assert.equal(mayMapRole(userManager, 'r', { client: REALM_MANAGEMENT_CLIENT, name: 'manage-clients' }), false);
    assert.equal(mayMapRole(userManager, 'r', { client: REALM_MANAGEMENT_CLIENT, name: 'realm-admin' }), false);
    assert.ok(mayMapRole(caller('r', rm('realm-admin', 'manage-users')), 'r', { client: REALM_MANAGEMENT_CLIENT, name: 'manage-clients' }));
    assert.ok(mayMapRole(masterAdmin, 'r', { client: REALM_MANAGEMENT_CLIENT, name: 'realm-admin' }));
    assert.equal(mayMapRole(caller('master', [{ name: 'create-realm' }]), 'master', { name: 'create-realm' }), false);
    assert.ok(mayMapRole(masterAdmin, 'master', { name: 'admin' }));
  });

  test("holding an admin role in one realm gives no right to map another realm's admin roles", () => {
    const realmAdmin = caller('r', rm('realm-admin', 'manage-users'));
    assert.equal(mayMapRole(realmAdmin, 'other', { client: REALM_MANAGEMENT_CLIENT, name: 'manage-users' }), false);
    assert.equal(mayMapRole(realmAdmin, 'other', { client: REALM_MANAGEMENT_CLIENT, name: 'realm-admin' }), false);
    // Ordinary roles of another realm are not this rule's to refuse (reaching the realm is checked before).
    assert.ok(mayMapRole(realmAdmin, 'other', { name: 'reader' }));
  });

  test('only the exact admin roles are guarded: same names elsewhere are ordinary roles', () => {
    const nobody = caller('r', []);
    assert.ok(mayMapRole(nobody, 'r', { name: 'admin' }), "a realm role 'admin' outside master");
    assert.ok(mayMapRole(nobody, 'r', { name: 'create-realm' }));
    assert.ok(mayMapRole(nobody, 'r', { name: 'realm-admin' }), 'a realm role named like realm-management’s');
    assert.ok(mayMapRole(nobody, 'r', { client: 'api', name: 'manage-users' }), 'a client role of another client');
    assert.ok(mayMapRole(nobody, 'r', { client: REALM_MANAGEMENT_CLIENT, name: 'custom' }), 'a non-admin role of realm-management');
    const masterNobody = caller('master', [{ name: 'offline_access' }]);
    assert.ok(mayMapRole(masterNobody, 'master', { client: 'api', name: 'admin' }));
    assert.ok(mayMapRole(masterNobody, 'master', { name: 'reader' }));
    assert.equal(mayMapRole(masterNobody, 'master', { name: 'admin' }), false);
    assert.equal(mayMapRole(caller('master', [{ name: 'create-realm' }]), 'master', { name: 'admin' }), false);
  });

  test("master's roles count only in master, and master's realm-management roles give no realm rights", () => {
    assert.equal(mayCreateRealm(caller('r', [{ name: 'create-realm' }])), false);
    assert.equal(mayCreateRealm(caller('r', [{ name: 'admin' }])), false);
    assert.equal(rightsIn(caller('master', rm('manage-users')), 'master').size, 0);
  });
});
