import {
  createClient,
  deleteClient,
  findClient,
  findClientById,
  readClientSecret,
  rotateSecret,
  updateClient,
  type ClientView,
} from '../admin/clients.js';
import { listClientsPage, searchClients } from '../admin/clientListing.js';
import { findClientScopeById } from '../admin/clientScopes.js';
import { assignClientScope, assignedClientScopes, unassignClientScope, type ScopeAssignment } from '../admin/clientScopeAssignment.js';
import { REALM_MANAGEMENT_CLIENT } from '../admin/realmManagement.js';
import { usesSecret } from '../model/clientAuthenticator.js';
import { briefClientRepresentation, clientRepresentation, parseClientRepresentation, type ClientFields } from '../representation/client.js';
import type { JsonObject } from '../representation/json.js';
import { serviceAccountUserRepresentation } from '../representation/user.js';
import type { ClientRecord } from '../model/stored.js';
import { badRequest, conflictAs, forbidden, notFound, plainBadRequest } from './errors.js';
import { checkNewMappers } from './protocolMappers.js';
import { page, pageBounds } from './query.js';
import { created, noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Clients (Keycloak's ClientsResource and ClientResource): list, create, read, partial update,
 * delete, the client secret, the service-account user, and the client's default and optional
 * client scopes. `{id}` is Keycloak's internal UUID, never the clientId. The ClientRepresentation
 * is lib/representation/client.ts's; the operations are lib/admin's.
 */

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

/**
 * ProtocolMapperRepresentations sent with a client: checked as `protocol-mappers/models` checks
 * each (404 for a type this service does not apply, 409 for a repeated name, then the type's own
 * checks in lib/admin), so this way in stores nothing that one refuses.
 */
function checkMappers(fields: ClientFields): void {
  if (!fields.protocolMappers) return;
  if (fields.protocolMappers.some((input) => !input.name || !input.protocolMapper)) throw badRequest('A protocol mapper needs a name and a protocolMapper');
  checkNewMappers(fields.protocolMappers, []);
}

async function list(call: AdminCall) {
  const realm = call.realm!.realm;
  const clientId = call.query.get('clientId');
  const bounds = pageBounds(call.query);
  let clients: ClientView[];
  if (clientId !== null && call.query.get('search') !== 'true') {
    // Exact match: one GetItem, not a listing.
    const one = await findClient(call.admin, realm, clientId);
    clients = page(one ? [one] : [], call.query);
  } else {
    clients = clientId === null ? await listClientsPage(call.admin, realm, bounds) : await searchClients(call.admin, realm, clientId, bounds);
  }
  const view = call.may('view-clients');
  // No secrets in lists (no KMS call per listed client); a caller who may only list sees ids and names.
  return ok(clients.map((client) => (view ? { ...clientRepresentation(client), access: access(call, client) } : briefClientRepresentation(client))));
}

async function create(call: AdminCall) {
  const body = call.body('object') as JsonObject | undefined;
  if (!body) throw badRequest('Client id is missing');
  const { clientId, ...fields } = parseClientRepresentation(body);
  if (!clientId) throw badRequest('Client id is missing');
  checkMappers(fields);
  const { client } = await conflictAs(`Client ${clientId} already exists`, () => createClient(call.admin, call.realm!.realm, clientId, fields));
  return created(call.url('realms', call.realm!.realm, 'clients', client.id));
}

async function update(call: AdminCall) {
  const client = await changeableClient(call);
  const fields = parseClientRepresentation((call.body('object') as JsonObject | undefined) ?? {});
  checkMappers(fields);
  await conflictAs(`Client ${fields.clientId} already exists`, () => updateClient(call.admin, call.realm!.realm, client.clientId, fields));
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

async function serviceAccountUser(call: AdminCall) {
  const client = await clientOf(call);
  if (!client.serviceAccountsEnabled || !client.serviceAccount) {
    throw plainBadRequest(`Service account not enabled for the client '${client.clientId}'`);
  }
  const manage = call.may('map-roles');
  return ok({
    ...serviceAccountUserRepresentation(client),
    access: { manageGroupMembership: manage, view: call.may('view-users'), mapRoles: manage, impersonate: false, manage },
  });
}

function scopeRoutes(kind: ScopeAssignment): AdminRoute[] {
  const base = `/realms/{realm}/clients/{id}/${kind}-client-scopes`;
  const scopeById = async (call: AdminCall) => {
    const scope = await findClientScopeById(call.admin, call.realm!.realm, call.params.scopeId!);
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
        const scopes = await assignedClientScopes(call.admin, call.realm!.realm, client.clientId, kind);
        return ok(scopes.map((scope) => ({ id: scope.id ?? scope.name, name: scope.name })));
      },
    },
    {
      method: 'PUT',
      path: `${base}/{scopeId}`,
      right: 'manage-clients',
      exists: clientExists,
      handle: async (call) => {
        const client = await changeableClient(call);
        await assignClientScope(call.admin, call.realm!.realm, client.clientId, (await scopeById(call)).name, kind);
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
        await unassignClientScope(call.admin, call.realm!.realm, client.clientId, (await scopeById(call)).name, kind);
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
      return ok({ ...clientRepresentation(client), ...(secret === undefined ? {} : { secret }), access: access(call, client) });
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
