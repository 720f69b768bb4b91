import type { MapperType } from './types.js';

/**
 * `oidc-audience-mapper` (AudienceProtocolMapper): adds one audience, a client id
 * (`included.client.audience`, taken as is) or any string (`included.custom.audience`, ignored
 * when a client is given).
 */
export const audience: MapperType = {
  id: 'oidc-audience-mapper',
  priority: 0,
  reservedClaims: ['aud'],
  tokens: ['access', 'id', 'introspection'],
  map({ config }) {
    const value = config['included.client.audience'] || config['included.custom.audience'];
    return value ? [{ kind: 'audience', audience: value }] : [];
  },
  validate: (config) =>
    config['included.client.audience'] || config['included.custom.audience'] ? [] : ["'included.client.audience' or 'included.custom.audience' is required"],
};
