import { findRefreshKey, listKeysWithPublicParts, rotateKeys } from '../admin/keys.js';
import { keysMetadataRepresentation } from '../representation/keysMetadata.js';
import type { SignatureAlgorithm } from '../model/stored.js';
import { badRequest } from './errors.js';
import { ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * A realm's keys: Keycloak's KeyResource (`GET keys`, view-realm) and rotation, which Keycloak
 * has no single call for (there one adds a key provider component of higher priority). Ours is
 * `POST keys/rotate` (manage-realm), the same rotation as `sa-admin keys rotate`: a new active key
 * per algorithm, the previous one passive and still published until every token it signed has
 * expired (lib/admin/keys.ts retention).
 */

async function keyMetadata(call: AdminCall) {
  const realm = call.realm!.realm;
  const [keys, refreshKey] = await Promise.all([listKeysWithPublicParts(call.admin, realm), findRefreshKey(call.admin, realm)]);
  return keysMetadataRepresentation(keys, refreshKey);
}

const ALGORITHMS = new Set<string>(['RS256', 'ES256'] satisfies SignatureAlgorithm[]);

async function rotate(call: AdminCall) {
  const settings = call.realm!;
  // The admin function may generate wrapped key pairs, never create KMS keys (infra/kms.yml, infra/iam.yml).
  if ((settings.signingMode ?? 'kms') === 'kms') {
    throw badRequest('The keys of this realm are KMS signing keys: rotate them with sa-admin keys rotate');
  }
  const algorithms = call.query.getAll('algorithm');
  const unknown = algorithms.find((alg) => !ALGORITHMS.has(alg));
  if (unknown !== undefined) throw badRequest(`Unsupported algorithm '${unknown}': RS256, ES256`);
  await rotateKeys(call.admin, settings.realm, { ...(algorithms.length > 0 ? { algs: [...new Set(algorithms)] as SignatureAlgorithm[] } : {}), mode: 'envelope' });
  return ok(await keyMetadata(call));
}

export const keyRoutes: AdminRoute[] = [
  { method: 'GET', path: '/realms/{realm}/keys', right: 'view-realm', handle: async (call) => ok(await keyMetadata(call)) },
  { method: 'POST', path: '/realms/{realm}/keys/rotate', right: 'manage-realm', handle: rotate },
];
