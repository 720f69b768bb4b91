import { CLAIM_NAME } from './configProperties.js';
import type { MapperType } from './types.js';
import { claimProblems } from './validation.js';

/**
 * `oidc-group-membership-mapper` (GroupMembershipMapper): the user's direct groups, as full paths
 * (`/parent/child`) when `full.path` is "true", else by name. Always multivalued, so always an array.
 */
export const groupMembership: MapperType = {
  id: 'oidc-group-membership-mapper',
  name: 'Group Membership',
  helpText: 'Maps the groups the service account belongs to to a claim.',
  properties: [CLAIM_NAME, { name: 'full.path', label: 'Full group path', helpText: "Include the full path of the group, e.g. '/top/level1/level2'.", type: 'boolean', defaultValue: 'true' }],
  priority: 0,
  tokens: ['access', 'id', 'introspection'],
  map({ config, memberships }) {
    const name = config['claim.name'];
    if (!name || memberships.length === 0) return [];
    const fullPath = config['full.path'] === 'true';
    return [{ kind: 'claim', name, value: memberships.map(({ group }) => (fullPath ? group.path : group.name)), multivalued: true }];
  },
  validate: claimProblems,
};
