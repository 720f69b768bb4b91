import { ownEntry } from '../model/userKeys.js';
import type { ClientRecord, Group, RoleMappings, ServiceAccountUser } from '../store/model.js';
import type { Membership } from './mappers/types.js';

/** The realm's groups by path, for resolving a service account's memberships and their ancestors. */
export class GroupIndex {
  private readonly byPath = new Map<string, Group>();

  constructor(groups: Group[]) {
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

/**
 * The service-account user of a client. A client whose record has none (service accounts turned
 * off after a token was issued) still gets the name Keycloak would give it, for introspection.
 */
export function serviceAccountOf(client: ClientRecord): ServiceAccountUser {
  return client.serviceAccount ?? { id: client.id, username: `service-account-${client.clientId.toLowerCase()}`, roles: { realm: [], client: {} } };
}
