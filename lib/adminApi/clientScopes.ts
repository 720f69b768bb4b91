import { createClientScope, deleteClientScope, findClientScopeById, listClientScopes, updateClientScope } from '../admin/clientScopes.js';
import { AdminError } from '../admin/errors.js';
import type { ClientScope } from '../model/stored.js';
import { badRequest, conflictAs, forbidden, notFound } from './errors.js';
import { clientScopeRepresentation, parseClientScope } from '../representation/clientScope.js';
import { created, noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Client scopes (`/realms/{realm}/client-scopes`), Keycloak's ClientScopesResource and
 * ClientScopeResource. Reading needs view-clients, changing manage-clients. An unknown id is 404
 * `Could not find client scope` for a caller who may list clients (Keycloak checks the listing
 * right before the lookup), else 403.
 */

export async function clientScopeById(call: AdminCall, id: string): Promise<ClientScope> {
  const scope = await findClientScopeById(call.admin, call.params.realm!, id);
  if (scope) return scope;
  throw call.may('list-clients') ? notFound('Could not find client scope') : forbidden();
}

export const clientScopeExists = async (call: AdminCall): Promise<void> => {
  await clientScopeById(call, call.params.scopeId!);
};

/** ClientScopeResource.validateClientScopeName's refusal (RFC 6749 scope-token characters). */
const unexpectedName = (name: string) => badRequest(`Unexpected name "${name}" for ClientScope`);
const SCOPE_NAME = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const clientScopeRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/realms/{realm}/client-scopes',
    right: 'view-clients',
    handle: async (call) => {
      const realm = call.params.realm!;
      return ok((await listClientScopes(call.admin, realm)).map((scope) => clientScopeRepresentation(realm, scope)));
    },
  },
  {
    method: 'POST',
    path: '/realms/{realm}/client-scopes',
    right: 'manage-clients',
    handle: async (call) => {
      const realm = call.params.realm!;
      const input = parseClientScope(call.body('object') as Record<string, unknown>);
      if (input.name === undefined || !SCOPE_NAME.test(input.name)) throw unexpectedName(input.name ?? 'null');
      // Only OpenID Connect is served here (ClientScopeResource.validateClientScopeProtocol).
      if (input.protocol !== undefined && input.protocol !== 'openid-connect') throw badRequest('Unexpected protocol');
      const { protocolMappers, ...fields } = input;
      const scope = await conflictAs(`Client Scope ${input.name} already exists`, () => createClientScope(call.admin, realm, { ...fields, name: input.name! }, protocolMappers));
      return created(call.url('realms', realm, 'client-scopes', scope.id!));
    },
  },
  {
    method: 'GET',
    path: '/realms/{realm}/client-scopes/{scopeId}',
    right: 'view-clients',
    exists: clientScopeExists,
    handle: async (call) => ok(clientScopeRepresentation(call.params.realm!, await clientScopeById(call, call.params.scopeId!))),
  },
  {
    method: 'PUT',
    path: '/realms/{realm}/client-scopes/{scopeId}',
    right: 'manage-clients',
    exists: clientScopeExists,
    handle: async (call) => {
      const scope = await clientScopeById(call, call.params.scopeId!);
      const input = parseClientScope(call.body('object') as Record<string, unknown>);
      if (input.name !== undefined && !SCOPE_NAME.test(input.name)) throw unexpectedName(input.name);
      if (input.protocol !== undefined && input.protocol !== 'openid-connect') throw badRequest('Unexpected protocol');
      // Mappers are changed through …/protocol-mappers, never by a scope update (RepresentationToModel.updateClientScope).
      const { protocolMappers: _ignored, ...fields } = input;
      await conflictAs(`Client Scope ${input.name} already exists`, () => updateClientScope(call.admin, call.params.realm!, scope.id!, fields));
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/realms/{realm}/client-scopes/{scopeId}',
    right: 'manage-clients',
    exists: clientScopeExists,
    handle: async (call) => {
      const scope = await clientScopeById(call, call.params.scopeId!);
      try {
        await deleteClientScope(call.admin, call.params.realm!, scope.id!);
      } catch (err) {
        // The only refusal of a delete: the scope is still some client's or the realm's default or optional scope.
        if (err instanceof AdminError && err.kind === 'invalid') throw badRequest('Cannot remove client scope, it is currently in use');
        throw err;
      }
      return noContent();
    },
  },
];
