import { createPublicKey } from 'node:crypto';
import type { PublicKeyView } from '../admin/keys.js';
import type { RefreshKeyRecord } from '../model/stored.js';

/** Keycloak's KeysMetadataRepresentation.KeyMetadataRepresentation. */
export interface KeyMetadataRepresentation {
  providerId: string;
  providerPriority: number;
  kid: string;
  status: 'ACTIVE' | 'PASSIVE' | 'DISABLED';
  type: 'RSA' | 'EC' | 'OCT';
  algorithm: string;
  /** Base64 DER SubjectPublicKeyInfo, without PEM armour (Keycloak's PemUtils.encodeKey). */
  publicKey?: string;
  use: 'SIG';
}

export interface KeysMetadataRepresentation {
  /** Per algorithm, the kid of the key that signs now. */
  active: Record<string, string>;
  keys: KeyMetadataRepresentation[];
}

/**
 * What `GET /admin/realms/{realm}/keys` answers (Keycloak's KeyResource.getKeyMetadata): every
 * key of the realm with its status, and per algorithm the active one.
 *
 * - `providerId` names where the key lives, as Keycloak names a key's provider component: `kms`
 *   (a KMS signing key), `envelope` (a key pair KMS generated, stored wrapped) or
 *   `refresh-token-key` (the realm's HS512 key for refresh tokens, Keycloak's
 *   `hmac-generated-hs512`). There are no provider components here to look the id up in.
 * - `providerPriority`: Keycloak signs with the highest-priority active key; here the newest
 *   active key of an algorithm signs, so its creation time (epoch seconds) is its priority.
 * - status: `active` signs; `passive` is still published so tokens it signed verify; a passive key
 *   past its retirement is no longer published, which is what Keycloak's DISABLED means.
 * - No `certificate` and no `validTo`: the keys here have no X.509 certificate, and a key
 *   stays until it is rotated out, not until a date.
 */
export function keysMetadataRepresentation(keys: readonly PublicKeyView[], refreshKey?: RefreshKeyRecord): KeysMetadataRepresentation {
  // Algorithm names are ours, not request data; still, a map of them is built without a prototype.
  const active = Object.create(null) as Record<string, string>;
  const listed: KeyMetadataRepresentation[] = keys.map((key) => {
    if (key.status === 'active' && !(key.alg in active)) active[key.alg] = key.kid;
    return {
      providerId: key.provider,
      providerPriority: key.createdAt,
      kid: key.kid,
      status: key.status === 'active' ? 'ACTIVE' : key.status === 'passive' ? 'PASSIVE' : 'DISABLED',
      type: key.publicJwk.kty === 'RSA' ? 'RSA' : 'EC',
      algorithm: key.alg,
      publicKey: spkiBase64(key.publicJwk),
      use: 'SIG',
    };
  });
  if (refreshKey) {
    active[refreshKey.alg] = refreshKey.kid;
    // A symmetric key: Keycloak lists its kid and algorithm, never the key.
    listed.push({ providerId: 'refresh-token-key', providerPriority: refreshKey.createdAt, kid: refreshKey.kid, status: 'ACTIVE', type: 'OCT', algorithm: refreshKey.alg, use: 'SIG' });
  }
  return { active, keys: listed };
}

function spkiBase64(jwk: Record<string, string>): string {
  const { kty, n, e, crv, x, y } = jwk;
  const members = kty === 'RSA' ? { kty, n, e } : { kty, crv, x, y };
  return createPublicKey({ key: members as never, format: 'jwk' }).export({ type: 'spki', format: 'der' }).toString('base64');
}
