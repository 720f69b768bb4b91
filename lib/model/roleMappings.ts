import type { RoleMappings } from './stored.js';
import { ownEntry } from './userKeys.js';

/**
 * Role mappings as lists of role names: what service accounts, groups, client scopes, clients'
 * scope mappings and composite roles hold. Keycloak refers to roles by id; here a reference is
 * the role's name and, for a client role, its owner's clientId, so a rename or a deletion is a
 * rewrite of every list that names it (lib/store/roleReferences.ts).
 */

/** A role's identity: realm roles by name, client roles by owning clientId and name. */
export interface RoleName {
  client?: string;
  name: string;
}

export const sameRole = (a: RoleName, b: RoleName) => a.client === b.client && a.name === b.name;

/** Realm roles first, then client roles by owner, in stored order. */
export function mappingRefs(mappings: RoleMappings): RoleName[] {
  return [
    ...mappings.realm.map((name) => ({ name })),
    ...Object.entries(mappings.client).flatMap(([client, names]) => names.map((name) => ({ client, name }))),
  ];
}

/** Role names grouped as RoleMappings, each once, in the order given. */
export function toMappings(refs: RoleName[]): RoleMappings {
  const mappings: RoleMappings = { realm: [], client: {} };
  for (const ref of refs) {
    const list = ref.client === undefined ? mappings.realm : ownEntry(mappings.client, ref.client, () => []);
    if (!list.includes(ref.name)) list.push(ref.name);
  }
  return mappings;
}

/** What becomes of a role reference: another role, itself, or undefined to drop it. */
export type RoleRewrite = (role: RoleName) => RoleName | undefined;

/** The mappings with each role replaced by `rewrite`'s result (undefined drops it), or undefined when nothing changed. */
export function mapMappings(mappings: RoleMappings, rewrite: RoleRewrite): RoleMappings | undefined {
  let changed = false;
  const refs: RoleName[] = [];
  for (const ref of mappingRefs(mappings)) {
    const next = rewrite(ref);
    if (next === undefined || !sameRole(next, ref)) changed = true;
    if (next !== undefined) refs.push(next);
  }
  return changed ? toMappings(refs) : undefined;
}

/** The mappings without the matching roles, or undefined when none matched. */
export function filterMappings(mappings: RoleMappings, matches: (role: RoleName) => boolean): RoleMappings | undefined {
  return mapMappings(mappings, (ref) => (matches(ref) ? undefined : ref));
}
