import type { MapperType } from './types.js';

/** `oidc-sub-mapper` (SubMapper, priority −10, the `basic` scope): `sub` is the service-account user's id. */
export const sub: MapperType = {
  id: 'oidc-sub-mapper',
  name: 'Subject (sub)',
  helpText: "Adds the subject (sub) claim: the service account's user id.",
  properties: [],
  priority: -10,
  reservedClaims: ['sub'],
  tokens: ['access', 'introspection'],
  map: ({ user }) => [{ kind: 'claim', name: 'sub', value: user.id, multivalued: false }],
};
