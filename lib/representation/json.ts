import { isForbiddenKey } from '../model/userKeys.js';
import { unparsable } from '../admin/errors.js';

/**
 * Reading fields of a representation the way Keycloak's Jackson binding does: an absent or null
 * field is undefined (a PUT leaves it unchanged), a field of the wrong JSON type is 400
 * `unknown_error` `Cannot parse the JSON`, and a scalar where a string is expected is taken as its
 * text (Jackson coerces `300` into a String field).
 */
export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw unparsable();
}

export function readBoolean(body: JsonObject, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw unparsable();
}

export function readInteger(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
  throw unparsable();
}

export function readStringArray(body: JsonObject, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw unparsable();
  return value.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw unparsable();
  });
}

/** A `Map<String,String>` field (client attributes, mapper config). */
export function readStringMap(body: JsonObject, key: string): Record<string, string> | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw unparsable();
  const map: Record<string, string> = {};
  for (const name of Object.keys(value)) {
    // The router refuses these names in any body already; a reader never trusts that it ran.
    if (isForbiddenKey(name)) throw unparsable();
    const text = readString(value, name);
    if (text !== undefined) map[name] = text;
  }
  return map;
}

export function readObject(body: JsonObject, key: string): JsonObject | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw unparsable();
  return value;
}

/** The fields of `body` not in `known`: kept as sent so a read returns them (round trip). */
export function extras(body: JsonObject, known: ReadonlySet<string>): JsonObject {
  return Object.fromEntries(Object.entries(body).filter(([key, value]) => !known.has(key) && value !== undefined));
}
