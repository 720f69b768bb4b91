import { GroupIndex, roleMappingsWithGroups } from '../model/groupRoles.js';
import { ownEntry, ownValue } from '../model/userKeys.js';
import type { ClientRecord, ClientScope, Group, Role, RoleMappings, ServiceAccountUser } from '../model/stored.js';
import { RoleGraph } from '../tokens/roles.js';
import { saveClient } from './itemLimit.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import type { RoleName } from '../model/roleMappings.js';
import { describeRole, requireClient, requireRealm, requireRole } from './lookup.js';

/**
 * A client's two role mappings in Keycloak's sense: the service-account user's role mappings
 * (the roles its tokens can carry) and the client's scope mappings (which of them it may put in a
 * token when `fullScopeAllowed` is false). Both are stored on the client item, which a grant reads
 * on every request, so a change shows on the next token.
 */

export type MappingTarget = 'serviceAccount' | 'scope';

export interface MappingChange {
  clientId: string;
  /** Roles added or removed by this change. */
  changed: RoleName[];
  /** Roles that were already there (add) or not there (remove). */
  unchanged: RoleName[];
  /** The mappings after the change. */
  roles: RoleMappings;
}

export async function addMappings(ctx: AdminContext, realm: string, clientId: string, target: MappingTarget, roles: RoleName[]): Promise<MappingChange> {
  await requireRealm(ctx.table, realm);
  const client = await requireClient(ctx.table, realm, clientId);
  const change = await added(ctx, realm, mappingsOf(client, target), roles);
  if (change.changed.length > 0) await saveClient(ctx.table, withMappings(client, target, change.roles));
  return { clientId, ...change };
}

export async function removeMappings(ctx: AdminContext, realm: string, clientId: string, target: MappingTarget, roles: RoleName[]): Promise<MappingChange> {
  await requireRealm(ctx.table, realm);
  const client = await requireClient(ctx.table, realm, clientId);
  const change = removed(mappingsOf(client, target), roles);
  if (change.changed.length > 0) await saveClient(ctx.table, withMappings(client, target, change.roles));
  return { clientId, ...change };
}

/**
 * A client scope's scope mappings (Keycloak's ClientScopeResource.getScopeMappedResource): the
 * roles a client with `fullScopeAllowed` false may put in its tokens while the scope is in effect.
 * On the scope's item, read with the realm.
 */
export async function addClientScopeMappings(ctx: AdminContext, realm: string, scope: ClientScope, roles: RoleName[]): Promise<Omit<MappingChange, 'clientId'>> {
  const change = await added(ctx, realm, scope.scopeMappings, roles);
  if (change.changed.length > 0) await ctx.table.putItem(realm, { kind: 'clientScope', ...scope, scopeMappings: change.roles });
  return change;
}

export async function removeClientScopeMappings(ctx: AdminContext, realm: string, scope: ClientScope, roles: RoleName[]): Promise<Omit<MappingChange, 'clientId'>> {
  const change = removed(scope.scopeMappings, roles);
  if (change.changed.length > 0) await ctx.table.putItem(realm, { kind: 'clientScope', ...scope, scopeMappings: change.roles });
  return change;
}

/** The mappings with the roles added (each must exist), and which were new: a client's, a client scope's or a group's. */
export async function added(ctx: AdminContext, realm: string, current: RoleMappings, roles: RoleName[]): Promise<Omit<MappingChange, 'clientId'>> {
  const mappings = clone(current);
  const result = partition(roles, (role) => !has(mappings, role));
  for (const role of result.changed) {
    await requireRole(ctx.table, realm, role);
    if (role.client === undefined) mappings.realm.push(role.name);
    else ownEntry(mappings.client, role.client, () => []).push(role.name);
  }
  return { ...result, roles: mappings };
}

/** The mappings without the roles, and which were there. */
export function removed(current: RoleMappings, roles: RoleName[]): Omit<MappingChange, 'clientId'> {
  const mappings = clone(current);
  const result = partition(roles, (role) => has(mappings, role));
  for (const role of result.changed) {
    if (role.client === undefined) mappings.realm = mappings.realm.filter((name) => name !== role.name);
    else {
      const kept = (ownValue(mappings.client, role.client) ?? []).filter((name) => name !== role.name);
      if (kept.length > 0) mappings.client[role.client] = kept;
      else delete mappings.client[role.client];
    }
  }
  return { ...result, roles: mappings };
}

/**
 * The roles held through these mappings (Keycloak's RoleMapperModel.hasRole, and a client's
 * ScopeContainerModel.hasScope): each mapped role and, transitively, what its composites contain,
 * as `describeRole` keys. The same expansion a token's roles go through.
 */
export function effectiveRoles(mappings: RoleMappings, roles: readonly Role[]): Set<string> {
  return new Set([...roleGraph(roles).expand(mappings).values()].map(describeRole));
}

/** The composites among stored roles, indexed as the token path expands them. */
export function roleGraph(roles: readonly Role[]): RoleGraph {
  return new RoleGraph(roles.filter((role) => role.composite).map((role) => ({ client: role.client, name: role.name, composites: role.composites ?? { realm: [], client: {} } })));
}

/** A service account's role mappings with those its groups give (lib/model/groupRoles.ts, as the token path reads them). */
export function withGroupRoles(account: ServiceAccountUser, groups: readonly Group[]): RoleMappings {
  return roleMappingsWithGroups(account, new GroupIndex(groups).memberships(account));
}

/** Whether the role is mapped directly (Keycloak's hasDirectRole). */
export function mapsDirectly(mappings: RoleMappings, role: RoleName): boolean {
  return has(mappings, role);
}

function mappingsOf(client: ClientRecord, target: MappingTarget): RoleMappings {
  if (target === 'scope') return client.scopeMappings;
  if (!client.serviceAccountsEnabled || !client.serviceAccount) {
    throw new AdminError(`client '${client.clientId}' has no service account (Keycloak: "Service accounts roles" needs service accounts enabled)`);
  }
  return client.serviceAccount.roles;
}

function withMappings(client: ClientRecord, target: MappingTarget, mappings: RoleMappings): ClientRecord {
  return target === 'scope' ? { ...client, scopeMappings: mappings } : { ...client, serviceAccount: { ...client.serviceAccount!, roles: mappings } };
}

function has(mappings: RoleMappings, role: RoleName): boolean {
  // Own entries only: a client id such as `constructor` would otherwise read Object.prototype's member.
  return (role.client === undefined ? mappings.realm : (ownValue(mappings.client, role.client) ?? [])).includes(role.name);
}

function partition(roles: RoleName[], changes: (role: RoleName) => boolean): Pick<MappingChange, 'changed' | 'unchanged'> {
  const unique = roles.filter((role, i) => roles.findIndex((other) => describeRole(other) === describeRole(role)) === i);
  return { changed: unique.filter(changes), unchanged: unique.filter((role) => !changes(role)) };
}

function clone(mappings: RoleMappings): RoleMappings {
  return { realm: [...mappings.realm], client: Object.fromEntries(Object.entries(mappings.client).map(([owner, names]) => [owner, [...names]])) };
}
