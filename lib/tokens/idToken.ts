import { createHash, randomUUID } from 'node:crypto';
import { ClaimWriter } from './claimWriter.js';
import { runMappers, type TokenContext } from './tokenContext.js';

const ID_TOKEN_ORDER = ['exp', 'iat', 'auth_time', 'jti', 'iss', 'aud', 'sub', 'typ', 'azp', 'nonce', 'sid', 'at_hash', 'acr'] as const;

/**
 * The ID token Keycloak adds when `scope` contains `openid` (TokenManager.generateIDToken): the
 * service account as subject, the client as audience, `at_hash` binding it to the access token
 * (OIDC Core §3.1.3.6: left half of the SHA-256 of the access token, base64url), then the mappers
 * flagged `id.token.claim`.
 */
export function idTokenClaims(ctx: TokenContext, accessClaims: Record<string, unknown>, accessToken: string): Record<string, unknown> {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  const writer = new ClaimWriter('id', {
    exp: accessClaims.exp,
    iat: accessClaims.iat,
    jti: randomUUID(),
    iss: accessClaims.iss,
    aud: ctx.client.clientId,
    sub: ctx.user.id,
    typ: 'ID',
    azp: ctx.client.clientId,
    ...(accessClaims.sid ? { sid: accessClaims.sid } : {}),
    at_hash: digest.subarray(0, digest.length / 2).toString('base64url'),
  });
  runMappers(ctx, 'id', writer);
  return writer.result(ID_TOKEN_ORDER);
}
