import { findClientById } from '../admin/clients.js';
import { previewToken, type TokenPreview } from '../admin/tokenPreview.js';
import { notFound } from './errors.js';
import { ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * The client's Client scopes › Evaluate tab (Keycloak's ClientResource `evaluate-scopes`): the
 * tokens its service account would get for a `scope` parameter, built by the token endpoint's own
 * code (lib/admin/tokenPreview.ts, also `sa-admin token-preview`) and never signed. `userId` is
 * accepted and ignored: a client-credentials token is always its service account's.
 */
async function preview(call: AdminCall): Promise<TokenPreview> {
  const realm = call.realm!.realm;
  const client = await findClientById(call.admin, realm, call.params.id!);
  if (!client) throw notFound('Could not find client');
  return previewToken(call.admin, realm, client.clientId, {
    scope: call.query.get('scope') ?? undefined,
    issuer: `${call.request.origin}${call.request.legacyAuthPrefix ? '/auth' : ''}/realms/${encodeURIComponent(realm)}`,
    sourceIp: call.request.sourceIp,
  });
}

const route = (name: string, pick: (preview: TokenPreview) => unknown): AdminRoute => ({
  method: 'GET',
  path: `/realms/{realm}/clients/{id}/evaluate-scopes/${name}`,
  right: 'view-clients',
  handle: async (call) => ok(pick(await preview(call))),
});

export const evaluateScopesRoutes: AdminRoute[] = [
  route('generate-example-access-token', (preview) => preview.accessToken),
  // Keycloak answers an ID token only for `openid`; without it, an empty object.
  route('generate-example-id-token', (preview) => preview.idToken ?? {}),
];
