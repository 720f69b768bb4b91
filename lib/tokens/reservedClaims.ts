/**
 * Claims the service sets from what it knows, never from a mapper's configuration. A
 * `manage-clients` admin configures mappers, so a mapper able to write `azp` could make its
 * client's tokens claim another client's identity (issue 17 F2). A mapper type may write one of
 * these only if it declares it (`MapperType.reservedClaims`): the sub mapper `sub`, audience
 * mappers `aud`, role mappers their own `realm_access`/`resource_access`.
 *
 * Stricter than Keycloak 26, whose OIDCAttributeMapperHelper.mapClaim lets any claim mapper set
 * `sub`, `azp`, `aud` (whole), and write `realm_access`, `resource_access`, `sid`, `nbf` into
 * the token, and refuses only `jti`, `typ`, `iat`, `exp`, `iss`, `scope`, `nonce`,
 * `session_state` (docs/protocol-mappers.md).
 */
export const RESERVED_CLAIMS = [
  'iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'typ', 'azp', 'sid', 'session_state', 'scope', 'nonce', 'realm_access', 'resource_access',
] as const;

export type ReservedClaim = (typeof RESERVED_CLAIMS)[number];

const RESERVED: ReadonlySet<string> = new Set(RESERVED_CLAIMS);

/** What the rule needs to know of a mapper type. */
export interface ClaimAuthor {
  id: string;
  reservedClaims?: readonly ReservedClaim[];
}

/** Whether `author` may write the top-level claim `head` (RESERVED_CLAIMS). */
export function mayWrite(author: ClaimAuthor, head: string): boolean {
  return !RESERVED.has(head) || (author.reservedClaims?.includes(head as ReservedClaim) ?? false);
}
