import type { RealmSettings, SignatureAlgorithm } from './stored.js';

/**
 * What Keycloak 26 gives a new realm, as far as this service keeps it: the settings of
 * RealmManager.setupRealmDefaults / RealmRepresentation's defaults, and the client scopes a new
 * client of the realm gets (DefaultClientScopes.createDefaultClientScopes). Realm creation, the
 * import (for a field a file leaves out) and the Admin API read these; none keeps a copy.
 */

/** The client scopes Keycloak 26 gives a new realm as default and optional scopes of new clients. */
export const KEYCLOAK_DEFAULT_CLIENT_SCOPES: readonly string[] = ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email'];
export const KEYCLOAK_OPTIONAL_CLIENT_SCOPES: readonly string[] = ['address', 'phone', 'offline_access', 'microprofile-jwt', 'organization'];

/** The realm settings that have a fixed default (name, id and the default role depend on the realm). */
export type RealmSettingDefaults = Omit<RealmSettings, 'id' | 'realm' | 'defaultRole' | 'defaultDefaultClientScopes' | 'defaultOptionalClientScopes' | 'signingMode' | 'extra'>;

export const KEYCLOAK_REALM_DEFAULTS: Readonly<RealmSettingDefaults> = {
  enabled: true,
  accessTokenLifespan: 300,
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  // 0: unset, the SSO session's value applies (Keycloak's SessionExpirationUtils).
  clientSessionIdleTimeout: 0,
  clientSessionMaxLifespan: 0,
  revokeRefreshToken: false,
  refreshTokenMaxReuse: 0,
  notBefore: 0,
  defaultSignatureAlgorithm: 'RS256',
};

/** Signing keys live in KMS, which signs RSA and ECDSA: Keycloak's HS*, PS* and EdDSA have no key here. */
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['RS256', 'ES256'];

export const isSignatureAlgorithm = (alg: unknown): alg is SignatureAlgorithm => SIGNATURE_ALGORITHMS.includes(alg as SignatureAlgorithm);

/** Keycloak's name of a realm's composite default role (RealmManager.createDefaultRole). */
export const defaultRoleName = (realm: string) => `default-roles-${realm}`;

/** A new realm's settings, with Keycloak's defaults. */
export function newRealmSettings(realm: string, id: string): RealmSettings {
  return {
    id,
    realm,
    ...KEYCLOAK_REALM_DEFAULTS,
    defaultRole: defaultRoleName(realm),
    defaultDefaultClientScopes: [...KEYCLOAK_DEFAULT_CLIENT_SCOPES],
    defaultOptionalClientScopes: [...KEYCLOAK_OPTIONAL_CLIENT_SCOPES],
  };
}
