import { randomUUID } from 'node:crypto';
import {
  createClient,
  deleteClient,
  findClientById,
  listClients,
  readClientSecret,
  rotateSecret,
  updateClient,
  type ClientChanges,
  type ClientView,
} from '../admin/clients.js';
import { REALM_MANAGEMENT_CLIENT } from '../admin/realmManagement.js';
import { serviceAccountUserRepresentation } from '../representation/user.js';
import { CLIENT_AUTHENTICATOR_TYPES, isClientAuthenticatorType, usesSecret } from '../model/clientAuthenticator.js';
import type { ClientRecord, ClientScope, ProtocolMapper } from '../store/model.js';
import { badRequest, cannotParseJson, conflictAs, forbidden, notFound, plainBadRequest } from './errors.js';
import { extras, isObject, readBoolean, readInteger, readString, readStringArray, readStringMap, type JsonObject } from '../representation/json.js';
import { checkNewMappers } from './protocolMappers.js';
import { page } from './query.js';
import { parseProtocolMapper } from '../representation/protocolMapper.js';
import { created, noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Clients (Keycloak's ClientsResource and ClientResource): list, create, read, partial update,
 * delete, the client secret, the service-account user, and the client's default and optional
 * client scopes. `{id}` is Keycloak's internal UUID, never the clientId. Every field of a
 * ClientRepresentation this service does not use (redirect URIs, flows, themes, …) is kept as
 * sent in the client's `extra` and returned on read, so a `terraform plan` after an apply is empty.
 */

/** ClientRepresentation fields held by ClientRecord, or computed on read (never kept as extras). */
const MODELLED = new Set([
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

/** What Keycloak 26 answers for a new client's fields this service does not use (ClientRepresentation defaults). */
const KEYCLOAK_CLIENT_DEFAULTS: JsonObject = {
  surrogateAuthRequired: false,
  alwaysDisplayInConsole: false,
  redirectUris: [],
  webOrigins: [],
  standardFlowEnabled: true,
  implicitFlowEnabled: false,
  directAccessGrantsEnabled: false,
  consentRequired: false,
  frontchannelLogout: true,
  protocol: 'openid-connect',
  authenticationFlowBindingOverrides: {},
  nodeReRegistrationTimeout: -1,
};


/** `CredentialRepresentation` of a client secret. */
const credential = (value?: string) => (value === undefined ? { type: 'secret' } : { type: 'secret', value });

/** The client `{id}` names, or 404 `Could not find client`, or 403 when the caller could not list it anyway (ClientsResource.getClient). */
export async function clientOf(call: AdminCall): Promise<ClientRecord> {
  const client = await findClientById(call.admin, call.realm!.realm, call.params.id!);
  if (!client) throw call.may('list-clients') ? notFound('Could not find client') : forbidden();
  return client;
}

export const clientExists = async (call: AdminCall) => {
  await clientOf(call);
};

/** Keycloak's internal clients (realm-management) can be read and mapped, never changed (ClientPermissions.isInternal). */
async function changeableClient(call: AdminCall): Promise<ClientRecord> {
  const client = await clientOf(call);
  if (client.clientId === REALM_MANAGEMENT_CLIENT) throw forbidden();
  return client;
}

function access(call: AdminCall, client: ClientRecord | ClientView) {
  const manage = call.may('manage-clients') && client.clientId !== REALM_MANAGEMENT_CLIENT;
  return { view: call.may('view-clients'), configure: manage, manage };
}

/** ClientRepresentation: Keycloak's defaults, then the stored extras, then the modelled fields. */
export function clientRepresentation(client: ClientRecord | ClientView, extra: JsonObject = {}): JsonObject {
  return {
    ...KEYCLOAK_CLIENT_DEFAULTS,
    ...client.extra,
    id: client.id,
    clientId: client.clientId,
    enabled: client.enabled,
    clientAuthenticatorType: client.clientAuthenticatorType,
    notBefore: client.notBefore,
    bearerOnly: client.bearerOnly,
    serviceAccountsEnabled: client.serviceAccountsEnabled,
    publicClient: client.publicClient,
    fullScopeAllowed: client.fullScopeAllowed,
    attributes: client.attributes,
    protocolMappers: client.protocolMappers ?? [],
    defaultClientScopes: client.defaultClientScopes,
    optionalClientScopes: client.optionalClientScopes,
    ...extra,
  };
}

/** The fields of a ClientRepresentation lib/admin models; undefined ones stay unchanged on update. */
function clientFields(body: JsonObject) {
  const auth = readString(body, 'clientAuthenticatorType');
  if (auth !== undefined && !isClientAuthenticatorType(auth)) {
    throw badRequest(`Unsupported clientAuthenticatorType '${auth}': ${CLIENT_AUTHENTICATOR_TYPES.join(', ')}`);
  }
  // Authorization services (UMA resource servers) are not implemented: refuse rather than pretend.
  if (readBoolean(body, 'authorizationServicesEnabled') === true) throw badRequest('Authorization services are not supported by this service');
  return {
    clientId: readString(body, 'clientId'),
    enabled: readBoolean(body, 'enabled'),
    publicClient: readBoolean(body, 'publicClient'),
    bearerOnly: readBoolean(body, 'bearerOnly'),
    serviceAccountsEnabled: readBoolean(body, 'serviceAccountsEnabled'),
    fullScopeAllowed: readBoolean(body, 'fullScopeAllowed'),
    clientAuthenticatorType: auth,
    attributes: readStringMap(body, 'attributes'),
    defaultClientScopes: readStringArray(body, 'defaultClientScopes'),
    optionalClientScopes: readStringArray(body, 'optionalClientScopes'),
    notBefore: readInteger(body, 'notBefore'),
    secret: readString(body, 'secret'),
    extra: extras(body, MODELLED),
  };
}

/**
 * ProtocolMapperRepresentations sent with a new client: checked as `protocol-mappers/models`
 * checks each (404 for a type this service does not apply, 409 for a repeated name, then the
 * type's own checks in lib/admin), so this way in stores nothing that one refuses.
 */
function protocolMappers(body: JsonObject): ProtocolMapper[] | undefined {
  const value = body.protocolMappers;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw cannotParseJson(true);
  const inputs = value.map(parseProtocolMapper);
  if (inputs.some((input) => !input.name || !input.protocolMapper)) throw badRequest('A protocol mapper needs a name and a protocolMapper');
  checkNewMappers(inputs, []);
  return inputs.map((input) => ({ ...input, id: input.id ?? randomUUID(), protocol: input.protocol ?? 'openid-connect' }));
}

async function realmScopes(call: AdminCall): Promise<ClientScope[]> {
  return (await call.admin.table.loadRealm(call.realm!.realm))?.clientScopes ?? [];
}

// Keycloak keeps only the scope names that exist in the realm (ClientManager / RepresentationToModel.addClientScopes).
const existing = (names: string[] | undefined, scopes: ClientScope[]) => names?.filter((name) => scopes.some((scope) => scope.name === name));

async function list(call: AdminCall) {
  const realm = call.realm!.realm;
  const clientId = call.query.get('clientId');
  const search = call.query.get('search') === 'true';
  let clients: (ClientRecord | ClientView)[];
  if (clientId !== null && !search) {
    // Exact match: one GetItem, not a listing.
    const one = await call.admin.table.getClient(realm, clientId);
    clients = one ? [one] : [];
  } else {
    const all = await listClients(call.admin, realm);
    const needle = clientId?.toLowerCase();
    clients = all
      .filter((client) => needle === undefined || client.clientId.toLowerCase().includes(needle))
      .sort((a, b) => a.clientId.localeCompare(b.clientId));
  }
  const view = call.may('view-clients');
  // No secrets in lists (no KMS call per listed client); a caller who may only list sees ids and names.
  return ok(
    page(clients, call.query).map((client) =>
      view
        ? clientRepresentation(client, { access: access(call, client) })
        : { id: client.id, clientId: client.clientId, ...(client.extra?.description === undefined ? {} : { description: client.extra.description }) },
    ),
  );
}

async function create(call: AdminCall) {
  const body = call.body('object') as JsonObject | undefined;
  if (!body) throw badRequest('Client id is missing');
  const fields = clientFields(body);
  if (!fields.clientId) throw badRequest('Client id is missing');
  if (fields.publicClient && fields.serviceAccountsEnabled) throw badRequest('Service accounts are not supported for public clients');
  const scopes = await realmScopes(call);
  const id = readString(body, 'id');
  const mappers = protocolMappers(body);
  const defaultClientScopes = existing(fields.defaultClientScopes, scopes);
  const optionalClientScopes = existing(fields.optionalClientScopes, scopes);
  const clientId = fields.clientId;
  const { client } = await conflictAs(`Client ${clientId} already exists`, () => createClient(call.admin, call.realm!.realm, clientId, {
    ...(id ? { id } : {}),
    ...(fields.secret === undefined ? {} : { secret: fields.secret }),
    ...(fields.clientAuthenticatorType ? { auth: fields.clientAuthenticatorType } : {}),
    ...(fields.enabled === undefined ? {} : { enabled: fields.enabled }),
    ...(fields.publicClient === undefined ? {} : { publicClient: fields.publicClient }),
    ...(fields.bearerOnly === undefined ? {} : { bearerOnly: fields.bearerOnly }),
    ...(fields.serviceAccountsEnabled === undefined ? {} : { serviceAccounts: fields.serviceAccountsEnabled }),
    ...(fields.fullScopeAllowed === undefined ? {} : { fullScopeAllowed: fields.fullScopeAllowed }),
    ...(fields.attributes ? { attributes: fields.attributes } : {}),
    ...(defaultClientScopes ? { defaultClientScopes } : {}),
    ...(optionalClientScopes ? { optionalClientScopes } : {}),
    ...(fields.notBefore === undefined ? {} : { notBefore: fields.notBefore }),
    ...(mappers ? { protocolMappers: mappers } : {}),
    // Keycloak's answers for the unused fields, overridden by what was sent: both read back unchanged.
    extra: { ...KEYCLOAK_CLIENT_DEFAULTS, ...fields.extra },
  }));
  return created(call.url('realms', call.realm!.realm, 'clients', client.id));
}

async function update(call: AdminCall) {
  const client = await changeableClient(call);
  const body = (call.body('object') as JsonObject | undefined) ?? {};
  const fields = clientFields(body);
  const scopes = await realmScopes(call);
  const publicClient = fields.publicClient ?? client.publicClient;
  if (publicClient && (fields.serviceAccountsEnabled ?? client.serviceAccountsEnabled)) {
    throw badRequest('Service accounts are not supported for public clients');
  }
  const changes: ClientChanges = Object.fromEntries(
    Object.entries({
      ...fields,
      defaultClientScopes: existing(fields.defaultClientScopes, scopes),
      optionalClientScopes: existing(fields.optionalClientScopes, scopes),
      extra: Object.keys(fields.extra).length > 0 ? fields.extra : undefined,
    }).filter(([, value]) => value !== undefined),
  );
  await conflictAs(`Client ${fields.clientId} already exists`, () => updateClient(call.admin, call.realm!.realm, client.clientId, changes));
  return noContent();
}

/**
 * ClientResource.getClientSecret. A client without a secret (bearer-only, public, `client-jwt`,
 * and the internal `realm-management`) answers `{"type":"secret"}` with no value, as Keycloak
 * does: the provider's `data "keycloak_openid_client"` reads this for every client it looks up.
 * Keycloak lets view-clients read it; reading a secret here needs manage-clients (docs/admin-api.md).
 */
async function getSecret(call: AdminCall) {
  const client = await clientOf(call);
  if (client.clientId === REALM_MANAGEMENT_CLIENT || !usesSecret(client)) return ok(credential());
  const { value, hashOnly } = await readClientSecret(call.admin, call.realm!.realm, client.clientId);
  // A secret stored before secrets were kept encrypted cannot be shown until it is next set or regenerated.
  const warning = hashOnly ? { Warning: '299 - "The secret is stored only as a hash; set or regenerate it to read it"' } : undefined;
  return ok(credential(value), warning);
}

async function regenerateSecret(call: AdminCall) {
  const client = await changeableClient(call);
  if (!usesSecret(client)) return ok(credential());
  // Keycloak without a secret-rotation policy: the previous secret stops at once.
  const issued = await rotateSecret(call.admin, call.realm!.realm, client.clientId, 0);
  return ok(credential(issued.secret));
}

/** UserRepresentation of a client's service account, with what the Admin API adds (e.g. `access`). */
export function serviceAccountRepresentation(client: ClientRecord, extra: JsonObject = {}): JsonObject {
  return { ...serviceAccountUserRepresentation(client), ...extra };
}

async function serviceAccountUser(call: AdminCall) {
  const client = await clientOf(call);
  if (!client.serviceAccountsEnabled || !client.serviceAccount) {
    throw plainBadRequest(`Service account not enabled for the client '${client.clientId}'`);
  }
  const manage = call.may('map-roles');
  return ok(
    serviceAccountRepresentation(client, {
      access: { manageGroupMembership: manage, view: call.may('view-users'), mapRoles: manage, impersonate: false, manage },
    }),
  );
}

type ScopeKind = 'default' | 'optional';
const listOf = (kind: ScopeKind) => (kind === 'default' ? 'defaultClientScopes' : 'optionalClientScopes');

function scopeRoutes(kind: ScopeKind): AdminRoute[] {
  const base = `/realms/{realm}/clients/{id}/${kind}-client-scopes`;
  const scopeById = async (call: AdminCall) => {
    const scope = (await realmScopes(call)).find((candidate) => candidate.id === call.params.scopeId);
    if (!scope) throw notFound('Client scope not found');
    return scope;
  };
  return [
    {
      method: 'GET',
      path: base,
      right: 'view-clients',
      exists: clientExists,
      handle: async (call) => {
        const client = await clientOf(call);
        const scopes = await realmScopes(call);
        return ok(
          client[listOf(kind)].flatMap((name) => {
            const scope = scopes.find((candidate) => candidate.name === name);
            return scope ? [{ id: scope.id ?? scope.name, name: scope.name }] : [];
          }),
        );
      },
    },
    {
      method: 'PUT',
      path: `${base}/{scopeId}`,
      right: 'manage-clients',
      exists: clientExists,
      handle: async (call) => {
        const client = await changeableClient(call);
        const scope = await scopeById(call);
        // A scope is default or optional, never both: attaching it to one list moves it.
        const other = kind === 'default' ? 'optional' : 'default';
        const target = client[listOf(kind)];
        await updateClient(call.admin, call.realm!.realm, client.clientId, {
          [listOf(kind)]: target.includes(scope.name) ? target : [...target, scope.name],
          [listOf(other)]: client[listOf(other)].filter((name) => name !== scope.name),
        });
        return noContent();
      },
    },
    {
      method: 'DELETE',
      path: `${base}/{scopeId}`,
      right: 'manage-clients',
      exists: clientExists,
      handle: async (call) => {
        const client = await changeableClient(call);
        const scope = await scopeById(call);
        await updateClient(call.admin, call.realm!.realm, client.clientId, { [listOf(kind)]: client[listOf(kind)].filter((name) => name !== scope.name) });
        return noContent();
      },
    },
  ];
}

export const clientRoutes: AdminRoute[] = [
  { method: 'GET', path: '/realms/{realm}/clients', right: 'list-clients', handle: list },
  { method: 'POST', path: '/realms/{realm}/clients', right: 'manage-clients', handle: create },
  {
    method: 'GET',
    path: '/realms/{realm}/clients/{id}',
    right: 'view-clients',
    exists: clientExists,
    handle: async (call) => {
      const client = await clientOf(call);
      // The secret only for a caller who may manage clients, as Keycloak's ClientResource.getClient.
      const secret = call.may('manage-clients') && usesSecret(client) ? (await readClientSecret(call.admin, call.realm!.realm, client.clientId)).value : undefined;
      return ok(clientRepresentation(client, { ...(secret === undefined ? {} : { secret }), access: access(call, client) }));
    },
  },
  { method: 'PUT', path: '/realms/{realm}/clients/{id}', right: 'manage-clients', exists: clientExists, handle: update },
  {
    method: 'DELETE',
    path: '/realms/{realm}/clients/{id}',
    right: 'manage-clients',
    exists: clientExists,
    handle: async (call) => {
      const client = await changeableClient(call);
      await deleteClient(call.admin, call.realm!.realm, client.clientId);
      return noContent();
    },
  },
  { method: 'GET', path: '/realms/{realm}/clients/{id}/client-secret', right: 'manage-clients', exists: clientExists, handle: getSecret },
  { method: 'POST', path: '/realms/{realm}/clients/{id}/client-secret', right: 'manage-clients', exists: clientExists, handle: regenerateSecret },
  { method: 'GET', path: '/realms/{realm}/clients/{id}/service-account-user', right: 'view-clients', exists: clientExists, handle: serviceAccountUser },
  ...scopeRoutes('default'),
  ...scopeRoutes('optional'),
];
