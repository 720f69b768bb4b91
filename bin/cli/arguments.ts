/** Parsers for option values: a bad value is a usage error naming the option (exit 2). */
import { InvalidArgumentError } from 'commander';
import type { RoleName } from '../../lib/model/roleMappings.js';

export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

export function choice<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!values.includes(value as T)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return value as T;
  };
}

/** `--config key=value`, repeatable. */
export function configPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}

export const roleName = (name: string, owner: string | undefined): RoleName => (owner === undefined ? { name } : { client: owner, name });

/**
 * `KEY=VALUE` pairs, a key given twice holding several values (Keycloak role attributes are
 * lists). Null-prototype: a key typed by the operator never reaches Object.prototype.
 */
export function keyValueLists(pairs: string[] | undefined, usage: (message: string) => never): Record<string, string[]> | undefined {
  if (pairs === undefined) return undefined;
  const attributes: Record<string, string[]> = Object.create(null);
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) usage(`--attribute ${pair}: expected KEY=VALUE`);
    (attributes[pair.slice(0, at)] ??= []).push(pair.slice(at + 1));
  }
  return attributes;
}
