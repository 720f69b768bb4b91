import { randomUUID } from 'node:crypto';
import { mappingRefs, sameRole, toMappings, type RoleName } from '../model/roleMappings.js';
import type { Role } from '../model/stored.js';
import type { AdminContext } from './context.js';
import { AdminError, refuseForbiddenKeys } from './errors.js';
import { roleId } from './ids.js';
import { describeRole, requireClient, requireRealm, requireRole, resolveRoleRef } from './lookup.js';

/**
 * Realm and client roles. A rename or a deletion reaches every item that names the role through
 * the store's one reference rewrite (lib/store/roleReferences.ts), as a client rename does.
 */

export interface RoleOptions {
  /** A new name (Keycloak's PUT of a role with another `name`): every mapping of the role follows. */
  name?: string;
  /** `null` removes it: Keycloak's PUT sets the description that is sent, absent included. */
  description?: string | null;
  /** Keycloak role attributes; given, they replace the stored ones. */
  attributes?: Record<string, string[]>;
  /** `ROLE` (realm role) or `CLIENT:ROLE` (client role); a role with any is composite. */
  compositeOf?: string[];
}

export async function createRole(ctx: AdminContext, realm: string, role: RoleName, options: RoleOptions = {}): Promise<Role> {
  await checkOwner(ctx, realm, role);
  checkName(role.name);
  refuseForbiddenKeys(options);
  if (await ctx.table.getRole(realm, role)) throw new AdminError(`${describeRole(role)} already exists in realm '${realm}'`, 'conflict');
  // Keycloak gives every role a random UUID when it is made.
  const base: Role = { id: randomUUID(), ...(role.client === undefined ? {} : { client: role.client }), name: role.name, composite: false };
  const created = withComposites(withFields(base, options), await compositeMembers(ctx, realm, role, options));
  await ctx.table.putItem(realm, { kind: 'role', ...created });
  return created;
}

/**
 * Changes a role's name, description, attributes or composites (`compositeOf: []` makes it a plain
 * role). A rename rewrites every service-account role mapping, scope mapping and composite that
 * names the role, and the realm's default role setting, as Keycloak's role references are by id.
 */
export async function updateRole(ctx: AdminContext, realm: string, role: RoleName, options: RoleOptions): Promise<Role> {
  await checkOwner(ctx, realm, role);
  refuseForbiddenKeys(options);
  const stored = await requireRole(ctx.table, realm, role);
  const renamed = options.name !== undefined && options.name !== stored.name;
  if (renamed) {
    checkName(options.name!);
    const target = { client: stored.client, name: options.name! };
    if (await ctx.table.getRole(realm, target)) throw new AdminError(`${describeRole(target)} already exists in realm '${realm}'`, 'conflict');
  }
  const members = await compositeMembers(ctx, realm, { client: stored.client, name: options.name ?? stored.name }, options);
  // The id is stored with the first change, so that it survives a rename.
  const updated = withComposites(withFields({ ...stored, id: roleId(realm, stored) }, options), members);
  if (!renamed) {
    await ctx.table.putItem(realm, { kind: 'role', ...updated });
    return updated;
  }
  // Written under its old name, then moved by the same rewrite that renames every reference to it.
  await ctx.table.putItem(realm, { kind: 'role', ...updated, name: stored.name });
  const to = stored.client === undefined ? { name: updated.name } : { client: stored.client, name: updated.name };
  await ctx.table.rewriteRoleReferences(realm, (ref) => (sameRole(ref, stored) ? to : ref));
  const settings = await requireRealm(ctx.table, realm);
  if (stored.client === undefined && settings.defaultRole === stored.name) {
    await ctx.table.putItem(realm, { kind: 'settings', ...settings, defaultRole: updated.name });
  }
  return updated;
}

/** Adds roles to a role's composites (Keycloak's POST …/composites); already there is fine. */
export async function addComposites(ctx: AdminContext, realm: string, role: RoleName, members: RoleName[]): Promise<Role> {
  const stored = await requireRole(ctx.table, realm, role);
  const current = mappingRefs(stored.composites ?? { realm: [], client: {} });
  return writeComposites(ctx, realm, stored, [...current, ...members]);
}

/** Removes roles from a role's composites (Keycloak's DELETE …/composites); the last one makes it a plain role. */
export async function removeComposites(ctx: AdminContext, realm: string, role: RoleName, members: RoleName[]): Promise<Role> {
  const stored = await requireRole(ctx.table, realm, role);
  const removed = new Set(members.map(describeRole));
  const kept = mappingRefs(stored.composites ?? { realm: [], client: {} }).filter((ref) => !removed.has(describeRole(ref)));
  return writeComposites(ctx, realm, stored, kept);
}

/** Every role of a realm found already (realm and client roles, unsorted): one read. */
export async function readRealmRoles(ctx: AdminContext, realm: string): Promise<Role[]> {
  return ctx.table.listRoles(realm);
}

/** The role, or undefined: one read, for a realm found already. */
export async function findRole(ctx: AdminContext, realm: string, role: RoleName): Promise<Role | undefined> {
  return ctx.table.getRole(realm, role);
}

/**
 * A role by its id (Keycloak's `realm.getRoleById`: realm and client roles alike). Ids are not
 * part of the sort key, so this reads the realm's roles: roles are few next to clients.
 */
export async function findRoleById(ctx: AdminContext, realm: string, id: string): Promise<Role | undefined> {
  return (await readRealmRoles(ctx, realm)).find((role) => roleId(realm, role) === id);
}

export async function listRoles(ctx: AdminContext, realm: string, owner?: string): Promise<Role[]> {
  await requireRealm(ctx.table, realm);
  return (await ctx.table.listRoles(realm, owner === undefined ? {} : { client: owner }))
    .filter((role) => owner === undefined || role.client === owner)
    .sort((a, b) => (a.client ?? '').localeCompare(b.client ?? '') || a.name.localeCompare(b.name));
}

/**
 * Deletes a role and every reference to it, as Keycloak does when a role is removed: from
 * service-account and group role mappings, client and client-scope scope mappings, and other roles'
 * composites. The realm's default role cannot be deleted (Keycloak refuses it too).
 */
export async function deleteRole(ctx: AdminContext, realm: string, role: RoleName): Promise<{ referencesRemoved: number }> {
  const settings = await requireRealm(ctx.table, realm);
  if (role.client === undefined && role.name === settings.defaultRole) throw new AdminError(`'${role.name}' is the realm's default role and cannot be deleted`);
  await requireRole(ctx.table, realm, role);
  const { rewritten } = await ctx.table.rewriteRoleReferences(realm, (ref) => (sameRole(ref, role) ? undefined : ref));
  return { referencesRemoved: rewritten };
}

function withFields(role: Role, options: RoleOptions): Role {
  const { description: _description, ...rest } = role;
  const description = options.description === undefined ? role.description : (options.description ?? undefined);
  return {
    ...rest,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(description === undefined ? {} : { description }),
    ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
  };
}

/** The role with these composites (undefined: unchanged); none makes it a plain role. */
function withComposites(role: Role, members: RoleName[] | undefined): Role {
  const { composites: old, composite: _composite, ...base } = role;
  if (members === undefined) return role.composite ? { ...base, composite: true, composites: old ?? { realm: [], client: {} } } : { ...base, composite: false };
  const composites = toMappings(members);
  const composite = composites.realm.length > 0 || Object.keys(composites.client).length > 0;
  return composite ? { ...base, composite, composites } : { ...base, composite };
}

async function compositeMembers(ctx: AdminContext, realm: string, role: RoleName, options: RoleOptions): Promise<RoleName[] | undefined> {
  if (options.compositeOf === undefined) return undefined;
  const members: RoleName[] = [];
  for (const ref of options.compositeOf) {
    const member = await resolveRoleRef(ctx.table, realm, ref);
    members.push(member.client === undefined ? { name: member.name } : { client: member.client, name: member.name });
  }
  return checkMembers(role, members);
}

async function writeComposites(ctx: AdminContext, realm: string, stored: Role, members: RoleName[]): Promise<Role> {
  const updated = withComposites({ ...stored, id: roleId(realm, stored) }, checkMembers(stored, members));
  await ctx.table.putItem(realm, { kind: 'role', ...updated });
  return updated;
}

function checkMembers(role: RoleName, members: RoleName[]): RoleName[] {
  if (members.some((member) => member.client === role.client && member.name === role.name)) throw new AdminError(`${describeRole(role)} cannot contain itself`);
  return members;
}

function checkName(name: string): void {
  if (name === '' || /[\u0000-\u001f]/.test(name)) throw new AdminError('a role name must not be empty or hold control characters');
}

async function checkOwner(ctx: AdminContext, realm: string, role: RoleName): Promise<void> {
  await requireRealm(ctx.table, realm);
  if (role.client !== undefined) await requireClient(ctx.table, realm, role.client);
}
