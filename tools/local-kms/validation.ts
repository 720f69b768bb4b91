/**
 * Request-member readers that mirror how the KMS front end validates input.
 *
 * Two different failures, as in real AWS JSON services:
 * - a member of the wrong JSON type (or invalid base64 for a blob) is a
 *   deserialisation failure → SerializationException;
 * - a well-typed member that breaks a model constraint (required, length,
 *   range, enum) → ValidationException, worded like the AWS message
 *   "1 validation error detected: Value ... at 'keyId' failed to satisfy
 *   constraint: Member must ...". Blob values are never echoed back.
 * JSON null is treated as "member absent", like the AWS deserialisers do.
 */
import { KmsError } from './errors.js';

export type JsonObject = Record<string, unknown>;

interface Bounds {
  min?: number;
  max?: number;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** AWS reports members in lowerCamelCase ("keyId") in validation messages. */
function memberPath(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}

function violation(field: string, value: string | null | undefined, constraint: string): KmsError {
  const shown = value === undefined ? 'Value' : value === null ? 'Value null' : `Value '${value}'`;
  return new KmsError(
    'ValidationException',
    `1 validation error detected: ${shown} at '${memberPath(field)}' failed to satisfy constraint: Member must ${constraint}`,
  );
}

function wrongType(field: string, expected: string): KmsError {
  return new KmsError('SerializationException', `Expected ${expected} for member '${field}'`);
}

function member(input: JsonObject, field: string): unknown {
  const value = input[field];
  return value === null ? undefined : value;
}

function checkLength(field: string, length: number, bounds: Bounds, shown: string | undefined): void {
  if (bounds.min !== undefined && length < bounds.min) {
    throw violation(field, shown, `have length greater than or equal to ${bounds.min}`);
  }
  if (bounds.max !== undefined && length > bounds.max) {
    throw violation(field, shown, `have length less than or equal to ${bounds.max}`);
  }
}

export function optionalString(input: JsonObject, field: string, bounds: Bounds = {}): string | undefined {
  const value = member(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string');
  checkLength(field, value.length, bounds, value);
  return value;
}

export function requiredString(input: JsonObject, field: string, bounds: Bounds = {}): string {
  const value = optionalString(input, field, bounds);
  if (value === undefined) throw violation(field, null, 'not be null');
  return value;
}

export function optionalBlob(input: JsonObject, field: string, bounds: Bounds = {}): Buffer | undefined {
  const value = member(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !BASE64_RE.test(value)) throw wrongType(field, 'a base64-encoded blob');
  const bytes = Buffer.from(value, 'base64');
  checkLength(field, bytes.length, bounds, undefined);
  return bytes;
}

export function requiredBlob(input: JsonObject, field: string, bounds: Bounds = {}): Buffer {
  const value = optionalBlob(input, field, bounds);
  if (value === undefined) throw violation(field, null, 'not be null');
  return value;
}

export function optionalEnum<T extends string>(input: JsonObject, field: string, values: readonly T[]): T | undefined {
  const value = member(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string');
  if (!(values as readonly string[]).includes(value)) {
    throw violation(field, value, `satisfy enum value set: [${values.join(', ')}]`);
  }
  return value as T;
}

export function requiredEnum<T extends string>(input: JsonObject, field: string, values: readonly T[]): T {
  const value = optionalEnum(input, field, values);
  if (value === undefined) throw violation(field, null, 'not be null');
  return value;
}

export function optionalInteger(input: JsonObject, field: string, bounds: Bounds = {}): number | undefined {
  const value = member(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(field, 'an integer');
  if (bounds.min !== undefined && value < bounds.min) {
    throw violation(field, String(value), `have value greater than or equal to ${bounds.min}`);
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw violation(field, String(value), `have value less than or equal to ${bounds.max}`);
  }
  return value;
}

export function optionalBoolean(input: JsonObject, field: string): boolean | undefined {
  const value = member(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean');
  return value;
}

/** EncryptionContext: a map of string to string. */
export function optionalStringMap(input: JsonObject, field: string): Record<string, string> | undefined {
  const value = member(input, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(field, 'a map of strings');
  // Null prototype so a context key named "__proto__" is kept as plain data.
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(value as JsonObject)) {
    if (typeof v !== 'string') throw wrongType(`${field}.${k}`, 'a string');
    result[k] = v;
  }
  return result;
}
