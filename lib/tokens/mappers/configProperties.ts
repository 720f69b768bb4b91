import { JSON_TYPES } from './claimValue.js';
import type { ConfigProperty, MapperType, TokenKind } from './types.js';

/** OIDCAttributeMapperHelper.addTokenClaimNameConfig. */
export const CLAIM_NAME: ConfigProperty = {
  name: 'claim.name',
  label: 'Token Claim Name',
  helpText: "Name of the claim to insert into the token. A dot nests ('address.street'); a backslash escapes a dot.",
  type: 'String',
};

/** OIDCAttributeMapperHelper.addJsonTypeConfig. */
export const JSON_TYPE: ConfigProperty = {
  name: 'jsonType.label',
  label: 'Claim JSON Type',
  helpText: 'JSON type that should be used to populate the json claim in the token.',
  type: 'List',
  options: JSON_TYPES,
};

/** ProtocolMapperUtils.MULTIVALUED. */
export const MULTIVALUED: ConfigProperty = {
  name: 'multivalued',
  label: 'Multivalued',
  helpText: 'Indicates if the value supports multiple values. If true, all values are set as a JSON array; if false, only the first value is used.',
  type: 'boolean',
  defaultValue: 'false',
};

/** The switch that puts a mapper's claim into one kind of token (OIDCAttributeMapperHelper.addIncludeInTokensConfig). */
const TOKEN_FLAGS: Readonly<Record<TokenKind, { name: string; label: string }>> = {
  id: { name: 'id.token.claim', label: 'Add to ID token' },
  access: { name: 'access.token.claim', label: 'Add to access token' },
  introspection: { name: 'introspection.token.claim', label: 'Add to token introspection' },
  tokenResponse: { name: 'access.tokenResponse.claim', label: 'Add to access token response' },
};

/**
 * Every property of a mapper type: its own, then the token switches its `tokens` allow (derived,
 * so a type never lists a switch it ignores). A type that ignores the switches has none. The
 * switches' default values are what a new mapper's form starts with, as Keycloak's
 * OIDCAttributeMapperHelper.addIncludeInTokensConfig gives them (on, but lightweight and token
 * response off), not what an absent key means to the token path (lib/tokens/mapperPlan.ts).
 */
export function configProperties(type: MapperType): ConfigProperty[] {
  if (type.ignoresFlags) return [...type.properties];
  const flags = type.tokens.map((kind): ConfigProperty => ({
    ...TOKEN_FLAGS[kind],
    helpText: `Should the claim be added to the ${TOKEN_FLAGS[kind].label.replace('Add to ', '')}?`,
    type: 'boolean',
    defaultValue: String(type.switchDefaults?.[kind] ?? kind !== 'tokenResponse'),
  }));
  const lightweight: ConfigProperty[] = type.tokens.includes('access')
    ? [{ name: 'lightweight.claim', label: 'Add to lightweight access token', helpText: 'Should the claim be added to the access token when it is lightweight?', type: 'boolean', defaultValue: 'false' }]
    : [];
  return [...type.properties, ...flags, ...lightweight];
}
