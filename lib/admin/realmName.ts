/**
 * The one realm name rule: the CLI, an import, the seed and the Admin API ask it of every new
 * realm; the realm lookups ask `mayNameStoredRealm`, derived from it. Keycloak's own rule
 * (RealmManager.importRealm and RealmAdminResource.updateRealm call ReservedCharValidator.validate;
 * the column is 255 characters): not blank, at most 255 characters, none of RFC 3986's reserved
 * characters (§2.2) nor a backslash.
 *
 * Stricter here, because a realm name is a URL path segment, part of the table's partition key,
 * part of every issuer, and is echoed in `WWW-Authenticate: Basic realm="…"`:
 * - no whitespace or control characters (a control character makes that header invalid);
 * - not `.` or `..`, which URL normalisation (RFC 3986 §5.2.4) removes from a path, so the
 *   realm's issuer and endpoints would name another resource;
 * - no percent-encoded character (`%2F`): one layer decodes it and the next sees a separator or
 *   another realm's name;
 * - no bidirectional-control or zero-width characters (Unicode TR 9; CVE-2021-42574), which
 *   make two different names look the same to the admin reading them;
 * - `master` only in that spelling: `Master` or `ＭＡＳＴＥＲ` would pass for the admin realm.
 */
export const MAX_REALM_NAME_LENGTH = 255;

const RESERVED = /[:/?#@!$&()*+,;=[\]\\]/;
// C0 controls, DEL and C1 controls; \s adds the Unicode spaces.
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\u0000-\u001f\u007f-\u009f\s]/u;
const PERCENT_ENCODED = /%[0-9a-f]{2}/i;
// Arabic letter mark, Mongolian vowel separator, zero-width space/joiners, LRM/RLM, embeddings and
// overrides, word joiner and invisible operators, isolates, BOM / zero-width no-break space.
const INVISIBLE_OR_BIDI = /[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;
const MASTER = 'master';

/** Why `name` cannot be a realm name, or undefined when it can. */
export function realmNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if ([...name].length > MAX_REALM_NAME_LENGTH) return `must be at most ${MAX_REALM_NAME_LENGTH} characters`;
  if (name === '.' || name === '..') return "must not be '.' or '..'";
  const reserved = RESERVED.exec(name);
  if (reserved) return `must not contain '${reserved[0]}'`;
  if (CONTROL_OR_SPACE.test(name)) return 'must not contain spaces or control characters';
  if (INVISIBLE_OR_BIDI.test(name)) return 'must not contain zero-width or bidirectional-control characters';
  if (PERCENT_ENCODED.test(name)) return 'must not contain a percent-encoded character';
  const folded = name.normalize('NFKC');
  if (name !== MASTER && (folded.toLowerCase() === MASTER || folded.toUpperCase() === MASTER.toUpperCase())) {
    return `must not be a spelling of '${MASTER}', the administration realm`;
  }
  return undefined;
}

/**
 * Whether a realm stored under an earlier, looser rule could have this name: what the token path
 * and the admin bearer's issuer look up. Not the full rule, which would cut off a realm created
 * before it (their clients keep getting tokens, and a failed Basic authentication still answers
 * 401); only what no rule ever accepted, so such a name is a 404 without a read.
 */
export function mayNameStoredRealm(name: string): boolean {
  return name.length > 0 && [...name].length <= MAX_REALM_NAME_LENGTH && !/[/#\s]/u.test(name);
}
