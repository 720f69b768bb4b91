import { mappingRefs, type RoleName } from '../model/roleMappings.js';
import type { ClientRecord, ClientScope, CompositeRole, RoleMappings } from '../model/stored.js';

/** A role's identity: realm roles by name, client roles by owning clientId and name. */
export type RoleRef = RoleName;

export const roleKey = (role: RoleRef) => (role.client === undefined ? `\u0000${role.name}` : `${role.client}\u0000${role.name}`);

/** The realm's composite roles, indexed for expansion. */
export class RoleGraph {
  private readonly composites = new Map<string, RoleRef[]>();

  constructor(compositeRoles: CompositeRole[]) {
    for (const role of compositeRoles) this.composites.set(roleKey(role), mappingRefs(role.composites));
  }

  /** The roles and, transitively, everything their composites contain (Keycloak's RoleUtils.expandCompositeRoles). */
  expand(mappings: RoleMappings): Map<string, RoleRef> {
    const seen = new Map<string, RoleRef>();
    const pending = mappingRefs(mappings);
    while (pending.length > 0) {
      const role = pending.shift()!;
      const key = roleKey(role);
      if (seen.has(key)) continue; // composites may form cycles
      seen.set(key, role);
      pending.push(...(this.composites.get(key) ?? []));
    }
    return seen;
  }
}

/**
 * The roles a service account's token carries (Keycloak's TokenManager.getAccess), from what it
 * holds already expanded (`granted`: the service-account user's role mappings and its groups',
 * composites included). With `fullScopeAllowed` false, only those the client may see: its own
 * client roles, its scope mappings and those of the client scopes in effect, composites expanded
 * too (ClientModel.hasScope).
 */
export function rolesInScope(graph: RoleGraph, client: ClientRecord, scopes: ClientScope[], granted: Map<string, RoleRef>): RoleRef[] {
  if (client.fullScopeAllowed) return [...granted.values()];
  const allows = scopeAllows(graph, client, scopes);
  return [...granted.values()].filter(allows);
}

/**
 * Whether the client may carry a role in its tokens with these client scopes in effect
 * (ClientModel.hasScope and ClientScopeModel.hasScope, composites expanded): every role with
 * `fullScopeAllowed`, else its own client roles and what its and the scopes' scope mappings hold.
 * The token's roles and the admin Evaluate tab's granted roles both ask this.
 */
export function scopeAllows(graph: RoleGraph, client: ClientRecord, scopes: readonly ClientScope[]): (role: RoleRef) => boolean {
  if (client.fullScopeAllowed) return () => true;
  const mapped = scopeMappingsAllow(graph, [client, ...scopes]);
  return (role) => role.client === client.clientId || mapped(role);
}

/**
 * Whether these scope mappings, composites expanded, hold a role: a client scope's whole
 * hasScope (ClientScopeModel.hasScope), and the mapped part of a client's.
 */
export function scopeMappingsAllow(graph: RoleGraph, holders: readonly { scopeMappings: RoleMappings }[]): (role: RoleRef) => boolean {
  const allowed = new Set<string>();
  for (const holder of holders) for (const key of graph.expand(holder.scopeMappings).keys()) allowed.add(key);
  return (role) => allowed.has(roleKey(role));
}
