import { createHash } from 'node:crypto';

/**
 * Keycloak's ids are UUIDs. Items that were stored without one (imported from a file without ids,
 * or written before ids were kept) get one derived from their names, so every read returns the
 * same id without a write, and re-importing the same file gives the same ids; the first change of
 * the item stores it, so a later rename keeps it. RFC 9562 version 8 (custom) from SHA-256.
 *
 * Never for a client or its service-account user: their ids are what a token is bound to
 * (lib/tokens/clientBinding.ts), so a client deleted and imported again must get new ones; an
 * import keeps the ids the target already holds instead (realmImport.ts ParseOptions.storedIds).
 */
export type DerivedIdKind = 'realm' | 'role' | 'client-scope' | 'protocol-mapper' | 'group';

export function derivedUuid(kind: DerivedIdKind, realm: string, name: string): string {
  const bytes = createHash('sha256').update(`${kind}\u0000${realm}\u0000${name}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A role's id: the stored one, else derived from its owner and name (a NUL cannot appear in either). */
export function roleId(realm: string, role: { id?: string; client?: string; name: string }): string {
  return role.id ?? derivedUuid('role', realm, role.client === undefined ? role.name : `${role.client}\u0000${role.name}`);
}

/** A client scope's id: the stored one, else derived from its name. */
export function clientScopeId(realm: string, scope: { id?: string; name: string }): string {
  return scope.id ?? derivedUuid('client-scope', realm, scope.name);
}
