import type { ClientScope } from '../model/stored.js';
import { clientScopeId } from '../admin/ids.js';
import type { ClientScopeFields } from '../admin/clientScopes.js';
import { unparsable } from '../admin/errors.js';
import { parseProtocolMapper, parseStringMap, protocolMapperRepresentation, type ProtocolMapperInput, type ProtocolMapperRepresentation } from './protocolMapper.js';
import { optionalString } from './role.js';

/**
 * Keycloak's ClientScopeRepresentation (ModelToRepresentation.toRepresentation(ClientScopeModel)):
 * `protocolMappers` only when there are some, `description` only when set, `attributes` always.
 */
export interface ClientScopeRepresentation {
  id: string;
  name: string;
  description?: string;
  protocol: string;
  attributes: Record<string, string>;
  protocolMappers?: ProtocolMapperRepresentation[];
}

export function clientScopeRepresentation(realm: string, scope: ClientScope): ClientScopeRepresentation {
  return {
    id: clientScopeId(realm, scope),
    ...scopeFields(scope, scope.attributes ?? { 'include.in.token.scope': String(scope.includeInTokenScope) }),
  };
}

/**
 * A client scope in a realm export: `id` only when one is stored, and `include.in.token.scope`
 * always written from the stored flag, which the import reads back.
 */
export function exportedClientScopeRepresentation(scope: ClientScope): Omit<ClientScopeRepresentation, 'id'> & { id?: string } {
  return {
    ...(scope.id === undefined ? {} : { id: scope.id }),
    ...scopeFields(scope, { ...(scope.attributes ?? {}), 'include.in.token.scope': String(scope.includeInTokenScope) }),
  };
}

function scopeFields(scope: ClientScope, attributes: Record<string, string>): Omit<ClientScopeRepresentation, 'id'> {
  const mappers = scope.protocolMappers ?? [];
  return {
    name: scope.name,
    ...(scope.description === undefined ? {} : { description: scope.description }),
    protocol: scope.protocol,
    attributes,
    ...(mappers.length > 0 ? { protocolMappers: mappers.map(protocolMapperRepresentation) } : {}),
  };
}

export interface ClientScopeInput extends ClientScopeFields {
  protocolMappers?: ProtocolMapperInput[];
}

/** Reads a ClientScopeRepresentation body; unknown properties are accepted. */
export function parseClientScope(body: Record<string, unknown>): ClientScopeInput {
  const name = optionalString(body.name);
  const description = optionalString(body.description);
  const protocol = optionalString(body.protocol);
  const mappers = body.protocolMappers;
  if (mappers !== undefined && mappers !== null && !Array.isArray(mappers)) throw unparsable();
  return {
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    ...(protocol === undefined ? {} : { protocol }),
    ...(body.attributes === undefined || body.attributes === null ? {} : { attributes: parseStringMap(body.attributes) }),
    ...(Array.isArray(mappers) ? { protocolMappers: mappers.map(parseProtocolMapper) } : {}),
  };
}
