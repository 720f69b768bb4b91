import { CLAIM_NAME, JSON_TYPE, MULTIVALUED } from './configProperties.js';
import { claimValue } from './claimValue.js';
import type { MapperType } from './types.js';
import { claimProblems } from './validation.js';

/** Keycloak's own place for realm roles: the token's `realm_access` object. */
const REALM_ACCESS = 'realm_access.roles';

/**
 * `oidc-usermodel-realm-role-mapper` (UserRealmRoleMappingMapper, priority 40): the resolved realm
 * roles, each with `usermodel.realmRoleMapping.rolePrefix` in front. Under `realm_access.roles` they
 * join what is there (a set); under any other path an existing collection is extended as is.
 */
export const realmRole: MapperType = {
  id: 'oidc-usermodel-realm-role-mapper',
  name: 'User Realm Role',
  helpText: 'Maps the realm roles in the token to a claim.',
  properties: [
    { name: 'usermodel.realmRoleMapping.rolePrefix', label: 'Realm Role prefix', helpText: 'A prefix for each realm role (optional).', type: 'String' },
    MULTIVALUED,
    CLAIM_NAME,
    JSON_TYPE,
  ],
  priority: 40,
  reservedClaims: ['realm_access'],
  tokens: ['access', 'id', 'introspection'],
  map({ config, roles }) {
    const name = config['claim.name'];
    if (!name) return [];
    const prefix = config['usermodel.realmRoleMapping.rolePrefix'] ?? '';
    const value = claimValue([...roles.realm].map((role) => prefix + role), config, name);
    if (value === undefined) return [];
    const multivalued = config.multivalued === 'true';
    return [{ kind: 'claim', name, value, multivalued, addAll: multivalued && name !== REALM_ACCESS }];
  },
  validate: claimProblems,
};
