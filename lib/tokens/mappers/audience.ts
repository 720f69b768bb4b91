import type { MapperType } from './types.js';

/**
 * `oidc-audience-mapper` (AudienceProtocolMapper): adds one audience, a client id
 * (`included.client.audience`, taken as is) or any string (`included.custom.audience`, ignored
 * when a client is given).
 */
export const audience: MapperType = {
  id: 'oidc-audience-mapper',
  name: 'Audience',
  helpText: "Adds the given audience to the token's audience (aud) claim.",
  properties: [
    { name: 'included.client.audience', label: 'Included Client Audience', helpText: 'The client id of the audience added to the token.', type: 'ClientList' },
    { name: 'included.custom.audience', label: 'Included Custom Audience', helpText: 'A custom audience, used only when no client audience is given.', type: 'String' },
  ],
  priority: 0,
  reservedClaims: ['aud'],
  tokens: ['access', 'id', 'introspection'],
  // Keycloak's AudienceProtocolMapper starts its ID token switch off.
  switchDefaults: { id: false },
  map({ config }) {
    const value = config['included.client.audience'] || config['included.custom.audience'];
    return value ? [{ kind: 'audience', audience: value }] : [];
  },
  validate: (config) =>
    config['included.client.audience'] || config['included.custom.audience'] ? [] : ["'included.client.audience' or 'included.custom.audience' is required"],
};
