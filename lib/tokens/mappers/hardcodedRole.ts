import type { MapperType } from './types.js';
import { parseRoleRef, required } from './validation.js';

/**
 * `oidc-hardcoded-role-mapper` (HardcodedRole, priority 20): puts `role` (`clientId.roleName` or a
 * realm role) among the resolved roles whether or not the service account holds it, whether or not
 * it is in scope or even exists. It writes no claim itself: the role mappers that run later do.
 */
export const hardcodedRole: MapperType = {
  id: 'oidc-hardcoded-role-mapper',
  name: 'Hardcoded Role',
  helpText: 'Adds a role to the token, whether or not the service account holds it.',
  properties: [{ name: 'role', label: 'Role', helpText: "Role to add to the token: 'clientId.role' for a client role.", type: 'Role' }],
  priority: 20,
  tokens: ['access', 'introspection'],
  ignoresFlags: true,
  map({ config }) {
    return config.role ? [{ kind: 'addRole', role: parseRoleRef(config.role) }] : [];
  },
  validate: (config) => required(config, 'role'),
};
