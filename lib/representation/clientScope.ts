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
  const mappers = scope.protocolMappers ?? [];
  return {
    id: clientScopeId(realm, scope),
    name: scope.name,
    ...(scope.description === undefined ? {} : { description: scope.description }),
    protocol: scope.protocol,
    attributes: scope.attributes ?? { 'include.in.token.scope': String(scope.includeInTokenScope) },
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
