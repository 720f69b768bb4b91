/**
 * Keycloak's OIDCAttributeMapperHelper.splitClaimPath: `claim.name` split on dots into nested
 * object keys; a backslash makes the next character literal, so `a\.b` is the one key `a.b`.
 */
export function claimPath(name: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) current += name[++i]!;
    else if (c === '.') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.filter((part) => part !== '');
}

/** A client id as one claim-path key (UserClientRoleMappingMapper escapes dots and backslashes before `${client_id}` goes in). */
export function escapeClaimKey(key: string): string {
  return key.replace(/[\\.]/g, (c) => `\\${c}`);
}
