import { clientScopeId } from '../admin/ids.js';
import { evaluateScopes, grantedRoles } from '../admin/scopeEvaluation.js';
import { previewToken, type TokenPreview } from '../admin/tokenPreview.js';
import { protocolMapperEvaluationRepresentation } from '../representation/protocolMapper.js';
import { briefRoleRepresentation } from '../representation/role.js';
import type { ClientRecord } from '../model/stored.js';
import { findClientById } from '../admin/clients.js';
import { notFound } from './errors.js';
import { clientByUuid, clientIdExists, containersFor } from './roleContainers.js';
import { ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';

/**
 * The client's Client scopes › Evaluate tab (Keycloak's ClientScopeEvaluateResource): the mappers
 * and roles a `scope` parameter brings into the client's tokens (lib/admin/scopeEvaluation.ts),
 * and the tokens its service account would get, built by the token endpoint's own code
 * (lib/admin/tokenPreview.ts, also `sa-admin token-preview`) and never signed. `userId` is
 * accepted and ignored: a client-credentials token is always its service account's.
 */
async function preview(call: AdminCall, client: ClientRecord): Promise<TokenPreview> {
  const realm = call.realm!.realm;
  return previewToken(call.admin, realm, client.clientId, {
    scope: call.query.get('scope') ?? undefined,
    issuer: `${call.request.origin}${call.request.legacyAuthPrefix ? '/auth' : ''}/realms/${encodeURIComponent(realm)}`,
    sourceIp: call.request.sourceIp,
  });
}

/** `ProtocolMapperEvaluationRepresentation`s of the mappers the tokens would run, in the order they run. */
async function protocolMappers(call: AdminCall, client: ClientRecord): Promise<AdminResponse> {
  const realm = call.realm!.realm;
  const evaluation = await evaluateScopes(call.admin, realm, client, call.query.get('scope') ?? undefined);
  return ok(evaluation.mappers.map(({ mapper, scope }) => protocolMapperEvaluationRepresentation(mapper, scope ? { scope: { id: clientScopeId(realm, scope), name: scope.name } } : { client })));
}

/**
 * The roles of `{roleContainerId}` (the realm's name, or a client's id) the client may or may not
 * carry in its tokens; Keycloak answers 404 `Role Container not found` for anything else.
 */
async function scopeMappings(call: AdminCall, client: ClientRecord, which: 'granted' | 'notGranted'): Promise<AdminResponse> {
  const realm = call.realm!.realm;
  const containerId = call.params.roleContainerId!;
  const owner = containerId === realm ? undefined : await findClientById(call.admin, realm, containerId);
  if (containerId !== realm && !owner) throw notFound('Role Container not found');
  const evaluation = await evaluateScopes(call.admin, realm, client, call.query.get('scope') ?? undefined);
  const roles = (await grantedRoles(call.admin, realm, evaluation, owner ? { client: owner.clientId } : {}))[which];
  const containers = await containersFor(call, roles, owner ? [owner] : []);
  return ok(roles.map((role) => briefRoleRepresentation(role, containers)));
}

const route = (path: string, answer: (call: AdminCall, client: ClientRecord) => Promise<AdminResponse>): AdminRoute => ({
  method: 'GET',
  path: `/realms/{realm}/clients/{id}/evaluate-scopes/${path}`,
  right: 'view-clients',
  exists: clientIdExists,
  handle: async (call) => answer(call, await clientByUuid(call, call.params.id!)),
});

export const evaluateScopesRoutes: AdminRoute[] = [
  route('protocol-mappers', protocolMappers),
  route('scope-mappings/{roleContainerId}/granted', (call, client) => scopeMappings(call, client, 'granted')),
  route('scope-mappings/{roleContainerId}/not-granted', (call, client) => scopeMappings(call, client, 'notGranted')),
  route('generate-example-access-token', async (call, client) => ok((await preview(call, client)).accessToken)),
  // Keycloak answers an ID token only for `openid`; without it, an empty object.
  route('generate-example-id-token', async (call, client) => ok((await preview(call, client)).idToken ?? {})),
];
