import type { MapperType } from './types.js';

/** `oidc-full-name-mapper` (FullNameMapper, the `profile` scope): `name` from the first and last name that are set. */
export const fullName: MapperType = {
  id: 'oidc-full-name-mapper',
  name: "User's full name",
  helpText: "Maps the user's first and last name to the name claim.",
  properties: [],
  priority: 0,
  tokens: ['access', 'id', 'introspection'],
  map({ user }) {
    const name = [user.firstName, user.lastName].filter((part) => part !== undefined && part !== '').join(' ');
    return name === '' ? [] : [{ kind: 'claim', name: 'name', value: name, multivalued: false }];
  },
};
