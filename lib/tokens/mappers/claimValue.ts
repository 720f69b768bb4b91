import { OAuthError } from '../../http/errors.js';

/**
 * Keycloak's OIDCAttributeMapperHelper.mapAttributeValue: turns what a mapper found into the claim's
 * JSON value, or undefined for "no claim".
 *
 * - null, undefined or an empty list: no claim.
 * - a list: with `multivalued` "true" every element, else only the first (Keycloak logs a warning).
 * - then `jsonType.label`: `String` text, `long`/`int` a number, `boolean` true only for "true" in
 *   any case, `JSON` the parsed value; absent or unknown: as is.
 *
 * A value that cannot be converted (a `long` that is not a number, invalid JSON) fails the token
 * request, as in Keycloak; it is a server-side misconfiguration, so a 500 `server_error` that
 * names the claim but not the value.
 */
export function claimValue(found: unknown, config: Readonly<Record<string, string>>, claimName: string): unknown {
  if (found === undefined || found === null) return undefined;
  const type = config['jsonType.label'];
  if (Array.isArray(found)) {
    if (found.length === 0) return undefined;
    if (config.multivalued === 'true') return found.map((value) => convert(value, type, claimName));
    return convert(found[0], type, claimName);
  }
  return convert(found, type, claimName);
}

/** Whether a configured value converts (checked when a hardcoded claim is configured, not at token time). */
export function convertible(value: string, type: string | undefined): boolean {
  try {
    convert(value, type, '');
    return true;
  } catch {
    return false;
  }
}

export const JSON_TYPES = ['String', 'long', 'int', 'boolean', 'JSON'] as const;

function convert(value: unknown, type: string | undefined, claimName: string): unknown {
  switch (type) {
    case 'String':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'long':
    case 'int': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      const text = String(value).trim();
      // Java's Long.valueOf: an optional sign and decimal digits, nothing else.
      if (/^[+-]?\d{1,19}$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
      throw invalid(claimName, type);
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : String(value).toLowerCase() === 'true';
    case 'JSON':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw invalid(claimName, type);
      }
    default:
      return value;
  }
}

function invalid(claimName: string, type: string): OAuthError {
  return new OAuthError(500, 'server_error', `Protocol mapper for claim '${claimName}' produced a value that is not ${type}`);
}
