import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RealmContext } from '../realmContext.js';
import type { ClientRecord } from '../model/stored.js';

/**
 * Refresh tokens are JWTs, as Keycloak's are (clients such as keycloak-js and
 * @keycloak/keycloak-admin-client decode them to read `exp`): header `{"alg":"HS512","typ":"JWT",
 * "kid"}`, signed with the realm's HMAC key (lib/signing/refreshKey.ts), claims in Keycloak's order.
 *
 * Behind each one is a session credential `<session id>.<256 random bits, base64url>`; the
 * session stores only the credential's SHA-256, and lib/tokens/rotation.ts decides from those
 * hashes which credentials are still good (single use, reuse detection). A JWT carries the
 * credential as `sid` and `jti`, so what a token proves is checked twice: by the realm key's
 * signature and against the stored hash.
 *
 * The credential on its own is the opaque refresh token this service issued before its tokens
 * were JWTs. It keeps working until its session ends, and is what a realm still without a refresh
 * key (made before the key existed, until `sa-admin keys ensure`) keeps issuing.
 */
const OPAQUE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RANDOM_PART = /^[A-Za-z0-9_-]{43}$/;

/** Keycloak's refresh-token claims (RefreshToken in Keycloak's TokenManager), in its order. */
export interface RefreshTokenClaims {
  exp: number;
  iat: number;
  jti: string;
  iss: string;
  aud: string;
  sub?: string;
  typ: 'Refresh';
  azp: string;
  sid: string;
  scope: string;
}

/** A refresh token as presented: the session it names, its credential, and its claims when it is a JWT. */
export interface PresentedRefreshToken {
  sessionId: string;
  credential: string;
  claims?: RefreshTokenClaims;
}

export function newSessionId(): string {
  return randomUUID();
}

/** A new session credential and the hash the session stores. */
export function newRefreshToken(sessionId: string): { token: string; hash: string } {
  const token = `${sessionId}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('base64url');
}

export interface RefreshTokenInput {
  issuer: string;
  client: ClientRecord;
  sessionId: string;
  /** From newRefreshToken, or the one presented when the realm does not rotate. */
  credential: string;
  /** The `scope` of the access token issued with it, as Keycloak copies it. */
  scope: string;
  issuedAt: number;
  /** The response's `refresh_expires_in`. */
  expiresIn: number;
}

/** The refresh token to return for a credential: a signed JWT, or the bare credential in a realm without a refresh key. */
export async function refreshTokenFor(realm: RealmContext, input: RefreshTokenInput): Promise<string> {
  if (!realm.refreshKey) return input.credential;
  const random = input.credential.slice(input.credential.indexOf('.') + 1);
  const claims: RefreshTokenClaims = {
    exp: input.issuedAt + input.expiresIn,
    iat: input.issuedAt,
    jti: random,
    iss: input.issuer,
    // Keycloak addresses refresh tokens to the realm itself: only it accepts them.
    aud: input.issuer,
    ...(input.client.serviceAccount ? { sub: input.client.serviceAccount.id } : {}),
    typ: 'Refresh',
    azp: input.client.clientId,
    sid: input.sessionId,
    scope: input.scope,
  };
  return realm.refreshKey.sign(claims as unknown as Record<string, unknown>);
}

/**
 * Whether a token is to be treated as a refresh token (introspection and revocation take any
 * token): the opaque form, or a JWT whose header says HS512, which no access token of ours uses.
 */
export function isRefreshTokenShaped(token: string): boolean {
  if (OPAQUE.test(token)) return true;
  const header = token.split('.', 1)[0]!;
  try {
    return (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown })?.alg === 'HS512';
  } catch {
    return false;
  }
}

/**
 * Reads a presented refresh token: an opaque one as it is, a JWT only when the realm's key signed
 * it, it says `typ: Refresh`, its issuer is the realm's (either path form) and its claims have
 * the right shapes. Expiry is the caller's: logout accepts an expired token, refresh does not.
 * undefined for anything else.
 */
export async function readRefreshToken(realm: RealmContext, token: string, issuers: string[]): Promise<PresentedRefreshToken | undefined> {
  const opaque = OPAQUE.exec(token);
  if (opaque) return { sessionId: opaque[1]!, credential: token };
  if (!realm.refreshKey) return undefined;
  const claims = await realm.refreshKey.verify(token);
  if (!claims || claims.typ !== 'Refresh') return undefined;
  const { iss, sid, jti, exp, iat, azp } = claims;
  if (typeof iss !== 'string' || !issuers.includes(iss)) return undefined;
  if (typeof sid !== 'string' || !SESSION_ID.test(sid) || typeof jti !== 'string' || !RANDOM_PART.test(jti)) return undefined;
  if (typeof exp !== 'number' || typeof iat !== 'number' || typeof azp !== 'string') return undefined;
  return { sessionId: sid, credential: `${sid}.${jti}`, claims: claims as unknown as RefreshTokenClaims };
}

/** The session id an opaque refresh token names, or undefined. */
export function sessionIdOf(token: string): string | undefined {
  return OPAQUE.exec(token)?.[1];
}
