import { ownEntry } from '../model/userKeys.js';
import { randomUUID } from 'node:crypto';
import { sk, type ClientsTableItem } from '../store/clientsTable.js';
import type { Role, RoleMappings } from '../store/model.js';
import type { AdminContext } from './context.js';
import { AdminError, refuseForbiddenKeys } from './errors.js';
import { roleId } from './ids.js';
import { allRealmItems, allRoles, describeRole, findRole, requireClient, requireRealm, requireRole, resolveRoleRef, type RoleName } from './lookup.js';

/**
 * Realm and client roles. Where a role is stored depends on whether it is composite (composites
 * under `META#ROLE#`, read by every grant's realm Query; plain roles under `ROLE#`, never read by a
 * grant), so every change that makes a role composite or plain also deletes its other item.
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
  if (await findRole(ctx.table, realm, role)) throw new AdminError(`${describeRole(role)} already exists in realm '${realm}'`, 'conflict');
  // Keycloak gives every role a random UUID when it is made.
  const base: Role = { id: randomUUID(), ...(role.client === undefined ? {} : { client: role.client }), name: role.name, composite: false };
  const created = withComposites(withFields(base, options), await compositeMembers(ctx, realm, role, options));
  await writeRole(ctx, realm, created);
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
    if (await findRole(ctx.table, realm, target)) throw new AdminError(`${describeRole(target)} already exists in realm '${realm}'`, 'conflict');
  }
  const members = await compositeMembers(ctx, realm, { client: stored.client, name: options.name ?? stored.name }, options);
  // The id is stored with the first change, so that it survives a rename.
  const updated = withComposites(withFields({ ...stored, id: roleId(realm, stored) }, options), members);
  await writeRole(ctx, realm, updated);
  if (renamed) {
    await ctx.table.deleteItem(realm, sk.compositeRole(stored));
    await ctx.table.deleteItem(realm, sk.plainRole(stored));
    const from = describeRole(stored);
    await rewriteRoleReferences(ctx, realm, (ref) => (describeRole(ref) === from ? { client: stored.client, name: updated.name } : ref));
    const settings = await requireRealm(ctx.table, realm);
    if (stored.client === undefined && settings.defaultRole === stored.name) {
      await ctx.table.putItem(realm, { kind: 'settings', ...settings, defaultRole: updated.name });
    }
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

export async function listRoles(ctx: AdminContext, realm: string, owner?: string): Promise<Role[]> {
  await requireRealm(ctx.table, realm);
  return (await allRoles(ctx.table, realm))
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
  await ctx.table.deleteItem(realm, sk.compositeRole(role));
  await ctx.table.deleteItem(realm, sk.plainRole(role));
  const referencesRemoved = await removeRoleReferences(ctx, realm, (ref) => ref.client === role.client && ref.name === role.name);
  return { referencesRemoved };
}

/**
 * Removes the roles `matches` selects from every mapping in the realm and rewrites the items that
 * changed; returns how many. One scan of the realm: deleting is rare, and the mappings that name
 * a role are spread over every client.
 */
export async function removeRoleReferences(ctx: AdminContext, realm: string, matches: (role: RoleName) => boolean): Promise<number> {
  return rewriteRoleReferences(ctx, realm, (ref) => (matches(ref) ? undefined : ref));
}

/**
 * Replaces every role reference in the realm by what `rewrite` returns for it (undefined drops
 * it), and writes the items that changed; returns how many.
 */
export async function rewriteRoleReferences(ctx: AdminContext, realm: string, rewrite: (role: RoleName) => RoleName | undefined): Promise<number> {
  let changed = 0;
  for (const item of await allRealmItems(ctx.table, realm)) {
    const updated = rewriteItem(item, rewrite);
    if (updated !== undefined) {
      await ctx.table.putItem(realm, updated);
      changed++;
    }
  }
  return changed;
}

/** The item with its role references rewritten, or undefined when none changed. */
function rewriteItem(item: ClientsTableItem, rewrite: (role: RoleName) => RoleName | undefined): ClientsTableItem | undefined {
  switch (item.kind) {
    case 'role': {
      const composites = item.composites && mapMappings(item.composites, rewrite);
      return composites ? { ...item, composites } : undefined;
    }
    case 'clientScope': {
      const scopeMappings = mapMappings(item.scopeMappings, rewrite);
      return scopeMappings ? { ...item, scopeMappings } : undefined;
    }
    case 'group': {
      const roles = mapMappings(item.roles, rewrite);
      return roles ? { ...item, roles } : undefined;
    }
    case 'client': {
      const scopeMappings = mapMappings(item.scopeMappings, rewrite);
      const roles = item.serviceAccount && mapMappings(item.serviceAccount.roles, rewrite);
      if (!scopeMappings && !roles) return undefined;
      return {
        ...item,
        scopeMappings: scopeMappings ?? item.scopeMappings,
        ...(item.serviceAccount ? { serviceAccount: { ...item.serviceAccount, roles: roles ?? item.serviceAccount.roles } } : {}),
      };
    }
    default:
      return undefined;
  }
}

/** The mappings without the matching roles, or undefined when none matched. */
export function filterMappings(mappings: RoleMappings, matches: (role: RoleName) => boolean): RoleMappings | undefined {
  return mapMappings(mappings, (ref) => (matches(ref) ? undefined : ref));
}

/** The mappings with each role replaced by `rewrite`'s result (undefined drops it), or undefined when nothing changed. */
export function mapMappings(mappings: RoleMappings, rewrite: (role: RoleName) => RoleName | undefined): RoleMappings | undefined {
  let changed = false;
  const refs: RoleName[] = [];
  for (const ref of mappingRefs(mappings)) {
    const next = rewrite(ref);
    if (next === undefined || next.client !== ref.client || next.name !== ref.name) changed = true;
    if (next !== undefined) refs.push(next);
  }
  return changed ? toMappings(refs) : undefined;
}

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
  await writeRole(ctx, realm, updated);
  return updated;
}

function checkMembers(role: RoleName, members: RoleName[]): RoleName[] {
  if (members.some((member) => member.client === role.client && member.name === role.name)) throw new AdminError(`${describeRole(role)} cannot contain itself`);
  return members;
}

function checkName(name: string): void {
  if (name === '' || /[\u0000-\u001f]/.test(name)) throw new AdminError('a role name must not be empty or hold control characters');
}

async function writeRole(ctx: AdminContext, realm: string, role: Role): Promise<void> {
  await ctx.table.putItem(realm, { kind: 'role', ...role });
  await ctx.table.deleteItem(realm, role.composite ? sk.plainRole(role) : sk.compositeRole(role));
}

async function checkOwner(ctx: AdminContext, realm: string, role: RoleName): Promise<void> {
  await requireRealm(ctx.table, realm);
  if (role.client !== undefined) await requireClient(ctx.table, realm, role.client);
}
