import { ownEntry } from '../model/userKeys.js';
import type { ClientRecord, ClientScope, CompositeRole, RoleMappings } from '../store/model.js';

/** A role's identity: realm roles by name, client roles by owning clientId and name. */
export interface RoleRef {
  client?: string;
  name: string;
}

export const roleKey = (role: RoleRef) => (role.client === undefined ? `\u0000${role.name}` : `${role.client}\u0000${role.name}`);

function refsOf(mappings: RoleMappings): RoleRef[] {
  return [
    ...mappings.realm.map((name) => ({ name })),
    ...Object.entries(mappings.client).flatMap(([client, names]) => names.map((name) => ({ client, name }))),
  ];
}

/** The realm's composite roles, indexed for expansion. */
export class RoleGraph {
  private readonly composites = new Map<string, RoleRef[]>();

  constructor(compositeRoles: CompositeRole[]) {
    for (const role of compositeRoles) this.composites.set(roleKey(role), refsOf(role.composites));
  }

  /** The roles and, transitively, everything their composites contain (Keycloak's RoleUtils.expandCompositeRoles). */
  expand(mappings: RoleMappings): Map<string, RoleRef> {
    const seen = new Map<string, RoleRef>();
    const pending = refsOf(mappings);
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
 * The roles a service account's token carries (Keycloak's TokenManager.getAccess): the
 * service-account user's role mappings, composites expanded; when `fullScopeAllowed` is false,
 * only those the client may see: its own client roles, its scope mappings and those of the
 * client scopes in effect, composites expanded too (ClientModel.hasScope).
 */
export function tokenRoles(graph: RoleGraph, client: ClientRecord, scopes: ClientScope[], mappings?: RoleMappings): RoleRef[] {
  return rolesInScope(graph, client, scopes, graph.expand(mappings ?? client.serviceAccount?.roles ?? { realm: [], client: {} }));
}

/** tokenRoles for roles already expanded (`granted`: what the service account holds, groups included). */
export function rolesInScope(graph: RoleGraph, client: ClientRecord, scopes: ClientScope[], granted: Map<string, RoleRef>): RoleRef[] {
  if (client.fullScopeAllowed) return [...granted.values()];
  const allowed = graph.expand(client.scopeMappings);
  for (const scope of scopes) for (const [key, role] of graph.expand(scope.scopeMappings)) allowed.set(key, role);
  return [...granted].filter(([key, role]) => role.client === client.clientId || allowed.has(key)).map(([, role]) => role);
}

/** `realm_access` and `resource_access` claims, as Keycloak writes them (empty parts omitted). */
export function accessClaims(roles: RoleRef[]): {
  realm_access?: { roles: string[] };
  resource_access?: Record<string, { roles: string[] }>;
} {
  const realmRoles = roles.filter((role) => role.client === undefined).map((role) => role.name);
  const resourceAccess: Record<string, { roles: string[] }> = {};
  for (const role of roles) {
    if (role.client !== undefined) ownEntry(resourceAccess, role.client, () => ({ roles: [] })).roles.push(role.name);
  }
  return {
    ...(realmRoles.length > 0 ? { realm_access: { roles: realmRoles } } : {}),
    ...(Object.keys(resourceAccess).length > 0 ? { resource_access: resourceAccess } : {}),
  };
}
