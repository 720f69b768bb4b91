import type { MapperType } from './types.js';

/**
 * `oidc-audience-resolve-mapper` (AudienceResolveProtocolMapper, priority 30, the `roles` scope):
 * every client that has a role among the resolved roles becomes an audience, except the client
 * asking for the token. Runs after the role-name and hardcoded-role mappers, so it sees their edits.
 */
export const audienceResolve: MapperType = {
  id: 'oidc-audience-resolve-mapper',
  name: 'Audience Resolve',
  helpText: 'Adds to the audience (aud) every client for which the token holds at least one client role.',
  properties: [],
  priority: 30,
  reservedClaims: ['aud'],
  tokens: ['access', 'introspection'],
  onByDefault: true,
  map({ roles, client }) {
    return [...roles.clients]
      .filter(([owner, names]) => owner !== client.clientId && names.size > 0)
      .map(([owner]) => ({ kind: 'audience', audience: owner }));
  },
};
