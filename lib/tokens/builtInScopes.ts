import { randomUUID } from 'node:crypto';
import { emptyRoleMappings, type ClientScope, type ProtocolMapper } from '../model/stored.js';

/**
 * The OpenID Connect client scopes Keycloak 26 creates in a new realm, or in an imported one whose
 * export has no `clientScopes` (RealmManager.createDefaultClientScopes, OIDCLoginProtocolFactory),
 * with their protocol mappers. Fresh ids each call: every realm has its own.
 */

type Config = Record<string, string>;

/** The flags Keycloak's built-in profile and email mappers carry. */
const EVERYWHERE: Config = { 'introspection.token.claim': 'true', 'userinfo.token.claim': 'true', 'id.token.claim': 'true', 'access.token.claim': 'true' };
const ACCESS_AND_INTROSPECTION: Config = { 'introspection.token.claim': 'true', 'access.token.claim': 'true' };

/** Ids of what is created: random by default; an import derives them from names so a re-import keeps them. */
export type IdFor = (kind: 'clientScope' | 'mapper', name: string) => string;

type MapperSpec = Omit<ProtocolMapper, 'id'>;

function mapper(name: string, protocolMapper: string, config: Config): MapperSpec {
  return { name, protocol: 'openid-connect', protocolMapper, consentRequired: false, config };
}

const attribute = (name: string, userAttribute: string, claim: string, jsonType = 'String') =>
  mapper(name, 'oidc-usermodel-attribute-mapper', { ...EVERYWHERE, 'user.attribute': userAttribute, 'claim.name': claim, 'jsonType.label': jsonType });

export function builtInClientScopes(idFor: IdFor = () => randomUUID()): ClientScope[] {
  const scope = (name: string, description: string, includeInTokenScope: boolean, mappers: MapperSpec[], consentText?: string): ClientScope => ({
    id: idFor('clientScope', name),
    name,
    description,
    protocol: 'openid-connect',
    includeInTokenScope,
    scopeMappings: emptyRoleMappings(),
    attributes: {
      'include.in.token.scope': String(includeInTokenScope),
      'display.on.consent.screen': String(consentText !== undefined),
      ...(consentText === undefined ? {} : { 'consent.screen.text': consentText }),
    },
    protocolMappers: mappers.map((m) => ({ id: idFor('mapper', `${name}\u0000${m.name}`), ...m })),
  });
  return makeScopes(scope);
}

type ScopeMaker = (name: string, description: string, includeInTokenScope: boolean, mappers: MapperSpec[], consentText?: string) => ClientScope;

function makeScopes(scope: ScopeMaker): ClientScope[] {
  const offlineAccess = scope('offline_access', 'OpenID Connect built-in scope: offline_access', true, [], '${offlineAccessScopeConsentText}');
  offlineAccess.scopeMappings = { realm: ['offline_access'], client: {} };
  return [
    scope('profile', 'OpenID Connect built-in scope: profile', true, [
      mapper('full name', 'oidc-full-name-mapper', { ...EVERYWHERE }),
      attribute('family name', 'lastName', 'family_name'),
      attribute('given name', 'firstName', 'given_name'),
      attribute('middle name', 'middleName', 'middle_name'),
      attribute('nickname', 'nickname', 'nickname'),
      attribute('username', 'username', 'preferred_username'),
      attribute('profile', 'profile', 'profile'),
      attribute('picture', 'picture', 'picture'),
      attribute('website', 'website', 'website'),
      attribute('gender', 'gender', 'gender'),
      attribute('birthdate', 'birthdate', 'birthdate'),
      attribute('zoneinfo', 'zoneinfo', 'zoneinfo'),
      attribute('locale', 'locale', 'locale'),
      attribute('updated at', 'updatedAt', 'updated_at', 'long'),
    ], '${profileScopeConsentText}'),
    scope('email', 'OpenID Connect built-in scope: email', true, [
      attribute('email', 'email', 'email'),
      mapper('email verified', 'oidc-usermodel-property-mapper', { ...EVERYWHERE, 'user.attribute': 'emailVerified', 'claim.name': 'email_verified', 'jsonType.label': 'boolean' }),
    ], '${emailScopeConsentText}'),
    scope('address', 'OpenID Connect built-in scope: address', true, [
      mapper('address', 'oidc-address-mapper', { ...EVERYWHERE, 'user.attribute.formatted': 'formatted', 'user.attribute.country': 'country', 'user.attribute.postal_code': 'postal_code', 'user.attribute.street': 'street', 'user.attribute.region': 'region', 'user.attribute.locality': 'locality' }),
    ], '${addressScopeConsentText}'),
    scope('phone', 'OpenID Connect built-in scope: phone', true, [
      attribute('phone number', 'phoneNumber', 'phone_number'),
      attribute('phone number verified', 'phoneNumberVerified', 'phone_number_verified', 'boolean'),
    ], '${phoneScopeConsentText}'),
    offlineAccess,
    scope('roles', 'OpenID Connect scope for add user roles to the access token', false, [
      mapper('realm roles', 'oidc-usermodel-realm-role-mapper', { ...ACCESS_AND_INTROSPECTION, 'user.attribute': 'foo', 'claim.name': 'realm_access.roles', 'jsonType.label': 'String', multivalued: 'true' }),
      mapper('client roles', 'oidc-usermodel-client-role-mapper', { ...ACCESS_AND_INTROSPECTION, 'user.attribute': 'foo', 'claim.name': 'resource_access.${client_id}.roles', 'jsonType.label': 'String', multivalued: 'true' }),
      mapper('audience resolve', 'oidc-audience-resolve-mapper', { ...ACCESS_AND_INTROSPECTION }),
    ], '${rolesScopeConsentText}'),
    scope('web-origins', 'OpenID Connect scope for add allowed web origins to the access token', false, [
      mapper('allowed web origins', 'oidc-allowed-origins-mapper', { ...ACCESS_AND_INTROSPECTION }),
    ]),
    scope('microprofile-jwt', 'Microprofile - JWT built-in scope', true, [
      attribute('upn', 'username', 'upn'),
      mapper('groups', 'oidc-usermodel-realm-role-mapper', { ...EVERYWHERE, 'claim.name': 'groups', 'jsonType.label': 'String', multivalued: 'true' }),
    ]),
    scope('acr', 'OpenID Connect scope for add acr (authentication context class reference) to the token', false, [
      mapper('acr loa level', 'oidc-acr-mapper', { 'id.token.claim': 'true', ...ACCESS_AND_INTROSPECTION }),
    ]),
    scope('basic', 'OpenID Connect scope for add all basic claims to the token', false, [
      mapper('sub', 'oidc-sub-mapper', { ...ACCESS_AND_INTROSPECTION }),
      mapper('auth_time', 'oidc-usersessionmodel-note-mapper', { ...EVERYWHERE, 'user.session.note': 'AUTH_TIME', 'claim.name': 'auth_time', 'jsonType.label': 'long' }),
    ]),
    scope('service_account', 'Specific scope for a client enabled for service accounts', false, [
      mapper('Client ID', 'oidc-usersessionmodel-note-mapper', { ...ACCESS_AND_INTROSPECTION, 'id.token.claim': 'true', 'user.session.note': 'client_id', 'claim.name': 'client_id', 'jsonType.label': 'String' }),
      mapper('Client Host', 'oidc-usersessionmodel-note-mapper', { ...ACCESS_AND_INTROSPECTION, 'id.token.claim': 'true', 'user.session.note': 'clientHost', 'claim.name': 'clientHost', 'jsonType.label': 'String' }),
      mapper('Client IP Address', 'oidc-usersessionmodel-note-mapper', { ...ACCESS_AND_INTROSPECTION, 'id.token.claim': 'true', 'user.session.note': 'clientAddress', 'claim.name': 'clientAddress', 'jsonType.label': 'String' }),
    ]),
    scope('organization', 'Additional claims about the organization a subject belongs to', true, [
      mapper('organization', 'oidc-organization-membership-mapper', { ...EVERYWHERE, 'claim.name': 'organization', 'jsonType.label': 'String', multivalued: 'true' }),
    ], '${organizationScopeConsentText}'),
  ];
}

/**
 * Keycloak 26.1 gives every client with service accounts on the `service_account` scope as a
 * default scope (ServiceAccountConstants, ClientManager.enableServiceAccount; MigrateTo26_1_0 does the
 * same for existing clients). Clients exported before 26.1 carry the same three note mappers as
 * dedicated mappers instead.
 */
export const SERVICE_ACCOUNT_SCOPE = 'service_account';

/** Whether a client already has the `service_account` scope's claims through dedicated note mappers (pre-26.1 exports). */
export function hasDedicatedNoteMappers(mappers: readonly ProtocolMapper[] | undefined): boolean {
  return (mappers ?? []).some((m) => m.protocolMapper === 'oidc-usersessionmodel-note-mapper' && m.config['user.session.note'] === 'client_id');
}
