/**
 * The one error type of the service. Thrown anywhere in lib/, rendered in one place
 * (lib/http/handler.ts) as the OAuth error body of RFC 6749 §5.2:
 * `{"error": "...", "error_description": "..."}`.
 */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description?: string,
    readonly headers: Record<string, string> = {},
    /** What the audit log records instead of the description when that echoes the caller's input. */
    readonly logDescription?: string,
  ) {
    super(description ? `${error}: ${description}` : error);
    this.name = 'OAuthError';
  }
}

export const invalidRequest = (description: string, status = 400) => new OAuthError(status, 'invalid_request', description);

export const unsupportedGrantType = () => new OAuthError(400, 'unsupported_grant_type', 'Unsupported grant_type');

export const invalidScope = (description: string) => new OAuthError(400, 'invalid_scope', description, {}, 'Invalid scopes');

export const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);

export const unauthorizedClient = (description: string) => new OAuthError(401, 'unauthorized_client', description);

/** Keycloak answers an unknown realm with a bare error and no description. */
export const realmNotFound = () => new OAuthError(404, 'Realm does not exist');

/**
 * Every failed client authentication gets the same answer, whatever failed (unknown client,
 * disabled client, wrong secret), so the endpoint cannot be used to find client ids. Keycloak
 * answers a wrong secret with `unauthorized_client` instead (keycloak#12162); we do not.
 * RFC 6749 §5.2: when the client used HTTP Basic, answer 401 with WWW-Authenticate.
 */
export const CLIENT_AUTH_FAILED = 'Invalid client or Invalid client credentials';

export function invalidClient(realm: string, usedBasic: boolean, description = CLIENT_AUTH_FAILED): OAuthError {
  const headers: Record<string, string> = usedBasic ? { 'WWW-Authenticate': `Basic realm=${quotedRealm(realm)}` } : {};
  return new OAuthError(401, 'invalid_client', description, headers);
}

/**
 * The realm name as a quoted-string (RFC 9110 §5.6.4): a realm stored before names were checked
 * (lib/admin/realmName.ts) may hold characters no header can carry, and one gave a 500. Anything
 * outside printable ASCII is percent-encoded; quotes and backslashes are escaped.
 */
export function quotedRealm(name: string): string {
  // Through Buffer, not encodeURIComponent, which throws on a lone surrogate.
  const printable = name.replace(/[^\x20-\x7e]/gu, (char) => [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
  return `"${printable.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/** A dependency (DynamoDB, KMS) failed after the SDK's own retries: the caller may try again. */
export const temporarilyUnavailable = (retryAfterSeconds = 1) =>
  new OAuthError(503, 'temporarily_unavailable', 'The service is temporarily unavailable, try again later', {
    'Retry-After': String(retryAfterSeconds),
  });
