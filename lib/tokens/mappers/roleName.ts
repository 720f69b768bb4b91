import type { MapperType } from './types.js';
import { parseRoleRef, required } from './validation.js';

/**
 * `oidc-role-name-mapper` (RoleNameMapper, priority 10): when the resolved roles hold `role`, it is
 * replaced by `new.role.name` (`newname` a realm role, `client.newname` that client's role).
 */
export const roleName: MapperType = {
  id: 'oidc-role-name-mapper',
  name: 'Role Name Mapper',
  helpText: 'Gives a role the token holds another name, or moves it to another client.',
  properties: [
    { name: 'role', label: 'Role', helpText: "Role name you want changed: 'clientId.role' for a client role.", type: 'Role' },
    { name: 'new.role.name', label: 'New Role Name', helpText: "The new role name: 'clientId.role' makes it a client role.", type: 'String' },
  ],
  priority: 10,
  tokens: ['access', 'id', 'introspection'],
  ignoresFlags: true,
  map({ config, roles }) {
    if (!config.role || !config['new.role.name']) return [];
    const from = parseRoleRef(config.role);
    const held = from.client === undefined ? roles.realm.has(from.name) : (roles.clients.get(from.client)?.has(from.name) ?? false);
    return held ? [{ kind: 'renameRole', from, to: parseRoleRef(config['new.role.name']) }] : [];
  },
  validate: (config) => required(config, 'role', 'new.role.name'),
};
