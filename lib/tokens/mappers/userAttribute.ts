import { CLAIM_NAME, JSON_TYPE, MULTIVALUED } from './configProperties.js';
import { ownValue } from '../../model/userKeys.js';
import type { Group, ServiceAccountUser } from '../../model/stored.js';
import { claimValue } from './claimValue.js';
import type { Membership, MapperType } from './types.js';
import { claimProblems, required } from './validation.js';

/**
 * `oidc-usermodel-attribute-mapper` (UserAttributeMapper): the values of `user.attribute`, as
 * KeycloakModelUtils.resolveAttribute finds them. Without `aggregate.attrs`: the user's own values,
 * else those of the first of its groups that has the attribute (its own or its nearest ancestor's).
 * With `aggregate.attrs` "true": the set of the user's values and every group's (with ancestors).
 */
export const userAttribute: MapperType = {
  id: 'oidc-usermodel-attribute-mapper',
  name: 'User Attribute',
  helpText: "Maps an attribute of the service account's user to a token claim.",
  properties: [
    { name: 'user.attribute', label: 'User Attribute', helpText: 'Name of the stored user attribute.', type: 'String' },
    CLAIM_NAME,
    JSON_TYPE,
    MULTIVALUED,
    { name: 'aggregate.attrs', label: 'Aggregate attribute values', helpText: 'Merge this attribute with the values other mappers put under the same claim.', type: 'boolean', defaultValue: 'false' },
  ],
  priority: 0,
  tokens: ['access', 'id', 'introspection'],
  map({ config, user, memberships }) {
    const name = config['claim.name'];
    const attribute = config['user.attribute'];
    if (!name || !attribute) return [];
    const values = resolveAttribute(user, memberships, attribute, config['aggregate.attrs'] === 'true');
    const value = claimValue(values, config, name);
    return value === undefined ? [] : [{ kind: 'claim', name, value, multivalued: config.multivalued === 'true' }];
  },
  validate: (config) => [...claimProblems(config), ...required(config, 'user.attribute')],
};

/** The profile fields Keycloak's UserModel also answers as attributes (UserModel.USERNAME, EMAIL, FIRST_NAME, LAST_NAME). */
function ownValues(user: ServiceAccountUser, attribute: string): string[] {
  switch (attribute) {
    case 'username':
      return [user.username];
    case 'email':
      return user.email ? [user.email] : [];
    case 'firstName':
      return user.firstName ? [user.firstName] : [];
    case 'lastName':
      return user.lastName ? [user.lastName] : [];
    default:
      return ownValue(user.attributes, attribute) ?? [];
  }
}

function groupValues(membership: Membership, attribute: string, withAncestors: 'nearest' | 'all'): string[] {
  const chain: Group[] = [membership.group, ...membership.ancestors];
  if (withAncestors === 'nearest') return chain.map((group) => ownValue(group.attributes, attribute) ?? []).find((values) => values.length > 0) ?? [];
  return chain.flatMap((group) => ownValue(group.attributes, attribute) ?? []);
}

export function resolveAttribute(user: ServiceAccountUser, memberships: Membership[], attribute: string, aggregate: boolean): string[] {
  const own = ownValues(user, attribute);
  if (aggregate) return [...new Set([...own, ...memberships.flatMap((m) => groupValues(m, attribute, 'all'))])];
  if (own.length > 0) return own;
  for (const membership of memberships) {
    const values = groupValues(membership, attribute, 'nearest');
    if (values.length > 0) return values;
  }
  return [];
}
