import { ownEntry } from '../model/userKeys.js';
import type { Role } from '../model/stored.js';
import { briefRoleRepresentation, type RoleContainers, type RoleRepresentation } from './role.js';

/**
 * Keycloak's MappingsRepresentation (RoleMapperResource.getRoleMappings, ScopeMappedResource.getScopeMappings):
 * realm roles in `realmMappings`, client roles grouped by the owner's clientId with its uuid; each
 * key left out when it would be empty. Roles in brief form.
 */
export interface MappingsRepresentation {
  realmMappings?: RoleRepresentation[];
  clientMappings?: Record<string, { id: string; client: string; mappings: RoleRepresentation[] }>;
}

export function mappingsRepresentation(roles: readonly Role[], containers: RoleContainers): MappingsRepresentation {
  const realmMappings = roles.filter((role) => role.client === undefined).map((role) => briefRoleRepresentation(role, containers));
  const clientMappings: NonNullable<MappingsRepresentation['clientMappings']> = {};
  for (const role of roles) {
    if (role.client === undefined) continue;
    const entry = ownEntry(clientMappings, role.client, () => ({ id: containers.clientUuid(role.client!) ?? '', client: role.client!, mappings: [] }));
    entry.mappings.push(briefRoleRepresentation(role, containers));
  }
  return {
    ...(realmMappings.length > 0 ? { realmMappings } : {}),
    ...(Object.keys(clientMappings).length > 0 ? { clientMappings } : {}),
  };
}
