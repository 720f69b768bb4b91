import type { ClientRecord } from '../../model/stored.js';
import type { MapperType } from './types.js';

/**
 * `oidc-allowed-origins-mapper` (AllowedWebOriginsProtocolMapper, the `web-origins` scope): the
 * client's `webOrigins`, `+` standing for the origins of its redirect URIs
 * (WebOriginsUtils.resolveValidWebOrigins). No web origins: no claim.
 */
export const allowedOrigins: MapperType = {
  id: 'oidc-allowed-origins-mapper',
  name: 'Allowed Web Origins',
  helpText: "Adds the client's web origins to the allowed-origins claim.",
  properties: [],
  priority: 0,
  tokens: ['access', 'introspection'],
  onByDefault: true,
  map({ client }) {
    const origins = resolveWebOrigins(client);
    return origins.length === 0 ? [] : [{ kind: 'claim', name: 'allowed-origins', value: origins, multivalued: true }];
  },
};

export function resolveWebOrigins(client: ClientRecord): string[] {
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const webOrigins = strings(client.extra?.webOrigins);
  const origins = new Set<string>();
  for (const entry of webOrigins) {
    if (entry !== '+') {
      origins.add(entry);
      continue;
    }
    const rootUrl = typeof client.extra?.rootUrl === 'string' ? client.extra.rootUrl : undefined;
    for (const uri of strings(client.extra?.redirectUris)) {
      const origin = originOf(uri.startsWith('/') && rootUrl ? rootUrl + uri : uri);
      if (origin) origins.add(origin);
    }
  }
  return [...origins];
}

function originOf(uri: string): string | undefined {
  try {
    const url = new URL(uri.replace(/\*$/, ''));
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
