import type { MapperInput, MapperType } from './types.js';

/**
 * `oidc-acr-mapper` (AcrProtocolMapper, the `acr` scope). A client-credentials grant is level 1
 * (not SSO); `acr.loa.map` (client attribute, else realm attribute: JSON name → level) may name it.
 */
export const acr: MapperType = {
  id: 'oidc-acr-mapper',
  name: 'Authentication Context Class Reference (ACR)',
  helpText: 'Adds the authentication context class reference (acr) claim.',
  properties: [],
  priority: 0,
  tokens: ['access', 'id', 'introspection'],
  map: (input) => [{ kind: 'claim', name: 'acr', value: levelName(input, 1), multivalued: false }],
};

function levelName({ client, realm }: MapperInput, level: number): string {
  const realmAttributes = (realm.extra?.attributes ?? {}) as Record<string, unknown>;
  for (const source of [client.attributes['acr.loa.map'], realmAttributes['acr.loa.map']]) {
    if (typeof source !== 'string' || source === '') continue;
    try {
      const map = JSON.parse(source) as Record<string, unknown>;
      const name = Object.entries(map).find(([, value]) => Number(value) === level)?.[0];
      if (name !== undefined) return name;
      return String(level);
    } catch {
      // Keycloak ignores an unreadable map and falls back to the level itself.
    }
  }
  return String(level);
}
