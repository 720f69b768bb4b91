import type { ProtocolMapper } from '../model/stored.js';
import { unparsable } from '../admin/errors.js';
import { optionalString } from './role.js';
import { isForbiddenKey } from '../model/userKeys.js';

/**
 * Keycloak's ProtocolMapperRepresentation, to and from the stored ProtocolMapper. Keycloak writes
 * the deprecated `consentRequired` flag as a plain boolean, so it is always there.
 */
export interface ProtocolMapperRepresentation {
  id: string;
  name: string;
  protocol: string;
  protocolMapper: string;
  consentRequired: boolean;
  config: Record<string, string>;
}

export function protocolMapperRepresentation(mapper: ProtocolMapper): ProtocolMapperRepresentation {
  return {
    id: mapper.id,
    name: mapper.name,
    protocol: mapper.protocol,
    protocolMapper: mapper.protocolMapper,
    consentRequired: mapper.consentRequired ?? false,
    config: { ...mapper.config },
  };
}

/** A mapper as sent: the id is there only when the caller chose one (Keycloak keeps it, an export's ids included). */
export type ProtocolMapperInput = Omit<ProtocolMapper, 'id'> & { id?: string };

/**
 * Reads a ProtocolMapperRepresentation body. `protocol` defaults to openid-connect (the only
 * protocol here); config values are strings (`Map<String, String>`), scalars turned into strings
 * as Jackson does.
 */
export function parseProtocolMapper(body: unknown): ProtocolMapperInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unparsable();
  const record = body as Record<string, unknown>;
  const id = optionalString(record.id);
  const consentRequired = record.consentRequired;
  if (consentRequired !== undefined && consentRequired !== null && typeof consentRequired !== 'boolean') throw unparsable();
  return {
    ...(id === undefined ? {} : { id }),
    name: optionalString(record.name) ?? '',
    protocol: optionalString(record.protocol) ?? 'openid-connect',
    protocolMapper: optionalString(record.protocolMapper) ?? '',
    ...(consentRequired === true ? { consentRequired } : {}),
    config: parseStringMap(record.config),
  };
}

/** A `Map<String, String>` field: absent or null is empty; nested objects and arrays are not strings. */
export function parseStringMap(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw unparsable();
  const map: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value)) {
    // `map['__proto__'] = …` would not store a key; the callers' key rule refuses it first (userKeys.ts).
    if (isForbiddenKey(key)) throw unparsable();
    const text = optionalString(raw);
    if (text !== undefined) map[key] = text;
  }
  return map;
}

/**
 * Keycloak's ProtocolMapperEvaluationRepresentation (ClientScopeEvaluateResource): a mapper a
 * client's tokens would run and what holds it, `client` (its own, `containerName` empty) or a
 * `client-scope`.
 */
export interface ProtocolMapperEvaluationRepresentation {
  mapperId: string;
  mapperName: string;
  containerId: string;
  containerName: string;
  containerType: 'client' | 'client-scope';
  protocolMapper: string;
}

export function protocolMapperEvaluationRepresentation(mapper: ProtocolMapper, owner: { client: { id: string } } | { scope: { id: string; name: string } }): ProtocolMapperEvaluationRepresentation {
  return {
    mapperId: mapper.id,
    mapperName: mapper.name,
    ...('client' in owner ? { containerId: owner.client.id, containerName: '', containerType: 'client' as const } : { containerId: owner.scope.id, containerName: owner.scope.name, containerType: 'client-scope' as const }),
    protocolMapper: mapper.protocolMapper,
  };
}
