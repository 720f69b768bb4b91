import { createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { SigningKeyRecord } from '../model/stored.js';

/** A public JWK as the JWKS endpoint publishes it (never any private member). */
export interface PublicJwk {
  kid: string;
  kty: string;
  alg: string;
  use: 'sig';
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

/**
 * Turns a DER SubjectPublicKeyInfo (what kms:GetPublicKey returns) into the JWK members of the
 * key and its RFC 7638 thumbprint, used as `kid`: derived from the key alone, so it is the same
 * on every container and after every cold start.
 */
export async function jwkFromSpki(spki: Uint8Array): Promise<{ kid: string; jwk: Record<string, string> }> {
  const exported = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  const jwk: Record<string, string> =
    exported.kty === 'RSA'
      ? { kty: 'RSA', n: exported.n!, e: exported.e! }
      : { kty: exported.kty!, crv: exported.crv!, x: exported.x!, y: exported.y! };
  return { kid: await calculateJwkThumbprint(jwk as never, 'sha256'), jwk };
}

/** Keycloak's JWKS lists every enabled key, active and passive, with kid, kty, alg and use. */
export function publishedJwks(keys: SigningKeyRecord[], now: number): { keys: PublicJwk[] } {
  return {
    keys: keys
      .filter((key) => key.retireAt === undefined || key.retireAt > now)
      .map((key) => {
        const { n, e, crv, x, y } = key.publicJwk;
        // Only public members, whatever else the stored JWK might hold.
        const members = key.publicJwk.kty === 'RSA' ? { n, e } : { crv, x, y };
        return { kid: key.kid, kty: key.publicJwk.kty!, alg: key.alg, use: 'sig' as const, ...members };
      }),
  };
}
