/**
 * Keycloak's realm as this service keeps it: which RealmRepresentation fields are realm settings,
 * and the client scopes Keycloak 26 gives a new realm. The importer, realm creation and the Admin
 * API's realm representation read these; none keeps a copy.
 */

/** RealmRepresentation fields that are realm settings (RealmSettings), as the importer and the Admin API read them. */
export const REALM_SETTINGS_FIELDS = [
  'id',
  'realm',
  'enabled',
  'accessTokenLifespan',
  'ssoSessionIdleTimeout',
  'ssoSessionMaxLifespan',
  'clientSessionIdleTimeout',
  'clientSessionMaxLifespan',
  'revokeRefreshToken',
  'refreshTokenMaxReuse',
  'notBefore',
  'defaultSignatureAlgorithm',
  'defaultRole',
  'defaultDefaultClientScopes',
  'defaultOptionalClientScopes',
] as const;

/** The client scopes Keycloak 26 gives a new realm as default and optional scopes of new clients. */
export const KEYCLOAK_DEFAULT_CLIENT_SCOPES: readonly string[] = ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email'];
export const KEYCLOAK_OPTIONAL_CLIENT_SCOPES: readonly string[] = ['address', 'phone', 'offline_access', 'microprofile-jwt', 'organization'];
