import { CLAIM_NAME, JSON_TYPE } from './configProperties.js';
import { claimValue } from './claimValue.js';
import type { MapperInput, MapperType } from './types.js';
import { claimProblems, required } from './validation.js';

/**
 * `oidc-usermodel-property-mapper` (UserPropertyMapper): a UserModel getter named by
 * `user.attribute` (first letter in either case), its value as text, then `jsonType.label`.
 * An unknown property or a null value: no claim.
 */
export const userProperty: MapperType = {
  id: 'oidc-usermodel-property-mapper',
  name: 'User Property',
  helpText: "Maps a built-in property of the service account's user (username, email, …) to a token claim.",
  properties: [
    { name: 'user.attribute', label: 'Property', helpText: 'Name of the property method in the UserModel interface (username, email, firstName, lastName).', type: 'String' },
    CLAIM_NAME,
    JSON_TYPE,
  ],
  priority: 0,
  tokens: ['access', 'id', 'introspection'],
  map(input) {
    const name = input.config['claim.name'];
    const property = input.config['user.attribute'];
    if (!name || !property) return [];
    const value = claimValue(propertyOf(input, property), input.config, name);
    return value === undefined ? [] : [{ kind: 'claim', name, value, multivalued: input.config.multivalued === 'true' }];
  },
  validate: (config) => [...claimProblems(config), ...required(config, 'user.attribute')],
};

function propertyOf({ user, client }: MapperInput, property: string): string | undefined {
  switch (property.charAt(0).toLowerCase() + property.slice(1)) {
    case 'username':
      return user.username;
    case 'email':
      return user.email;
    case 'firstName':
      return user.firstName;
    case 'lastName':
      return user.lastName;
    case 'emailVerified':
      return String(user.emailVerified ?? false);
    case 'enabled':
      return 'true';
    case 'id':
      return user.id;
    case 'createdTimestamp':
      return user.createdTimestamp === undefined ? undefined : String(user.createdTimestamp);
    case 'serviceAccountClientLink':
      // Keycloak links the user to the client's internal id.
      return client.id;
    default:
      return undefined;
  }
}
