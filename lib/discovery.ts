import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from './clientAuth/clientAssertion.js';
import type { RealmContext } from './realmContext.js';

/**
 * The OpenID Provider metadata (OIDC Discovery §3) for what this service does: service accounts
 * only, so no authorization or userinfo endpoints are advertised.
 */
export function discoveryDocument(issuer: string, realm: RealmContext, grantTypes: string[], authMethods: string[]) {
  const oidc = `${issuer}/protocol/openid-connect`;
  const algorithms = [...new Set([realm.settings.defaultSignatureAlgorithm, 'RS256', 'ES256'])];
  return {
    issuer,
    token_endpoint: `${oidc}/token`,
    introspection_endpoint: `${oidc}/token/introspect`,
    end_session_endpoint: `${oidc}/logout`,
    revocation_endpoint: `${oidc}/revoke`,
    jwks_uri: `${oidc}/certs`,
    grant_types_supported: grantTypes,
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algorithms,
    token_endpoint_auth_methods_supported: authMethods,
    // Never `none`: an unsigned assertion proves nothing.
    token_endpoint_auth_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS],
    introspection_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    scopes_supported: ['openid', ...realm.clientScopes.keys()],
    claims_supported: ['aud', 'sub', 'iss', 'azp', 'client_id', 'preferred_username', 'realm_access', 'resource_access', 'scope'],
    service_documentation: 'https://www.keycloak.org/docs/latest/server_admin/#_service_accounts',
  };
}
