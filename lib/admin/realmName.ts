/**
 * Realm names as Keycloak accepts them (RealmManager.importRealm and RealmAdminResource.updateRealm
 * call ReservedCharValidator.validate; the column is 255 characters): not blank, at most 255
 * characters, none of RFC 3986's reserved characters (§2.2) nor a backslash. We also refuse
 * whitespace and control characters: a realm name is a URL path segment, part of the table's
 * partition key, and is echoed in `WWW-Authenticate: Basic realm="…"`, where a control
 * character makes the header invalid.
 */
export const MAX_REALM_NAME_LENGTH = 255;

const RESERVED = /[:/?#@!$&()*+,;=[\]\\]/;
// C0 controls, DEL and C1 controls; \s adds the Unicode spaces.
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\u0000-\u001f\u007f-\u009f\s]/u;

/** Why `name` cannot be a realm name, or undefined when it can. */
export function realmNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if ([...name].length > MAX_REALM_NAME_LENGTH) return `must be at most ${MAX_REALM_NAME_LENGTH} characters`;
  const reserved = RESERVED.exec(name);
  if (reserved) return `must not contain '${reserved[0]}'`;
  if (CONTROL_OR_SPACE.test(name)) return 'must not contain spaces or control characters';
  return undefined;
}

