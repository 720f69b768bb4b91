import { CLIENT_AUTHENTICATOR_TYPES } from '../model/clientAuthenticator.js';
import type { ProtocolMapperRepresentation } from '../representation/protocolMapper.js';
import { builtInClientScopes } from '../tokens/builtInScopes.js';
import { configProperties } from '../tokens/mappers/configProperties.js';
import { MAPPER_TYPES, OIDC } from '../tokens/mappers/registry.js';
import { forbidden } from './errors.js';
import { isAnyAdmin } from './rights.js';
import { ok, type AdminRoute } from './route.js';

/**
 * `GET /admin/serverinfo` (Keycloak's ServerInfoAdminResource), reduced to what clients read: the
 * Terraform provider calls it at every login and before each client write, parses
 * `systemInfo.version` (never empty) and looks up themes and providers by name.
 */

/** The Keycloak release whose Admin REST API this service answers like. */
export const KEYCLOAK_COMPATIBLE_VERSION = '26.0.0';

function serverInfo() {
  const providers = (ids: readonly string[]) => ({ providers: Object.fromEntries(ids.map((id) => [id, { order: 0, operationalInfo: {} }])) });
  return {
    systemInfo: { version: KEYCLOAK_COMPATIBLE_VERSION, serverTime: new Date().toISOString() },
    themes: Object.fromEntries(['login', 'account', 'admin', 'email', 'welcome', 'common'].map((type) => [type, [{ name: 'keycloak', locales: ['en'] }]])),
    features: [] as { name: string; enabled: boolean }[],
    componentTypes: {},
    providers: {
      'client-authenticator': providers(CLIENT_AUTHENTICATOR_TYPES),
      'login-protocol': providers(['openid-connect']),
      'protocol-mapper': providers([...MAPPER_TYPES.keys()]),
    },
    // Every type this service applies, with its settings (Keycloak's ProtocolMapperTypeRepresentation).
    protocolMapperTypes: {
      [OIDC]: [...MAPPER_TYPES.values()].map((type) => ({
        id: type.id,
        name: type.name,
        category: 'Token mapper',
        helpText: type.helpText,
        priority: type.priority,
        properties: configProperties(type).map((property) => ({ secret: false, required: false, readOnly: false, ...property })),
      })),
    },
    builtinProtocolMappers: { [OIDC]: builtinProtocolMappers() },
    clientInstallations: {},
    enums: {},
  };
}

/**
 * The console's "Add predefined mappers" list (OIDCLoginProtocolFactory.getBuiltinMappers): the
 * mappers of the built-in client scopes, once each by name, without ids (each is added as a new
 * mapper), and only of the types this service applies: the Admin API refuses the others.
 */
type BuiltinMapper = Omit<ProtocolMapperRepresentation, 'id'>;
let builtins: BuiltinMapper[] | undefined;
function builtinProtocolMappers() {
  if (!builtins) {
    const byName = new Map<string, BuiltinMapper>();
    for (const mapper of builtInClientScopes(() => '').flatMap((scope) => scope.protocolMappers ?? [])) {
      if (!MAPPER_TYPES.has(mapper.protocolMapper) || byName.has(mapper.name)) continue;
      byName.set(mapper.name, { name: mapper.name, protocol: mapper.protocol, protocolMapper: mapper.protocolMapper, consentRequired: false, config: { ...mapper.config } });
    }
    builtins = [...byName.values()];
  }
  return builtins;
}

export const serverInfoRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/serverinfo',
    right: null,
    // Any valid token that holds some admin right (ServerInfoAdminResource needs an admin realm auth).
    handle: async (call) => {
      if (!isAnyAdmin(call.caller)) throw forbidden();
      return ok(serverInfo());
    },
  },
];
