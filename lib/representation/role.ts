import type { Role, RoleMappings } from '../model/stored.js';
import { roleId } from '../admin/ids.js';
import { unparsable } from '../admin/errors.js';

/**
 * Keycloak's RoleRepresentation, to and from the stored Role (ModelToRepresentation.toBriefRepresentation
 * and toRepresentation). Keycloak's JSON leaves out null fields, so a role without a description
 * has no `description`.
 */

/** What a role's representation needs beyond the role: the ids of its realm and of the clients owning roles. */
export interface RoleContainers {
  realm: string;
  /** Keycloak's realm id, the `containerId` of a realm role. */
  realmId: string;
  /** The internal id (UUID) of a client by clientId: the `containerId` of its roles. */
  clientUuid(clientId: string): string | undefined;
}

export interface RoleRepresentation {
  id: string;
  name: string;
  description?: string;
  composite: boolean;
  composites?: { realm?: string[]; client?: Record<string, string[]> };
  clientRole: boolean;
  containerId: string;
  attributes?: Record<string, string[]>;
}

/** Lists, role mappings and composites show this form (no attributes). */
export function briefRoleRepresentation(role: Role, containers: RoleContainers): RoleRepresentation {
  return { id: roleId(containers.realm, role), ...roleFields(role), containerId: containerIdOf(role, containers) };
}

/**
 * A role read by name or id: the brief form with its attributes and, for a composite, what it
 * holds by name (the reference's full form; Keycloak's export writes `composites` the same way).
 */
export function fullRoleRepresentation(role: Role, containers: RoleContainers): RoleRepresentation {
  return {
    id: roleId(containers.realm, role),
    ...roleFields(role),
    ...compositesOf(role),
    containerId: containerIdOf(role, containers),
    attributes: role.attributes ?? {},
  };
}

/**
 * A role in a realm export (Keycloak's exported RoleRepresentation): the full form without
 * `containerId` (the export's nesting says whose it is), and `id` only when one is stored.
 */
export function exportedRoleRepresentation(role: Role): Omit<RoleRepresentation, 'id' | 'containerId'> & { id?: string } {
  return {
    ...(role.id === undefined ? {} : { id: role.id }),
    ...roleFields(role),
    ...compositesOf(role),
    attributes: role.attributes ?? {},
  };
}

const roleFields = (role: Role) => ({
  name: role.name,
  ...(role.description === undefined ? {} : { description: role.description }),
  composite: role.composite,
  clientRole: role.client !== undefined,
});

const containerIdOf = (role: Role, containers: RoleContainers) =>
  role.client === undefined ? containers.realmId : (containers.clientUuid(role.client) ?? '');

const compositesOf = (role: Role) =>
  role.composite ? { composites: compositesRepresentation(role.composites ?? { realm: [], client: {} }) } : {};

/** Keycloak leaves out the empty half of a role's composites. */
function compositesRepresentation(composites: RoleMappings): { realm?: string[]; client?: Record<string, string[]> } {
  return {
    ...(composites.realm.length > 0 ? { realm: composites.realm } : {}),
    ...(Object.keys(composites.client).length > 0 ? { client: composites.client } : {}),
  };
}

/** The fields of a RoleRepresentation a caller may set. */
export interface RoleInput {
  id?: string;
  name?: string;
  /** Present as null when the body held `"description": null` or none (Keycloak's PUT clears it then). */
  description: string | null;
  attributes?: Record<string, string[]>;
}

/**
 * Reads a RoleRepresentation body (already known to be a JSON object). Unknown properties are
 * accepted; a field of the wrong JSON type is Jackson's `unknown_error` "Cannot parse the JSON",
 * except scalars where a string is expected, which Jackson turns into that string.
 */
export function parseRoleInput(body: Record<string, unknown>): RoleInput {
  const id = optionalString(body.id);
  const name = optionalString(body.name);
  const description = optionalString(body.description);
  return {
    ...(id === undefined ? {} : { id }),
    ...(name === undefined ? {} : { name }),
    description: description ?? null,
    ...(body.attributes === undefined || body.attributes === null ? {} : { attributes: parseAttributes(body.attributes) }),
  };
}

/** A `[{id, name, …}]` body naming roles (composites, role mappings, scope mappings). */
export interface RoleReference {
  id?: string;
  name?: string;
}

export function parseRoleReferences(body: unknown[]): RoleReference[] {
  return body.map((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw unparsable();
    const record = entry as Record<string, unknown>;
    const id = optionalString(record.id);
    const name = optionalString(record.name);
    return { ...(id === undefined ? {} : { id }), ...(name === undefined ? {} : { name }) };
  });
}

/**
 * Keycloak's multi-valued attributes (roles, groups) are `Map<String, List<String>>`; a lone string
 * is taken as a list of one. Built with Object.fromEntries, so a key such as `__proto__` stays a
 * plain own property, never the object's prototype.
 */
export function parseAttributes(value: unknown): Record<string, string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unparsable();
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, raw]) => {
      if (raw === null) return [];
      const list = Array.isArray(raw) ? raw : [raw];
      const values = list.map((item) => {
        const text = optionalString(item);
        if (text === undefined) throw unparsable();
        return text;
      });
      return [[key, values] as const];
    }),
  );
}

/** A JSON scalar as Jackson reads it into a String; objects and arrays are not strings. */
export function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw unparsable();
}
