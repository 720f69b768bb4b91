import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

/** A client assertion (RFC 7523) with sensible defaults; every claim can be overridden or removed. */
export async function assertion(options: {
  clientId: string;
  audience: string | string[];
  key: Parameters<SignJWT['sign']>[0];
  alg: string;
  kid?: string;
  claims?: Record<string, unknown>;
  omit?: string[];
}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { iss: options.clientId, sub: options.clientId, aud: options.audience, jti: randomUUID(), iat: now, exp: now + 30, ...options.claims };
  for (const claim of options.omit ?? []) delete payload[claim];
  return new SignJWT(payload).setProtectedHeader({ alg: options.alg, typ: 'JWT', ...(options.kid ? { kid: options.kid } : {}) }).sign(options.key);
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export const assertionForm = (jwt: string, extra = '') =>
  `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${jwt}${extra}`;
