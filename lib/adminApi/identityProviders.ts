import {
  createIdentityProvider,
  deleteIdentityProvider,
  findIdentityProvider,
  listIdentityProviders,
  updateIdentityProvider,
} from '../admin/identityProviders.js';
import { capabilitiesOf, IDENTITY_PROVIDER_TYPES, type IdentityProvider } from '../model/identityProvider.js';
import { identityProviderRepresentation, parseIdentityProvider } from '../representation/identityProvider.js';
import { notFound } from './errors.js';
import { page } from './query.js';
import { created, noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Identity providers (`/realms/{realm}/identity-provider`), Keycloak's IdentityProvidersResource
 * and IdentityProviderResource, as @keycloak/keycloak-admin-client's `identityProviders.*` and the
 * Terraform provider's `keycloak_*_identity_provider` resources call them. Reading needs
 * view-identity-providers, changing manage-identity-providers.
 */

const BASE = '/realms/{realm}/identity-provider';

async function identityProviderOf(call: AdminCall): Promise<IdentityProvider> {
  const idp = await findIdentityProvider(call.admin, call.params.realm!, call.params.alias!);
  if (!idp) throw notFound('Could not find identity provider');
  return idp;
}

/** `search`: a prefix by default, `*x*` anywhere, `"x"` exactly (Keycloak's search convention). */
function matchesSearch(alias: string, search: string | null): boolean {
  if (!search) return true;
  const exact = /^"(.*)"$/.exec(search);
  if (exact) return alias === exact[1];
  const pattern = search.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}${search.endsWith('*') ? '' : '.*'}$`, 'i').test(alias);
}

const brief = (idp: IdentityProvider) => {
  const full = identityProviderRepresentation(idp);
  return { alias: full.alias, displayName: full.displayName, internalId: full.internalId, providerId: full.providerId, enabled: full.enabled, types: full.types };
};

export const identityProviderRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: `${BASE}/instances`,
    right: 'view-identity-providers',
    handle: async (call) => {
      const type = call.query.get('type') ?? call.query.get('capability');
      const all = (await listIdentityProviders(call.admin, call.params.realm!)).filter(
        (idp) => matchesSearch(idp.alias, call.query.get('search')) && (!type || type === 'ANY' || capabilitiesOf(idp).includes(type as never)),
      );
      const shown = page(all, call.query, 100);
      return ok(call.query.get('briefRepresentation') === 'true' ? shown.map(brief) : shown.map(identityProviderRepresentation));
    },
  },
  {
    method: 'POST',
    path: `${BASE}/instances`,
    right: 'manage-identity-providers',
    handle: async (call) => {
      const realm = call.params.realm!;
      const idp = await createIdentityProvider(call.admin, realm, parseIdentityProvider(call.body('object')));
      return created(call.url('realms', realm, 'identity-provider', 'instances', idp.alias));
    },
  },
  {
    method: 'GET',
    path: `${BASE}/instances/{alias}`,
    right: 'view-identity-providers',
    handle: async (call) => ok(identityProviderRepresentation(await identityProviderOf(call))),
  },
  {
    method: 'PUT',
    path: `${BASE}/instances/{alias}`,
    right: 'manage-identity-providers',
    handle: async (call) => {
      const stored = await identityProviderOf(call);
      await updateIdentityProvider(call.admin, call.params.realm!, stored.alias, parseIdentityProvider(call.body('object'), stored));
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: `${BASE}/instances/{alias}`,
    right: 'manage-identity-providers',
    handle: async (call) => {
      const stored = await identityProviderOf(call);
      await deleteIdentityProvider(call.admin, call.params.realm!, stored.alias);
      return noContent();
    },
  },
  {
    // Attribute and role mappers apply to brokered user logins, which this service has none of.
    method: 'GET',
    path: `${BASE}/instances/{alias}/mappers`,
    right: 'view-identity-providers',
    handle: async (call) => {
      await identityProviderOf(call);
      return ok([]);
    },
  },
  {
    method: 'GET',
    path: `${BASE}/providers/{providerId}`,
    right: 'view-identity-providers',
    handle: async (call) => {
      const type = IDENTITY_PROVIDER_TYPES.get(call.params.providerId!);
      if (!type) throw notFound();
      return ok({ id: type.providerId, name: type.providerId });
    },
  },
];
