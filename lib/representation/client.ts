import { KEYCLOAK_CLIENT_DEFAULTS } from '../model/clientDefaults.js';
import type { ClientRecord, ProtocolMapper } from '../model/stored.js';
import { unparsable } from '../admin/errors.js';
import { extras, readBoolean, readInteger, readString, readStringArray, readStringMap, type JsonObject } from './json.js';
import { parseProtocolMapper, protocolMapperRepresentation, type ProtocolMapperInput } from './protocolMapper.js';

/**
 * Keycloak's ClientRepresentation, to and from the stored client: one builder for the Admin API's
 * client read and list and for the export (Keycloak's ModelToRepresentation.toRepresentation serves
 * ClientResource and ExportUtils alike), and one reader of the fields the model holds, in
 * Keycloak's names, for every writer (the Admin API; sa-admin maps its flags to the same fields).
 * Every other field (redirect URIs, flows, themes, …) is kept as sent in the client's `extra` and
 * comes back under the modelled fields.
 */

/** ClientRepresentation fields the stored client holds, or that are computed on read: never kept as extras. */
export const CLIENT_FIELDS = new Set([
  'id',
  'clientId',
  'enabled',
  'publicClient',
  'bearerOnly',
  'serviceAccountsEnabled',
  'fullScopeAllowed',
  'clientAuthenticatorType',
  'attributes',
  'defaultClientScopes',
  'optionalClientScopes',
  'notBefore',
  'protocolMappers',
  'secret',
  'access',
  'authorizationServicesEnabled',
  'authorizationSettings',
  'registeredNodes',
]);

/**
 * Keycloak's secret rotation keeps the previous secret in clear in this attribute
 * (OIDCClientSecretConfigWrapper); it never reaches the table, and must never leave it either.
 */
const SECRET_ATTRIBUTES = new Set(['client.secret.rotated']);

/**
 * The fields of a ClientRepresentation the model holds, as lib/admin's client operations take them:
 * an absent field is Keycloak's default on create and unchanged on update (Keycloak's partial PUT).
 */
export interface ClientFields {
  /** Keycloak's internal id (a UUID); a new one when a client is created without it (or with an empty one). */
  id?: string;
  /** A new clientId on update renames the client, its roles and every mapping of them. */
  clientId?: string;
  enabled?: boolean;
  publicClient?: boolean;
  bearerOnly?: boolean;
  /** true creates the service account (with the realm's default role), false removes it. */
  serviceAccountsEnabled?: boolean;
  fullScopeAllowed?: boolean;
  /** Checked by lib/admin against the authenticator registry (lib/model/clientAuthenticator.ts). */
  clientAuthenticatorType?: string;
  /** Replaces every attribute (Keycloak replaces the map). */
  attributes?: Record<string, string>;
  /** Scope names; on create, the realm's default and optional client scopes when absent. */
  defaultClientScopes?: string[];
  optionalClientScopes?: string[];
  notBefore?: number;
  protocolMappers?: ProtocolMapperInput[];
  /** A chosen secret (hashed with the realm's pepper: it may be weak); the previous one stops at once. */
  secret?: string;
  /** Authorization services (UMA resource servers) are not implemented: lib/admin refuses true. */
  authorizationServicesEnabled?: boolean;
  /** Representation fields this service does not use: kept as sent, merged into the stored ones on update. */
  extra?: Record<string, unknown>;
}

/** A ClientRepresentation body as ClientFields; a field of the wrong JSON type is Keycloak's `Cannot parse the JSON`. */
export function parseClientRepresentation(body: JsonObject): ClientFields {
  const fields: ClientFields = {
    id: readString(body, 'id'),
    clientId: readString(body, 'clientId'),
    enabled: readBoolean(body, 'enabled'),
    publicClient: readBoolean(body, 'publicClient'),
    bearerOnly: readBoolean(body, 'bearerOnly'),
    serviceAccountsEnabled: readBoolean(body, 'serviceAccountsEnabled'),
    fullScopeAllowed: readBoolean(body, 'fullScopeAllowed'),
    clientAuthenticatorType: readString(body, 'clientAuthenticatorType'),
    attributes: readStringMap(body, 'attributes'),
    defaultClientScopes: readStringArray(body, 'defaultClientScopes'),
    optionalClientScopes: readStringArray(body, 'optionalClientScopes'),
    notBefore: readInteger(body, 'notBefore'),
    protocolMappers: parseProtocolMappers(body.protocolMappers),
    secret: readString(body, 'secret'),
    authorizationServicesEnabled: readBoolean(body, 'authorizationServicesEnabled'),
  };
  const extra = extras(body, CLIENT_FIELDS);
  return {
    ...(Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as ClientFields),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

function parseProtocolMappers(value: unknown): ProtocolMapperInput[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw unparsable();
  return value.map(parseProtocolMapper);
}

/** What a client's representation is built from: the stored client, or lib/admin's view of it (no secret material). */
export type ClientModel = Pick<
  ClientRecord,
  | 'id'
  | 'clientId'
  | 'enabled'
  | 'publicClient'
  | 'bearerOnly'
  | 'serviceAccountsEnabled'
  | 'fullScopeAllowed'
  | 'clientAuthenticatorType'
  | 'attributes'
  | 'defaultClientScopes'
  | 'optionalClientScopes'
  | 'notBefore'
  | 'extra'
> & { protocolMappers?: ProtocolMapper[] };

/**
 * ClientRepresentation: the stored extras, then the modelled fields. The Admin API's form puts
 * Keycloak's defaults of the unused fields under the extras and always lists `protocolMappers`;
 * the export writes what is stored, as the import read it, and leaves an empty mapper list out.
 * Neither ever carries a secret (the Admin API adds it for a manage-clients caller).
 */
export function clientRepresentation(client: ClientModel, options: { export?: boolean } = {}): JsonObject {
  const mappers = (client.protocolMappers ?? []).map(protocolMapperRepresentation);
  return {
    ...(options.export ? {} : KEYCLOAK_CLIENT_DEFAULTS),
    ...client.extra,
    id: client.id,
    clientId: client.clientId,
    enabled: client.enabled,
    clientAuthenticatorType: client.clientAuthenticatorType,
    notBefore: client.notBefore,
    bearerOnly: client.bearerOnly,
    serviceAccountsEnabled: client.serviceAccountsEnabled,
    publicClient: client.publicClient,
    protocol: 'openid-connect',
    attributes: Object.fromEntries(Object.entries(client.attributes).filter(([name]) => !SECRET_ATTRIBUTES.has(name))),
    fullScopeAllowed: client.fullScopeAllowed,
    defaultClientScopes: client.defaultClientScopes,
    optionalClientScopes: client.optionalClientScopes,
    ...(options.export && mappers.length === 0 ? {} : { protocolMappers: mappers }),
  };
}

/** What a caller who may list clients but not view them sees (Keycloak's ClientsResource.getClients). */
export function briefClientRepresentation(client: ClientModel): JsonObject {
  const description = client.extra?.description;
  return { id: client.id, clientId: client.clientId, ...(description === undefined ? {} : { description }) };
}
