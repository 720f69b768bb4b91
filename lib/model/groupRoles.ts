import type { Group, RoleMappings, ServiceAccountUser } from './stored.js';
import { ownEntry } from './userKeys.js';

/**
 * Roles held through groups, one algorithm for the token path and the Admin API alike (Keycloak's
 * RoleUtils.getDeepUserRoleMappings: a member holds its groups' roles and their ancestors').
 * A membership of a group that no longer exists gives nothing, not even its former parents' roles.
 */

/** A group the user is a member of, with its ancestors, nearest first. */
export interface Membership {
  group: Group;
  ancestors: Group[];
}

/** The realm's groups by path, for resolving a service account's memberships and their ancestors. */
export class GroupIndex {
  private readonly byPath = new Map<string, Group>();

  constructor(groups: readonly Group[]) {
    for (const group of groups) this.byPath.set(group.path, group);
  }

  get(path: string): Group | undefined {
    return this.byPath.get(path);
  }

  /** The groups a user is a direct member of, each with its ancestors (nearest first); unknown paths are skipped. */
  memberships(user: ServiceAccountUser): Membership[] {
    return (user.groups ?? []).flatMap((path) => {
      const group = this.byPath.get(path);
      if (!group) return [];
      const ancestors: Group[] = [];
      for (let parent = group.parentPath; parent !== undefined; ) {
        const found = this.byPath.get(parent);
        if (!found || ancestors.includes(found)) break;
        ancestors.push(found);
        parent = found.parentPath;
      }
      return [{ group, ancestors }];
    });
  }
}

/**
 * The user's role mappings with those of its groups and their ancestors
 * (Keycloak's RoleUtils.getDeepUserRoleMappings, before composites are expanded).
 */
export function roleMappingsWithGroups(user: ServiceAccountUser, memberships: Membership[]): RoleMappings {
  const mappings: RoleMappings = { realm: [...user.roles.realm], client: Object.fromEntries(Object.entries(user.roles.client).map(([c, r]) => [c, [...r]])) };
  for (const { group, ancestors } of memberships) {
    for (const source of [group, ...ancestors]) {
      for (const name of source.roles.realm) if (!mappings.realm.includes(name)) mappings.realm.push(name);
      for (const [owner, names] of Object.entries(source.roles.client)) {
        const list = ownEntry(mappings.client, owner, () => []);
        for (const name of names) if (!list.includes(name)) list.push(name);
      }
    }
  }
  return mappings;
}
