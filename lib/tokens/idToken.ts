import { createHash } from 'node:crypto';

/**
 * The ID token Keycloak adds when `scope` contains `openid`: the service account as subject, the
 * client as audience, and `at_hash` binding it to the access token (OIDC Core §3.1.3.6: left half
 * of the SHA-256 of the access token, base64url).
 */
export function idTokenClaims(accessClaims: Record<string, unknown>, accessToken: string): Record<string, unknown> {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return {
    exp: accessClaims.exp,
    iat: accessClaims.iat,
    jti: crypto.randomUUID(),
    iss: accessClaims.iss,
    aud: accessClaims.azp,
    sub: accessClaims.sub,
    typ: 'ID',
    azp: accessClaims.azp,
    ...(accessClaims.sid ? { sid: accessClaims.sid } : {}),
    at_hash: digest.subarray(0, digest.length / 2).toString('base64url'),
    acr: accessClaims.acr,
    clientHost: accessClaims.clientHost,
    email_verified: false,
    preferred_username: accessClaims.preferred_username,
    clientAddress: accessClaims.clientAddress,
    client_id: accessClaims.client_id,
  };
}
