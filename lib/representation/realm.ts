import type { RealmSettings, Role, SignatureAlgorithm } from '../model/stored.js';
import { extras, readBoolean, readInteger, readString, readStringArray, type JsonObject } from './json.js';

/**
 * Keycloak's RealmRepresentation, to and from the stored RealmSettings: one field list and one
 * builder for the Admin API's realm read, its realm list and the export (Keycloak's
 * ModelToRepresentation.toRepresentation serves RealmAdminResource and ExportUtils alike), and
 * one reader for the Admin API's create and update. The import reads the same fields
 * (REALM_SETTINGS_FIELDS) with its own located problems (lib/admin/realmImportValidate.ts).
 * A field this service does not use (themes, SMTP, flows, password policy, …) is kept as sent in
 * the settings' `extra` and comes back under the modelled fields.
 */

/** RealmRepresentation fields that are realm settings (RealmSettings): never kept as extras. */
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

/**
 * The nested collections of a realm export: each has its own model and representation, so none is
 * a realm setting or an extra. An import reads them; Keycloak's updateRealm ignores them.
 */
export const REALM_COLLECTIONS = [
  'users',
  'clients',
  'roles',
  'clientScopes',
  'scopeMappings',
  'clientScopeMappings',
  'groups',
  'defaultRoles',
  'components',
  'keys',
  'identityProviders',
  'authenticationFlows',
  'federatedUsers',
  'clientTemplates',
] as const;

const NOT_EXTRA = new Set<string>([...REALM_SETTINGS_FIELDS, ...REALM_COLLECTIONS]);

/** The settings a RealmRepresentation can change (what `parseRealmRepresentation` reads). */
export type RealmSettingFields = Partial<
  Pick<
    RealmSettings,
    | 'enabled'
    | 'accessTokenLifespan'
    | 'ssoSessionIdleTimeout'
    | 'ssoSessionMaxLifespan'
    | 'clientSessionIdleTimeout'
    | 'clientSessionMaxLifespan'
    | 'revokeRefreshToken'
    | 'refreshTokenMaxReuse'
    | 'notBefore'
    | 'defaultSignatureAlgorithm'
    | 'defaultDefaultClientScopes'
    | 'defaultOptionalClientScopes'
  >
>;

/**
 * The realm's settings and extras as sent; an absent or null field is left out (a PUT leaves it
 * as it is). Values are only typed here: lib/admin checks them (its errors name these fields).
 */
export function parseRealmRepresentation(body: JsonObject): { settings: RealmSettingFields; extra: JsonObject } {
  // The Terraform provider sends `"defaultSignatureAlgorithm": ""` whenever its config leaves it
  // out; Keycloak stores the empty string, which means "unset" (RS256). Empty leaves it unchanged.
  const algorithm = readString(body, 'defaultSignatureAlgorithm');
  const settings: RealmSettingFields = {
    enabled: readBoolean(body, 'enabled'),
    accessTokenLifespan: readInteger(body, 'accessTokenLifespan'),
    ssoSessionIdleTimeout: readInteger(body, 'ssoSessionIdleTimeout'),
    ssoSessionMaxLifespan: readInteger(body, 'ssoSessionMaxLifespan'),
    clientSessionIdleTimeout: readInteger(body, 'clientSessionIdleTimeout'),
    clientSessionMaxLifespan: readInteger(body, 'clientSessionMaxLifespan'),
    revokeRefreshToken: readBoolean(body, 'revokeRefreshToken'),
    refreshTokenMaxReuse: readInteger(body, 'refreshTokenMaxReuse'),
    notBefore: readInteger(body, 'notBefore'),
    defaultSignatureAlgorithm: algorithm === '' ? undefined : (algorithm as SignatureAlgorithm | undefined),
    defaultDefaultClientScopes: readStringArray(body, 'defaultDefaultClientScopes'),
    defaultOptionalClientScopes: readStringArray(body, 'defaultOptionalClientScopes'),
  };
  return {
    settings: Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as RealmSettingFields,
    extra: extras(body, NOT_EXTRA),
  };
}

/** Keycloak's realm id; a realm made before ids were kept answers with its name, as Keycloak's `master` of old. */
export const realmId = (settings: RealmSettings) => settings.id ?? settings.realm;

/**
 * RealmRepresentation: stored extras first, the modelled fields over them, and the default role in
 * its brief form. Only the export carries `defaultDefaultClientScopes`/`defaultOptionalClientScopes`:
 * Keycloak's RealmAdminResource.getRealm leaves them out (the lists have their own endpoints), and
 * the provider's `keycloak_realm` would otherwise plan a change on every run.
 */
export function realmRepresentation(settings: RealmSettings, defaultRole: Role | undefined, options: { export?: boolean } = {}): JsonObject {
  return {
    ...settings.extra,
    id: realmId(settings),
    realm: settings.realm,
    enabled: settings.enabled,
    notBefore: settings.notBefore,
    accessTokenLifespan: settings.accessTokenLifespan,
    ssoSessionIdleTimeout: settings.ssoSessionIdleTimeout,
    ssoSessionMaxLifespan: settings.ssoSessionMaxLifespan,
    clientSessionIdleTimeout: settings.clientSessionIdleTimeout,
    clientSessionMaxLifespan: settings.clientSessionMaxLifespan,
    revokeRefreshToken: settings.revokeRefreshToken,
    refreshTokenMaxReuse: settings.refreshTokenMaxReuse,
    defaultSignatureAlgorithm: settings.defaultSignatureAlgorithm,
    defaultRole: {
      ...(defaultRole?.id ? { id: defaultRole.id } : {}),
      name: settings.defaultRole,
      description: defaultRole?.description ?? '${role_default-roles}',
      composite: true,
      clientRole: false,
      containerId: realmId(settings),
    },
    ...(options.export
      ? { defaultDefaultClientScopes: settings.defaultDefaultClientScopes, defaultOptionalClientScopes: settings.defaultOptionalClientScopes }
      : {}),
  };
}

/** Keycloak's toBriefRepresentation (the realm list's `briefRepresentation=true`). */
export function briefRealmRepresentation(settings: RealmSettings): JsonObject {
  return {
    id: realmId(settings),
    realm: settings.realm,
    ...(typeof settings.extra?.displayName === 'string' ? { displayName: settings.extra.displayName } : {}),
    enabled: settings.enabled,
  };
}
