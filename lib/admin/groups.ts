import { ownEntry } from '../model/userKeys.js';
import { randomUUID } from 'node:crypto';
import { emptyRoleMappings, type ClientRecord, type Group, type RoleMappings } from '../model/stored.js';
import { saveClient } from './itemLimit.js';
import type { AdminContext } from './context.js';
import { AdminError, refuseForbiddenKeys } from './errors.js';
import type { RoleName } from '../model/roleMappings.js';
import { describeRole, requireClient, requireRealm, requireRole } from './lookup.js';

/**
 * Realm groups (Keycloak's GroupsResource, GroupResource, UserResource.groups): create, list,
 * delete, attributes, role mappings, and service-account membership. Groups are realm-wide items,
 * read by every realm load, so a service account's roles and attributes
 * through groups reach its tokens without another read. Paths are `/parent/child`.
 */

export async function listGroups(ctx: AdminContext, realm: string): Promise<Group[]> {
  await requireRealm(ctx.table, realm);
  return (await readRealmGroups(ctx, realm)).sort((a, b) => a.path.localeCompare(b.path));
}

export async function getGroup(ctx: AdminContext, realm: string, path: string): Promise<Group> {
  await requireRealm(ctx.table, realm);
  return requireGroup(await readRealmGroups(ctx, realm), normalPath(path));
}

/** A group at `path` (`/ops` or `/ops/payments`); its parent must exist. `id` lets an import or the Admin API keep one. */
export async function createGroup(
  ctx: AdminContext,
  realm: string,
  path: string,
  options: { id?: string; description?: string; attributes?: Record<string, string[]> } = {},
): Promise<Group> {
  await requireRealm(ctx.table, realm);
  const normal = normalPath(path);
  const groups = await readRealmGroups(ctx, realm);
  if (groups.some((g) => g.path === normal)) throw new AdminError(`group '${normal}' already exists in realm '${realm}'`, 'conflict');
  const { name, parentPath } = split(normal);
  if (parentPath !== undefined) requireGroup(groups, parentPath);
  if (options.id !== undefined && groups.some((g) => g.id === options.id)) throw new AdminError(`a group with id '${options.id}' already exists`, 'conflict');
  const group: Group = {
    id: options.id ?? randomUUID(),
    name,
    ...(options.description === undefined || options.description === '' ? {} : { description: options.description }),
    path: normal,
    ...(parentPath === undefined ? {} : { parentPath }),
    attributes: checkedAttributes(options.attributes ?? {}),
    roles: emptyRoleMappings(),
  };
  await ctx.table.putItem(realm, { kind: 'group', ...group });
  return group;
}

/** Deletes a group, its subgroups, and every service account's membership of them (Keycloak does the same). */
export async function deleteGroup(ctx: AdminContext, realm: string, path: string): Promise<{ groupsDeleted: number; membershipsRemoved: number }> {
  await requireRealm(ctx.table, realm);
  const groups = await readRealmGroups(ctx, realm);
  const group = requireGroup(groups, normalPath(path));
  const doomed = groups.filter((g) => g.path === group.path || g.path.startsWith(`${group.path}/`));
  const paths = new Set(doomed.map((g) => g.path));
  let membershipsRemoved = 0;
  for (const client of await serviceAccountClients(ctx, realm)) {
    const kept = client.serviceAccount!.groups?.filter((p) => !paths.has(p)) ?? [];
    if (kept.length !== (client.serviceAccount!.groups?.length ?? 0)) {
      membershipsRemoved++;
      await saveClient(ctx.table, { ...client, serviceAccount: { ...client.serviceAccount!, groups: kept } });
    }
  }
  for (const g of doomed) await ctx.table.deleteItem(realm, { kind: 'group', id: g.id });
  return { groupsDeleted: doomed.length, membershipsRemoved };
}

/** The group with Keycloak's id (the Admin REST API's `{groupId}`), or undefined. */
export async function findGroupById(ctx: AdminContext, realm: string, id: string): Promise<Group | undefined> {
  await requireRealm(ctx.table, realm);
  return (await readRealmGroups(ctx, realm)).find((g) => g.id === id);
}

export interface GroupChanges {
  name?: string;
  /** Keycloak's GroupResource.updateGroup sets the description as sent: absent clears it. */
  description?: string;
  /** When given, the whole set: attributes not named are removed. */
  attributes?: Record<string, string[]>;
}

/**
 * Keycloak's GroupResource.updateGroup. A new name moves the group and its subgroups to new paths,
 * and every service account's membership follows them (memberships are kept by path).
 */
export async function updateGroup(ctx: AdminContext, realm: string, id: string, changes: GroupChanges): Promise<Group> {
  const groups = await readRealmGroups(ctx, realm);
  const group = requireGroupId(groups, id);
  const { description: _old, ...rest } = group;
  const patched: Group = {
    ...rest,
    ...(changes.description === undefined || changes.description === '' ? {} : { description: changes.description }),
    attributes: changes.attributes === undefined ? group.attributes : checkedAttributes(changes.attributes),
  };
  if (changes.name === undefined || changes.name === group.name) {
    await ctx.table.putItem(realm, { kind: 'group', ...patched });
    return patched;
  }
  checkName(changes.name);
  return relocate(ctx, realm, groups, patched, joinPath(group.parentPath, changes.name));
}

/**
 * Moves a group under another (Keycloak's RealmModel.moveGroup, through POST
 * `groups/{parentId}/children` or, with `parentId` undefined, POST `groups` with the child's id).
 */
export async function moveGroup(ctx: AdminContext, realm: string, id: string, parentId: string | undefined): Promise<Group> {
  const groups = await readRealmGroups(ctx, realm);
  const group = requireGroupId(groups, id);
  const parent = parentId === undefined ? undefined : requireGroupId(groups, parentId);
  if (parent && (parent.path === group.path || parent.path.startsWith(`${group.path}/`))) {
    throw new AdminError(`group '${group.path}' cannot be moved under itself or one of its subgroups`);
  }
  if (group.parentPath === parent?.path) return group;
  return relocate(ctx, realm, groups, group, joinPath(parent?.path, group.name));
}

/** Sets (or with an empty list removes) one attribute of a group. */
export async function setGroupAttribute(ctx: AdminContext, realm: string, path: string, name: string, values: string[]): Promise<Group> {
  refuseForbiddenKeys({ [name]: values });
  const group = await getGroup(ctx, realm, path);
  const attributes = { ...group.attributes };
  if (values.length === 0) delete attributes[name];
  else attributes[name] = [...values];
  const updated = { ...group, attributes: checkedAttributes(attributes) };
  await ctx.table.putItem(realm, { kind: 'group', ...updated });
  return updated;
}

export interface GroupRoleChange {
  path: string;
  changed: RoleName[];
  unchanged: RoleName[];
  roles: RoleMappings;
}

/** Grants roles to a group: every member (and member of a subgroup) holds them. */
export async function grantGroupRoles(ctx: AdminContext, realm: string, path: string, roles: RoleName[]): Promise<GroupRoleChange> {
  const group = await getGroup(ctx, realm, path);
  const mappings = clone(group.roles);
  const changed: RoleName[] = [];
  const unchanged: RoleName[] = [];
  for (const role of unique(roles)) {
    if (has(mappings, role)) {
      unchanged.push(role);
      continue;
    }
    await requireRole(ctx.table, realm, role);
    if (role.client === undefined) mappings.realm.push(role.name);
    else ownEntry(mappings.client, role.client, () => []).push(role.name);
    changed.push(role);
  }
  if (changed.length > 0) await ctx.table.putItem(realm, { kind: 'group', ...group, roles: mappings });
  return { path: group.path, changed, unchanged, roles: mappings };
}

export async function revokeGroupRoles(ctx: AdminContext, realm: string, path: string, roles: RoleName[]): Promise<GroupRoleChange> {
  const group = await getGroup(ctx, realm, path);
  const mappings = clone(group.roles);
  const changed: RoleName[] = [];
  const unchanged: RoleName[] = [];
  for (const role of unique(roles)) {
    if (!has(mappings, role)) {
      unchanged.push(role);
      continue;
    }
    if (role.client === undefined) mappings.realm = mappings.realm.filter((n) => n !== role.name);
    else {
      const kept = (mappings.client[role.client] ?? []).filter((n) => n !== role.name);
      if (kept.length > 0) mappings.client[role.client] = kept;
      else delete mappings.client[role.client];
    }
    changed.push(role);
  }
  if (changed.length > 0) await ctx.table.putItem(realm, { kind: 'group', ...group, roles: mappings });
  return { path: group.path, changed, unchanged, roles: mappings };
}

/** Makes a client's service account a member of a group (Keycloak: PUT users/{id}/groups/{groupId}). */
export async function addServiceAccountToGroup(ctx: AdminContext, realm: string, clientId: string, path: string): Promise<{ clientId: string; groups: string[]; changed: boolean }> {
  const { client, account } = await serviceAccountOf(ctx, realm, clientId);
  const group = requireGroup(await readRealmGroups(ctx, realm), normalPath(path));
  const groups = account.groups ?? [];
  if (groups.includes(group.path)) return { clientId, groups, changed: false };
  const next = [...groups, group.path];
  await saveClient(ctx.table, { ...client, serviceAccount: { ...account, groups: next } });
  return { clientId, groups: next, changed: true };
}

export async function removeServiceAccountFromGroup(ctx: AdminContext, realm: string, clientId: string, path: string): Promise<{ clientId: string; groups: string[]; changed: boolean }> {
  const { client, account } = await serviceAccountOf(ctx, realm, clientId);
  const normal = normalPath(path);
  const groups = account.groups ?? [];
  if (!groups.includes(normal)) return { clientId, groups, changed: false };
  const next = groups.filter((p) => p !== normal);
  await saveClient(ctx.table, { ...client, serviceAccount: { ...account, groups: next } });
  return { clientId, groups: next, changed: true };
}

/** The clientIds whose service accounts are direct members of the group. */
export async function listGroupMembers(ctx: AdminContext, realm: string, path: string): Promise<string[]> {
  const group = await getGroup(ctx, realm, path);
  return (await serviceAccountClients(ctx, realm)).filter((c) => c.serviceAccount!.groups?.includes(group.path)).map((c) => c.clientId);
}

// ---------------------------------------------------------------------------------------------

/** `ops/payments` and `/ops/payments/` both mean `/ops/payments`. */
export function normalPath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.length === 0) throw new AdminError(`'${path}' is not a group path (like /parent/child)`);
  if (parts.some((part) => /[\u0000-\u001f]/.test(part))) throw new AdminError('a group name must not hold control characters');
  return `/${parts.join('/')}`;
}

/**
 * Gives `group` (already patched) the path `path`, its subgroups the paths below it, and rewrites
 * the memberships of every service account of the moved groups. A taken path is a conflict.
 */
async function relocate(ctx: AdminContext, realm: string, groups: Group[], group: Group, path: string): Promise<Group> {
  if (groups.some((g) => g.path === path && g.id !== group.id)) throw new AdminError(`group '${path}' already exists in realm '${realm}'`, 'conflict');
  const from = groups.find((g) => g.id === group.id)!.path;
  const moved = (old: string) => (old === from ? path : old.startsWith(`${from}/`) ? `${path}${old.slice(from.length)}` : old);
  const { parentPath: _parent, ...rest } = group;
  const { name, parentPath } = split(path);
  const top: Group = { ...rest, name, path, ...(parentPath === undefined ? {} : { parentPath }) };
  await ctx.table.putItem(realm, { kind: 'group', ...top });
  for (const g of groups) {
    if (g.id === group.id || !g.path.startsWith(`${from}/`)) continue;
    await ctx.table.putItem(realm, { kind: 'group', ...g, path: moved(g.path), parentPath: moved(g.parentPath!) });
  }
  for (const client of await serviceAccountClients(ctx, realm)) {
    const memberships = client.serviceAccount!.groups ?? [];
    const next = memberships.map(moved);
    if (next.some((p, i) => p !== memberships[i])) await saveClient(ctx.table, { ...client, serviceAccount: { ...client.serviceAccount!, groups: next } });
  }
  return top;
}

/** A group name is one path segment (Keycloak escapes `/` in names; this service refuses it, as its importer does). */
export function checkName(name: string): void {
  if (name.trim() === '') throw new AdminError('Group name is missing');
  if (name.includes('/')) throw new AdminError("a group name must not contain '/'");
  if (/[\u0000-\u001f]/.test(name)) throw new AdminError('a group name must not hold control characters');
}

const joinPath = (parentPath: string | undefined, name: string) => `${parentPath ?? ''}/${name}`;

function requireGroupId(groups: Group[], id: string): Group {
  const group = groups.find((g) => g.id === id);
  if (!group) throw new AdminError(`no group with id '${id}'`, 'not-found');
  return group;
}

function split(path: string): { name: string; parentPath?: string } {
  const i = path.lastIndexOf('/');
  return i === 0 ? { name: path.slice(1) } : { name: path.slice(i + 1), parentPath: path.slice(0, i) };
}

/** Every group of a realm found already (unsorted): one read. */
export async function readRealmGroups(ctx: AdminContext, realm: string): Promise<Group[]> {
  return ctx.table.listGroups(realm);
}

function requireGroup(groups: Group[], path: string): Group {
  const group = groups.find((g) => g.path === path);
  if (!group) throw new AdminError(`group '${path}' does not exist`);
  return group;
}

async function serviceAccountOf(ctx: AdminContext, realm: string, clientId: string) {
  await requireRealm(ctx.table, realm);
  const client = await requireClient(ctx.table, realm, clientId);
  if (!client.serviceAccountsEnabled || !client.serviceAccount) throw new AdminError(`client '${clientId}' has no service account`);
  return { client, account: client.serviceAccount };
}

async function serviceAccountClients(ctx: AdminContext, realm: string): Promise<ClientRecord[]> {
  return (await ctx.table.listClients(realm)).filter((client) => client.serviceAccount !== undefined);
}

function checkedAttributes(attributes: Record<string, string[]>): Record<string, string[]> {
  refuseForbiddenKeys({ attributes });
  for (const [name, values] of Object.entries(attributes)) {
    if (name === '' || !Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw new AdminError(`attribute '${name}' must be a name with a list of strings`);
  }
  return Object.fromEntries(Object.entries(attributes).map(([name, values]) => [name, [...values]]));
}

function has(mappings: RoleMappings, role: RoleName): boolean {
  return (role.client === undefined ? mappings.realm : (mappings.client[role.client] ?? [])).includes(role.name);
}

function unique(roles: RoleName[]): RoleName[] {
  return roles.filter((role, i) => roles.findIndex((other) => describeRole(other) === describeRole(role)) === i);
}

function clone(mappings: RoleMappings): RoleMappings {
  return { realm: [...mappings.realm], client: Object.fromEntries(Object.entries(mappings.client).map(([owner, names]) => [owner, [...names]])) };
}
