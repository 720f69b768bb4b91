/** How the CLI's human output reads: tables, `key: value` lines, dates, role names. */
import { describeRole } from '../../lib/admin/lookup.js';
import type { KeyView } from '../../lib/admin/keys.js';
import type { Role, RoleMappings } from '../../lib/model/stored.js';

export const date = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');

export function mappingsText(mappings: RoleMappings): string {
  const names = [...mappings.realm, ...Object.entries(mappings.client).flatMap(([owner, roles]) => roles.map((role) => `${owner}:${role}`))];
  return names.length > 0 ? names.join(', ') : '(none)';
}

export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** `key: value` lines; nested values as compact JSON. */
export function fields(obj: object): string[] {
  return Object.entries(obj).map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
}

/** Attributes as `name=value` lists, `; ` between names: `team=billing,finance; tier=gold`. */
export function attributesText(attributes: Record<string, string[]> | undefined): string {
  const entries = Object.entries(attributes ?? {});
  return entries.length === 0 ? '-' : entries.map(([name, values]) => `${name}=${values.join(',')}`).join('; ');
}

export function keyRows(keys: KeyView[]): string[] {
  return table([
    ['KID', 'ALG', 'PROVIDER', 'STATUS', 'CREATED', 'RETIRE_AT'],
    ...keys.map((key) => [key.kid, key.alg, key.provider, key.status, date(key.createdAt), key.retireAt === undefined ? '-' : date(key.retireAt)]),
  ]);
}

export function roleLine(role: Role): string {
  const composite = role.composite ? ` (composite of ${mappingsText(role.composites ?? { realm: [], client: {} })})` : '';
  return `${describeRole(role)}${composite}`;
}
