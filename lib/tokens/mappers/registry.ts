import { acr } from './acr.js';
import { allowedOrigins } from './allowedOrigins.js';
import { audience } from './audience.js';
import { audienceResolve } from './audienceResolve.js';
import { clientRole } from './clientRole.js';
import { fullName } from './fullName.js';
import { groupMembership } from './groupMembership.js';
import { hardcodedClaim } from './hardcodedClaim.js';
import { hardcodedRole } from './hardcodedRole.js';
import { realmRole } from './realmRole.js';
import { roleName } from './roleName.js';
import { sub } from './sub.js';
import type { MapperType } from './types.js';
import { userAttribute } from './userAttribute.js';
import { userProperty } from './userProperty.js';
import { userSessionNote } from './userSessionNote.js';

/**
 * The protocol mapper types this service applies, by Keycloak's provider id. A mapper of any
 * other type is stored and exported back, never applied (Keycloak ignores a mapper whose provider
 * it does not have, ProtocolMapperUtils.isEnabled).
 */
export const MAPPER_TYPES: ReadonlyMap<string, MapperType> = new Map(
  [
    audience,
    audienceResolve,
    hardcodedClaim,
    hardcodedRole,
    roleName,
    userAttribute,
    userProperty,
    realmRole,
    clientRole,
    groupMembership,
    userSessionNote,
    sub,
    acr,
    allowedOrigins,
    fullName,
  ].map((type) => [type.id, type]),
);

/** The only protocol whose mappers build these tokens. */
export const OIDC = 'openid-connect';

/** Why a mapper cannot be applied, or none: unknown type, or its type's own checks. */
export function mapperProblems(mapper: { protocol?: string; protocolMapper: string; config: Readonly<Record<string, string>> }): string[] {
  const type = MAPPER_TYPES.get(mapper.protocolMapper);
  if (!type) return [`'${mapper.protocolMapper}' is not a protocol mapper type this service applies`];
  return type.validate?.(mapper.config) ?? [];
}
