import { CLIENT_AUTHENTICATOR_TYPES } from '../model/clientAuthenticator.js';
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

/** The OpenID Connect mapper types Keycloak lists; audience and hardcoded-claim ones take effect here. */
const PROTOCOL_MAPPER_TYPES = [
  ['oidc-audience-mapper', 'Audience'],
  ['oidc-hardcoded-claim-mapper', 'Hardcoded claim'],
  ['oidc-hardcoded-role-mapper', 'Hardcoded Role'],
  ['oidc-usermodel-realm-role-mapper', 'User Realm Role'],
  ['oidc-usermodel-client-role-mapper', 'User Client Role'],
  ['oidc-audience-resolve-mapper', 'Audience Resolve'],
  ['oidc-usersessionmodel-note-mapper', 'User Session Note'],
  ['oidc-sub-mapper', 'Subject (sub)'],
] as const;


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
      'protocol-mapper': providers(PROTOCOL_MAPPER_TYPES.map(([id]) => id)),
    },
    protocolMapperTypes: {
      'openid-connect': PROTOCOL_MAPPER_TYPES.map(([id, name]) => ({ id, name, category: 'Token mapper', helpText: '', priority: 0, properties: [] })),
    },
    clientInstallations: {},
    enums: {},
  };
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
