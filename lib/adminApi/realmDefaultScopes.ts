import { findClientScopeById, realmDefaultScopes, setRealmDefaultScope, type RealmScopeType } from '../admin/clientScopes.js';
import { clientScopeById } from './clientScopes.js';
import { notFound } from './errors.js';
import { noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * The realm's default client scopes (RealmAdminResource `default-default-client-scopes` and
 * `default-optional-client-scopes`): the scopes every client created afterwards gets as default or
 * optional. Reading needs view-clients (`auth.clients().requireViewClientScopes()`), changing
 * manage-realm (`auth.realm().requireManageRealm()`); an unknown scope is 404 `Client scope not found`.
 */

/** Keycloak answers these lists with a scope's id, name and protocol only. */
const brief = (scope: { id?: string; name: string; protocol?: string }) => ({ id: scope.id, name: scope.name, protocol: scope.protocol ?? 'openid-connect' });

async function scopeOrNotFound(call: AdminCall): Promise<string> {
  const scope = await findClientScopeById(call.admin, call.params.realm!, call.params.scopeId!);
  if (!scope) throw notFound('Client scope not found');
  return scope.id!;
}

function routes(segment: string, type: RealmScopeType): AdminRoute[] {
  const base = `/realms/{realm}/${segment}`;
  return [
    {
      method: 'GET',
      path: base,
      right: 'view-clients',
      handle: async (call) => ok((await realmDefaultScopes(call.admin, call.params.realm!, type)).map(brief)),
    },
    {
      method: 'PUT',
      path: `${base}/{scopeId}`,
      right: 'manage-realm',
      exists: async (call) => {
        await clientScopeById(call, call.params.scopeId!);
      },
      handle: async (call) => {
        await setRealmDefaultScope(call.admin, call.params.realm!, await scopeOrNotFound(call), type);
        return noContent();
      },
    },
    {
      method: 'DELETE',
      path: `${base}/{scopeId}`,
      right: 'manage-realm',
      exists: async (call) => {
        await clientScopeById(call, call.params.scopeId!);
      },
      handle: async (call) => {
        // Removing from this list only: a scope on the other list stays there.
        const id = await scopeOrNotFound(call);
        const current = await realmDefaultScopes(call.admin, call.params.realm!, type);
        if (current.some((scope) => scope.id === id)) await setRealmDefaultScope(call.admin, call.params.realm!, id, undefined);
        return noContent();
      },
    },
  ];
}

export const realmDefaultScopeRoutes: AdminRoute[] = [...routes('default-default-client-scopes', 'default'), ...routes('default-optional-client-scopes', 'optional')];
