import { compactVerify, decodeProtectedHeader } from 'jose';
import type { RealmContext } from '../realmContext.js';

export type AccessTokenClaims = Record<string, unknown> & { jti?: string; exp?: number; iat?: number; azp?: string; sid?: string; iss?: string };

/**
 * Verifies an access token this realm issued: known `kid`, the key's own algorithm (never the
 * header's word alone, so no `none` and no HMAC keyed with a public key), signature, issuer
 * (either path form), `typ` Bearer and expiry. undefined for anything else; never throws.
 */
export async function verifyAccessToken(realm: RealmContext, token: string, issuers: string[], now: number): Promise<AccessTokenClaims | undefined> {
  try {
    const { kid } = decodeProtectedHeader(token);
    const key = typeof kid === 'string' ? realm.keys.verificationKey(kid, now) : undefined;
    if (!key) return undefined;
    const { payload } = await compactVerify(token, key.key, { algorithms: [key.alg] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as AccessTokenClaims;
    if (typeof claims.iss !== 'string' || !issuers.includes(claims.iss)) return undefined;
    if (claims.typ !== 'Bearer' || typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
