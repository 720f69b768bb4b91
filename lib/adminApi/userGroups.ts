import { addServiceAccountToGroup, removeServiceAccountFromGroup } from '../admin/groups.js';
import { notFound } from './errors.js';
import { groupTree } from './groups.js';
import { nameMatches } from './groupsRepresentation.js';
import { flag, page } from './query.js';
import { noContent, ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';
import { serviceAccountByUserId, userExists } from './users.js';

/**
 * A service account's groups (`users/{userId}/groups`), Keycloak's UserResource.groupMembership,
 * joinGroup and removeMembership: what `keycloak_group_memberships` and the admin client's
 * `users.addToGroup`/`delFromGroup`/`listGroups` call. Reading needs view-users; joining and
 * leaving manage-users. Only direct memberships are listed.
 */

async function memberships(call: AdminCall) {
  const client = await serviceAccountByUserId(call);
  const tree = await groupTree(call);
  const search = call.query.get('search');
  const groups = (client.serviceAccount!.groups ?? [])
    .flatMap((path) => tree.at(path) ?? [])
    .filter((group) => search === null || nameMatches(group, search, false))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { client, tree, groups };
}

/** The user, then the group (404 `Group not found`), then the change: joining twice or leaving a group one is not in is no error. */
async function membership(call: AdminCall, change: 'join' | 'leave'): Promise<AdminResponse> {
  const client = await serviceAccountByUserId(call);
  const group = (await groupTree(call)).byId(call.params.groupId!);
  if (!group) throw notFound('Group not found');
  const operation = change === 'join' ? addServiceAccountToGroup : removeServiceAccountFromGroup;
  await operation(call.admin, call.params.realm!, client.clientId, group.path);
  return noContent();
}

export const userGroupRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/realms/{realm}/users/{userId}/groups',
    right: 'view-users',
    exists: userExists,
    // `briefRepresentation` defaults to true: id, name, path, parentId.
    handle: async (call) => {
      const { tree, groups } = await memberships(call);
      const full = !flag(call.query, 'briefRepresentation', true);
      return ok(page(groups, call.query).map((group) => tree.represent(group, { full, subGroupCount: false })));
    },
  },
  {
    method: 'GET',
    path: '/realms/{realm}/users/{userId}/groups/count',
    right: 'view-users',
    exists: userExists,
    handle: async (call) => ok({ count: (await memberships(call)).groups.length }),
  },
  { method: 'PUT', path: '/realms/{realm}/users/{userId}/groups/{groupId}', right: 'manage-groups', exists: userExists, handle: (call) => membership(call, 'join') },
  { method: 'DELETE', path: '/realms/{realm}/users/{userId}/groups/{groupId}', right: 'manage-groups', exists: userExists, handle: (call) => membership(call, 'leave') },
];
