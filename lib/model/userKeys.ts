import { claimPath } from './claimPath.js';

/**
 * Names an operator may not use as a key: on a plain JavaScript object, `obj['__proto__'] = v`
 * replaces its prototype, and `obj['constructor']`/`obj['prototype']` read something no one stored.
 * A claim path `__proto__.nonce` once reached Object.prototype through the claim writer
 * (issue 17 F1). Keycloak has no such names to fear; these are ours, refused everywhere.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Mapper config entries whose value the claim writer splits into object keys. */
const CLAIM_PATH_KEYS: ReadonlySet<string> = new Set(['claim.name']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

/** Whether a `claim.name` holds a forbidden key once split (`a.__proto__`, `\_\_proto\_\_.x`). */
export function hasForbiddenSegment(claimName: string): boolean {
  return claimPath(claimName).some(isForbiddenKey);
}

/** A key refused by the rule, and where: a JSON path such as `clients[2].attributes.__proto__`. */
export interface ForbiddenKey {
  path: string;
  key: string;
}

/**
 * The one check for every user-supplied document (Admin API bodies, CLI input, realm imports):
 * every object key anywhere in it, and every claim path held by a `claim.name` entry, must not be
 * one of the forbidden names. Walked with an explicit stack, so no nesting depth overflows it.
 */
export function forbiddenKeys(document: unknown): ForbiddenKey[] {
  const found: ForbiddenKey[] = [];
  const stack: { value: unknown; path: string }[] = [{ value: document, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]` }));
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      if (isForbiddenKey(key)) found.push({ path: at, key });
      else if (CLAIM_PATH_KEYS.has(key) && typeof child === 'string' && hasForbiddenSegment(child)) found.push({ path: at, key: child });
      stack.push({ value: child, path: at });
    }
  }
  return found;
}

/** Why a key is refused, the same words for the Admin API, the CLI and the importer (which add the path). */
export function forbiddenKeyReason(key: string): string {
  return `uses '${key}', a name reserved by the service (__proto__, constructor and prototype cannot be keys or claim path segments)`;
}

/** The refusal of a document that breaks the rule, or undefined: what the Admin API and the CLI throw. */
export function forbiddenKeyProblem(document: unknown): string | undefined {
  const [first] = forbiddenKeys(document);
  return first === undefined ? undefined : `'${first.path}' ${forbiddenKeyReason(first.key)}`;
}

/**
 * A stored string map (mapper config, session notes) as a null-prototype copy of its own string
 * entries: data already stored with a forbidden key (written before this rule, or straight into
 * the table) can then neither inherit values nor reach a prototype when read by key.
 */
export function ownStrings(record: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (record === undefined || record === null) return out;
  for (const [key, value] of Object.entries(record)) if (typeof value === 'string' && !isForbiddenKey(key)) out[key] = value;
  return out;
}

/** `record[key]` when the record itself holds `key`, never an inherited member (`constructor`, `toString`). */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && record !== null && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * `record[key]`, first set to `create()` when the record does not hold `key` itself: the
 * `(record[key] ??= [])` of maps keyed by client ids, without reading an inherited member
 * (`constructor`) or setting a prototype (`__proto__`) when such a key was stored.
 */
export function ownEntry<T>(record: Record<string, T>, key: string, create: () => T): T {
  if (!Object.hasOwn(record, key)) Object.defineProperty(record, key, { value: create(), enumerable: true, writable: true, configurable: true });
  return record[key]!;
}
