import { CLAIM_NAME, JSON_TYPE, MULTIVALUED } from './configProperties.js';
import { claimValue } from './claimValue.js';
import { escapeClaimKey } from '../../model/claimPath.js';
import type { ClaimWrite, MapperType } from './types.js';
import { claimProblems } from './validation.js';

const CLIENT_ID = '${client_id}';

/**
 * `oidc-usermodel-client-role-mapper` (UserClientRoleMappingMapper, priority 40). With
 * `usermodel.clientRoleMapping.clientId`, that client's resolved roles; without, once for every
 * client among the resolved roles. `${client_id}` in `claim.name` becomes the client id, its dots
 * and backslashes escaped so `shop.orders` stays one key. The role prefix is prepended as written
 * (upstream Keycloak does not replace `${client_id}` there, issue #24823). No roles: no claim.
 */
export const clientRole: MapperType = {
  id: 'oidc-usermodel-client-role-mapper',
  name: 'User Client Role',
  helpText: 'Maps the client roles in the token to a claim.',
  properties: [
    { name: 'usermodel.clientRoleMapping.clientId', label: 'Client ID', helpText: 'Client whose roles are mapped; empty maps every client.', type: 'ClientList' },
    { name: 'usermodel.clientRoleMapping.rolePrefix', label: 'Client Role prefix', helpText: 'A prefix for each client role (optional).', type: 'String' },
    MULTIVALUED,
    CLAIM_NAME,
    JSON_TYPE,
  ],
  priority: 40,
  reservedClaims: ['resource_access'],
  tokens: ['access', 'id', 'introspection'],
  map({ config, roles }) {
    const template = config['claim.name'];
    if (!template) return [];
    const only = config['usermodel.clientRoleMapping.clientId'];
    const prefix = config['usermodel.clientRoleMapping.rolePrefix'] ?? '';
    const owners = only ? [only] : [...roles.clients.keys()];
    const multivalued = config.multivalued === 'true';
    return owners.flatMap((owner): ClaimWrite[] => {
      const names = [...(roles.clients.get(owner) ?? [])];
      const name = template.split(CLIENT_ID).join(escapeClaimKey(owner));
      const value = claimValue(names.map((role) => prefix + role), config, name);
      if (value === undefined) return [];
      const standard = template === `resource_access.${CLIENT_ID}.roles` || name === `resource_access.${escapeClaimKey(owner)}.roles`;
      return [{ kind: 'claim', name, value, multivalued, addAll: multivalued && !standard }];
    });
  },
  validate: claimProblems,
};
