import { AdminError } from '../admin/errors.js';
import { checkName, createGroup, deleteGroup, findGroupById, listGroups, moveGroup, updateGroup } from '../admin/groups.js';
import type { Group } from '../model/stored.js';
import { serviceAccountUserRepresentation } from '../representation/user.js';
import { badRequest, conflict, notFound } from './errors.js';
import { GroupTree, nameMatches, type GroupAccess, type GroupView } from './groupsRepresentation.js';
import { readString, type JsonObject } from '../representation/json.js';
import { flag, page } from './query.js';
import { parseAttributes } from '../representation/role.js';
import { created, noContent, ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';
import { briefUser, serviceAccountClients, userAccess } from './users.js';

/**
 * Groups (`/realms/{realm}/groups`, `group-by-path`), Keycloak's GroupsResource and GroupResource:
 * what the Terraform provider's `keycloak_group` and `keycloak_group_memberships` and the admin
 * client's `groups.*` call (a group's role mappings are lib/adminApi/roleMappings.ts). Rights as
 * Keycloak's GroupPermissions: listing needs query-groups or view-users, reading a group and its
 * members view-users, changing groups manage-users. An unknown group is 404 before any right.
 */

/** GroupPermissions.getAccess for a caller without fine-grained permissions: the same for every group. */
export function groupAccess(call: AdminCall): GroupAccess {
  const view = call.may('view-users');
  const manage = call.may('manage-groups');
  return { view, viewMembers: view, manageMembers: manage, manage, manageMembership: manage };
}

export async function groupTree(call: AdminCall): Promise<GroupTree> {
  return new GroupTree(await listGroups(call.admin, call.params.realm!));
}

/** `groups/{groupId}`, or Keycloak's GroupsResource 404 `Could not find group by id`. */
export async function groupOf(call: AdminCall): Promise<Group> {
  const group = await findGroupById(call.admin, call.params.realm!, call.params.groupId!);
  if (!group) throw notFound('Could not find group by id');
  return group;
}

const groupExists = async (call: AdminCall): Promise<void> => {
  await groupOf(call);
};

/** A GroupRepresentation body: name (required, one path segment), description, attributes. */
function groupBody(call: AdminCall): { id?: string; name: string; description?: string; attributes?: Record<string, string[]> } {
  const body = (call.body('object') as JsonObject | undefined) ?? {};
  const name = readString(body, 'name');
  // GroupResource: a blank name is 400 `Group name is missing`.
  if (name === undefined || name.trim() === '') throw badRequest('Group name is missing');
  try {
    checkName(name);
  } catch (err) {
    if (err instanceof AdminError) throw badRequest(err.message);
    throw err;
  }
  const id = readString(body, 'id');
  const description = readString(body, 'description');
  const attributes = body.attributes === undefined || body.attributes === null ? undefined : parseAttributes(body.attributes);
  return { name, ...(id === undefined ? {} : { id }), ...(description === undefined ? {} : { description }), ...(attributes ? { attributes } : {}) };
}

/** lib/admin's conflict, worded as Keycloak's ErrorResponse.exists. */
async function siblingConflict<T>(message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AdminError && err.kind === 'conflict') throw conflict(message);
    throw err;
  }
}

/**
 * GET groups: top-level groups by name, or with `search` (or `q`, attribute `key:value` pairs)
 * the matching groups anywhere, each under its ancestors (`populateHierarchy`, default true).
 * `first`/`max` page the top-level groups; `briefRepresentation` defaults to true.
 */
async function list(call: AdminCall): Promise<AdminResponse> {
  const tree = await groupTree(call);
  const view: GroupView = { full: !flag(call.query, 'briefRepresentation', true), access: groupAccess(call), subGroupCount: flag(call.query, 'subGroupsCount', true) };
  const search = call.query.get('search');
  const q = call.query.get('q');
  if (search === null && q === null) return ok(page(tree.childrenOf(undefined), call.query).map((group) => tree.represent(group, view)));
  const exact = flag(call.query, 'exact', false);
  const found = tree.groups.filter((group) => (search === null || nameMatches(group, search.trim(), exact)) && (q === null || attributesMatch(group, q)));
  if (!flag(call.query, 'populateHierarchy', true)) return ok(page(found, call.query).map((group) => tree.represent(group, view)));
  return ok(page(tree.hierarchy(found, view), call.query));
}

/** Keycloak's `q`: space-separated `key:value` pairs, every one held by the group's attributes. */
function attributesMatch(group: Group, q: string): boolean {
  return q
    .split(' ')
    .filter((pair) => pair !== '')
    .every((pair) => {
      const [key, ...rest] = pair.split(':');
      const values = Object.hasOwn(group.attributes, key!) ? group.attributes[key!] : undefined;
      return values?.includes(rest.join(':')) ?? false;
    });
}

async function count(call: AdminCall): Promise<AdminResponse> {
  const tree = await groupTree(call);
  const search = call.query.get('search');
  if (search !== null) return ok({ count: tree.groups.filter((group) => nameMatches(group, search.trim(), false)).length });
  return ok({ count: flag(call.query, 'top', false) ? tree.childrenOf(undefined).length : tree.groups.length });
}

/** POST groups: a new top-level group (201), or with the `id` of an existing one, moves it to the top (204). */
async function createTopLevel(call: AdminCall): Promise<AdminResponse> {
  const rep = groupBody(call);
  const realm = call.params.realm!;
  const message = `Top level group named '${rep.name}' already exists.`;
  if (rep.id !== undefined) {
    if (!(await groupTree(call)).byId(rep.id)) throw notFound('Could not find child by id');
    await siblingConflict(message, () => moveGroup(call.admin, realm, rep.id!, undefined));
    return noContent();
  }
  const group = await siblingConflict(message, () => createGroup(call.admin, realm, `/${rep.name}`, rep));
  return created(call.url('realms', realm, 'groups', group.id));
}

/** POST groups/{groupId}/children: a new subgroup (201 with its representation), or moves an existing one under this group (204). */
async function createChild(call: AdminCall): Promise<AdminResponse> {
  const parent = await groupOf(call);
  const rep = groupBody(call);
  const realm = call.params.realm!;
  const message = `Sibling group named '${rep.name}' already exists.`;
  if (rep.id !== undefined) {
    if (!(await groupTree(call)).byId(rep.id)) throw notFound('Could not find child by id');
    await siblingConflict(message, () => moveGroup(call.admin, realm, rep.id!, parent.id));
    return noContent();
  }
  const { id: _id, ...options } = rep;
  const group = await siblingConflict(message, () => createGroup(call.admin, realm, `${parent.path}/${rep.name}`, options));
  const tree = await groupTree(call);
  return created(call.url('realms', realm, 'groups', group.id), tree.represent(group, { full: true, access: groupAccess(call), subGroupCount: false }));
}

async function update(call: AdminCall): Promise<AdminResponse> {
  const group = await groupOf(call);
  const rep = groupBody(call);
  if (rep.id !== undefined && rep.id !== group.id) throw badRequest('Invalid group id');
  await siblingConflict(`Sibling group named '${rep.name}' already exists.`, () =>
    updateGroup(call.admin, call.params.realm!, group.id, { name: rep.name, ...(rep.description === undefined ? {} : { description: rep.description }), ...(rep.attributes ? { attributes: rep.attributes } : {}) }),
  );
  return noContent();
}

/** GET groups/{groupId}/children: `search`, `exact`, `first` (0), `max` (10), `briefRepresentation` (false). */
async function children(call: AdminCall): Promise<AdminResponse> {
  const group = await groupOf(call);
  const tree = await groupTree(call);
  const search = call.query.get('search');
  const exact = flag(call.query, 'exact', false);
  const found = tree.childrenOf(group).filter((child) => search === null || nameMatches(child, search, exact));
  const view: GroupView = { full: !flag(call.query, 'briefRepresentation', false), access: groupAccess(call), subGroupCount: true };
  return ok(page(found, call.query, 10).map((child) => tree.represent(child, view)));
}

/** GET groups/{groupId}/members: service accounts that are direct members, by username; `first`, `max` (100), `briefRepresentation`. */
async function members(call: AdminCall): Promise<AdminResponse> {
  const group = await groupOf(call);
  const found = (await serviceAccountClients(call)).filter((client) => client.serviceAccount!.groups?.includes(group.path));
  const brief = flag(call.query, 'briefRepresentation', false);
  const access = userAccess(call);
  return ok(page(found, call.query, 100).map((client) => (brief ? briefUser(client) : { ...serviceAccountUserRepresentation(client), access })));
}

/** RealmAdminResource.getGroupByPath: 404 `Group path does not exist` before the right is checked. */
async function byPath(call: AdminCall) {
  const tree = await groupTree(call);
  const group = tree.at(`/${call.params.path!.split('/').filter((part) => part !== '').join('/')}`);
  if (!group) throw notFound('Group path does not exist');
  return { tree, group };
}

export const groupRoutes: AdminRoute[] = [
  { method: 'GET', path: '/realms/{realm}/groups', right: 'list-groups', handle: list },
  { method: 'GET', path: '/realms/{realm}/groups/count', right: 'list-groups', handle: count },
  { method: 'POST', path: '/realms/{realm}/groups', right: 'manage-groups', handle: createTopLevel },
  {
    method: 'GET',
    path: '/realms/{realm}/groups/{groupId}',
    right: 'view-users',
    exists: groupExists,
    handle: async (call) => {
      const group = await groupOf(call);
      return ok((await groupTree(call)).represent(group, { full: true, access: groupAccess(call), subGroupCount: true }));
    },
  },
  { method: 'PUT', path: '/realms/{realm}/groups/{groupId}', right: 'manage-groups', exists: groupExists, handle: update },
  {
    method: 'DELETE',
    path: '/realms/{realm}/groups/{groupId}',
    right: 'manage-groups',
    exists: groupExists,
    handle: async (call) => {
      await deleteGroup(call.admin, call.params.realm!, (await groupOf(call)).path);
      return noContent();
    },
  },
  { method: 'GET', path: '/realms/{realm}/groups/{groupId}/children', right: 'view-users', exists: groupExists, handle: children },
  { method: 'POST', path: '/realms/{realm}/groups/{groupId}/children', right: 'manage-groups', exists: groupExists, handle: createChild },
  { method: 'GET', path: '/realms/{realm}/groups/{groupId}/members', right: 'view-users', exists: groupExists, handle: members },
  {
    method: 'GET',
    path: '/realms/{realm}/group-by-path/{path+}',
    right: 'view-users',
    exists: async (call) => {
      await byPath(call);
    },
    handle: async (call) => {
      const { tree, group } = await byPath(call);
      return ok(tree.represent(group, { full: true, access: groupAccess(call), subGroupCount: true }));
    },
  },
];
