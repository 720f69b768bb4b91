import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withGroupRoles } from '../../lib/admin/mappings.js';
import type { Group, ServiceAccountUser } from '../../lib/model/stored.js';
import { tokenRealm } from '../../lib/tokens/tokenContext.js';

/**
 * Issue 18, finding 3: the Admin API's effective roles (role-mappings/…/composite) and the token's
 * roles come from one algorithm for roles held through groups.
 */
describe('roles held through groups', () => {
  const group = (path: string, realm: string[]): Group => {
    const cut = path.lastIndexOf('/');
    return { id: path, name: path.slice(cut + 1), path, ...(cut > 0 ? { parentPath: path.slice(0, cut) } : {}), attributes: {}, roles: { realm, client: {} } } as Group;
  };
  const groups = [group('/team', ['team-role']), group('/team/devs', ['dev-role'])];
  const account = (paths: string[]): ServiceAccountUser => ({ id: 'u', username: 'service-account-x', roles: { realm: ['own'], client: {} }, groups: paths });
  const tokenRoles = (user: ServiceAccountUser) => {
    const realm = tokenRealm({ settings: {} as never, compositeRoles: [], clientScopes: [], groups });
    return realm.groups.memberships(user).flatMap(({ group: g, ancestors }) => [g, ...ancestors].flatMap((source) => source.roles.realm));
  };

  test('a member holds its group roles and its ancestors, in the Admin API as in the token', () => {
    const user = account(['/team/devs']);
    assert.deepEqual(withGroupRoles(user, groups).realm.sort(), ['dev-role', 'own', 'team-role']);
    assert.deepEqual(['own', ...tokenRoles(user)].sort(), withGroupRoles(user, groups).realm.sort());
  });

  test('a membership of a deleted group gives nothing, not even its former parent roles (the Admin API used to say it did)', () => {
    const user = account(['/team/gone']);
    assert.deepEqual(tokenRoles(user), []);
    assert.deepEqual(withGroupRoles(user, groups).realm, ['own']);
  });
});
