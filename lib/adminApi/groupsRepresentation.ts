import type { Group } from '../model/stored.js';

/**
 * Keycloak's GroupRepresentation (ModelToRepresentation.toRepresentation(group, full),
 * GroupUtils.populateSubGroupCount, GroupUtils.populateGroupHierarchyFromSubGroups), from the
 * realm's flat list of groups. Brief: `id`, `name`, `description`, `path`, `parentId`; full adds
 * `attributes`, `realmRoles`, `clientRoles`. `subGroups` is empty unless a search put the matching
 * descendants there; `subGroupCount` counts direct children.
 */
export interface GroupRepresentation {
  id: string;
  name: string;
  description?: string;
  path: string;
  parentId?: string;
  subGroupCount?: number;
  subGroups: GroupRepresentation[];
  attributes?: Record<string, string[]>;
  realmRoles?: string[];
  clientRoles?: Record<string, string[]>;
  access?: GroupAccess;
}

/** GroupPermissions.getAccess. */
export interface GroupAccess {
  view: boolean;
  viewMembers: boolean;
  manageMembers: boolean;
  manage: boolean;
  manageMembership: boolean;
}

export interface GroupView {
  full: boolean;
  access?: GroupAccess;
  /** Omitted by the user's group list (UserResource.groupMembership), set everywhere else. */
  subGroupCount: boolean;
}

/** The realm's groups, indexed once for representations. */
export class GroupTree {
  private readonly byPath = new Map<string, Group>();
  private readonly children = new Map<string, Group[]>();

  constructor(readonly groups: readonly Group[]) {
    for (const group of groups) {
      this.byPath.set(group.path, group);
      const parent = group.parentPath ?? '';
      this.children.set(parent, [...(this.children.get(parent) ?? []), group]);
    }
  }

  byId(id: string): Group | undefined {
    return this.groups.find((group) => group.id === id);
  }

  at(path: string): Group | undefined {
    return this.byPath.get(path);
  }

  /** Direct children (the realm's top-level groups for undefined), by name as Keycloak orders them. */
  childrenOf(group: Group | undefined): Group[] {
    return [...(this.children.get(group?.path ?? '') ?? [])].sort(byName);
  }

  represent(group: Group, view: GroupView): GroupRepresentation {
    const parent = group.parentPath === undefined ? undefined : this.byPath.get(group.parentPath);
    return {
      id: group.id,
      name: group.name,
      ...(group.description === undefined ? {} : { description: group.description }),
      path: group.path,
      ...(parent ? { parentId: parent.id } : {}),
      ...(view.subGroupCount ? { subGroupCount: this.children.get(group.path)?.length ?? 0 } : {}),
      subGroups: [],
      ...(view.full ? { attributes: group.attributes, realmRoles: group.roles.realm, clientRoles: group.roles.client } : {}),
      ...(view.access ? { access: view.access } : {}),
    };
  }

  /**
   * GroupUtils.populateGroupHierarchyFromSubGroups: each group with its ancestors up to the top,
   * merged, so a search answers top-level groups whose `subGroups` lead to the matches and hold no
   * other sibling (the provider's GetGroupByName walks them depth first).
   */
  hierarchy(groups: readonly Group[], view: GroupView): GroupRepresentation[] {
    const nodes = new Map<string, GroupRepresentation>();
    const roots = new Map<string, GroupRepresentation>();
    for (const group of groups) {
      let current: Group | undefined = group;
      let child: GroupRepresentation | undefined;
      while (current) {
        const known = nodes.get(current.id);
        const node = known ?? this.represent(current, view);
        if (!known) nodes.set(current.id, node);
        if (child && !node.subGroups.includes(child)) node.subGroups.push(child);
        if (known) break;
        if (current.parentPath === undefined) roots.set(current.id, node);
        child = node;
        current = current.parentPath === undefined ? undefined : this.byPath.get(current.parentPath);
      }
    }
    const sort = (list: GroupRepresentation[]): GroupRepresentation[] => {
      list.sort((a, b) => a.name.localeCompare(b.name));
      for (const node of list) sort(node.subGroups);
      return list;
    };
    return sort([...roots.values()]);
  }
}

const byName = (a: Group, b: Group) => a.name.localeCompare(b.name);

/**
 * Keycloak's group search: the name contains `search`, case-insensitively, or equals it with
 * `exact=true`.
 */
export function nameMatches(group: Group, search: string, exact: boolean): boolean {
  return exact ? group.name === search : group.name.toLowerCase().includes(search.toLowerCase());
}
