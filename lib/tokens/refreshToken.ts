import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Refresh tokens are opaque: `<session id>.<256 random bits, base64url>`. The session id lets the
 * server find the session with one read; only the token's SHA-256 is stored, so a copy of the
 * table cannot be turned back into tokens. The token says nothing else (unlike Keycloak's signed
 * JWT refresh tokens, it carries no claims to read).
 */
const FORMAT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export function newSessionId(): string {
  return randomUUID();
}

export function newRefreshToken(sessionId: string): { token: string; hash: string } {
  const token = `${sessionId}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** The session id a well-formed refresh token names, or undefined. */
export function sessionIdOf(token: string): string | undefined {
  return FORMAT.exec(token)?.[1];
}
