import { sk, type ClientsTableItem } from '../store/clientsTable.js';
import type { Role, RoleMappings } from '../store/model.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { allRealmItems, describeRole, findRole, requireClient, requireRealm, requireRole, resolveRoleRef, type RoleName } from './lookup.js';

/**
 * Realm and client roles. Where a role is stored depends on whether it is composite (composites
 * under `META#ROLE#`, read by every grant's realm Query; plain roles under `ROLE#`, never read by a
 * grant), so every change that makes a role composite or plain also deletes its other item.
 */

export interface RoleOptions {
  description?: string;
  /** `ROLE` (realm role) or `CLIENT:ROLE` (client role); a role with any is composite. */
  compositeOf?: string[];
}

export async function createRole(ctx: AdminContext, realm: string, role: RoleName, options: RoleOptions = {}): Promise<Role> {
  await checkOwner(ctx, realm, role);
  if (role.name === '' || /[\u0000-\u001f]/.test(role.name)) throw new AdminError('a role name must not be empty or hold control characters');
  if (await findRole(ctx.table, realm, role)) throw new AdminError(`${describeRole(role)} already exists in realm '${realm}'`);
  const created = await roleWith(ctx, realm, { ...role, composite: false }, options);
  await writeRole(ctx, realm, created);
  return created;
}

/** Changes a role's description or composites; `compositeOf: []` makes it a plain role. */
export async function updateRole(ctx: AdminContext, realm: string, role: RoleName, options: RoleOptions): Promise<Role> {
  await checkOwner(ctx, realm, role);
  const stored = await requireRole(ctx.table, realm, role);
  const updated = await roleWith(ctx, realm, stored, options);
  await writeRole(ctx, realm, updated);
  return updated;
}

export async function listRoles(ctx: AdminContext, realm: string, owner?: string): Promise<Role[]> {
  await requireRealm(ctx.table, realm);
  const roles = (await ctx.table.listRealmItems(realm, 'META#ROLE#')).concat(await ctx.table.listRealmItems(realm, 'ROLE#'));
  return roles
    .flatMap((item) => (item.kind === 'role' && (owner === undefined || item.client === owner) ? [withoutKind(item)] : []))
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
  let changed = 0;
  for (const item of await allRealmItems(ctx.table, realm)) {
    const updated = withoutReferences(item, matches);
    if (updated !== undefined) {
      await ctx.table.putItem(realm, updated);
      changed++;
    }
  }
  return changed;
}

/** The item without references to the matching roles, or undefined when it had none. */
function withoutReferences(item: ClientsTableItem, matches: (role: RoleName) => boolean): ClientsTableItem | undefined {
  switch (item.kind) {
    case 'role': {
      const composites = item.composites && filterMappings(item.composites, matches);
      return composites ? { ...item, composites } : undefined;
    }
    case 'clientScope': {
      const scopeMappings = filterMappings(item.scopeMappings, matches);
      return scopeMappings ? { ...item, scopeMappings } : undefined;
    }
    case 'group': {
      const roles = filterMappings(item.roles, matches);
      return roles ? { ...item, roles } : undefined;
    }
    case 'client': {
      const scopeMappings = filterMappings(item.scopeMappings, matches);
      const roles = item.serviceAccount && filterMappings(item.serviceAccount.roles, matches);
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
  const realm = mappings.realm.filter((name) => !matches({ name }));
  const client: Record<string, string[]> = {};
  for (const [owner, names] of Object.entries(mappings.client)) {
    const kept = names.filter((name) => !matches({ client: owner, name }));
    if (kept.length > 0) client[owner] = kept;
  }
  const removed = mappings.realm.length - realm.length + Object.values(mappings.client).flat().length - Object.values(client).flat().length;
  return removed > 0 ? { realm, client } : undefined;
}

async function roleWith(ctx: AdminContext, realm: string, role: Role, options: RoleOptions): Promise<Role> {
  const { composites: _old, ...base } = role;
  const next: Role = { ...base, ...(options.description === undefined ? {} : { description: options.description }) };
  if (options.compositeOf === undefined) return role.composite ? { ...next, composites: role.composites ?? { realm: [], client: {} } } : next;
  const composites: RoleMappings = { realm: [], client: {} };
  for (const ref of options.compositeOf) {
    const member = await resolveRoleRef(ctx.table, realm, ref);
    if (member.client === role.client && member.name === role.name) throw new AdminError(`${describeRole(role)} cannot contain itself`);
    const list = member.client === undefined ? composites.realm : (composites.client[member.client] ??= []);
    if (!list.includes(member.name)) list.push(member.name);
  }
  const composite = composites.realm.length > 0 || Object.keys(composites.client).length > 0;
  return composite ? { ...next, composite, composites } : { ...next, composite };
}

async function writeRole(ctx: AdminContext, realm: string, role: Role): Promise<void> {
  await ctx.table.putItem(realm, { kind: 'role', ...role });
  await ctx.table.deleteItem(realm, role.composite ? sk.plainRole(role) : sk.compositeRole(role));
}

async function checkOwner(ctx: AdminContext, realm: string, role: RoleName): Promise<void> {
  await requireRealm(ctx.table, realm);
  if (role.client !== undefined) await requireClient(ctx.table, realm, role.client);
}

function withoutKind<T extends { kind: string }>(item: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = item;
  return rest;
}
