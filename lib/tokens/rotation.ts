import type { ClientRecord, RealmSettings } from '../model/stored.js';
import type { SessionRecord } from '../store/sessionsTable.js';
import { sessionBelongsTo } from './clientBinding.js';
import { hashRefreshToken, newRefreshToken } from './refreshToken.js';
import { refreshExpiresIn, sessionTimeouts } from './sessionPolicy.js';

/** How many older token hashes a session remembers to recognise reuse (beyond them a token is just invalid). */
const REMEMBERED_TOKENS = 16;

export type RefreshDecision =
  /** Refuse with invalid_grant; `endSession` when the session must not survive (reuse, expiry). */
  | { kind: 'refuse'; description: string; endSession: boolean }
  /**
   * `rotated`: a new refresh token was issued and `session` must replace the stored one on the
   * version that was read; otherwise only the use is recorded (SessionsTable.recordUse), which
   * never conflicts with a concurrent refresh.
   */
  | { kind: 'refresh'; session: SessionRecord; refreshToken: string; refreshExpiresIn: number; rotated: boolean }
  /**
   * A retry of the refresh that issued the session's outstanding token (its answer was lost):
   * answer that same token again, as it was issued at `issuedAt`, and write nothing.
   */
  | { kind: 'retry'; refreshToken: string; issuedAt: number; refreshExpiresIn: number };

export interface RefreshInput {
  session: SessionRecord;
  presentedToken: string;
  presentedHash: string;
  realm: RealmSettings;
  client: ClientRecord;
  now: number;
  /**
   * The successor credential a refresh with the presented token issues, by the use count it
   * leaves (RefreshTokenKey.successors). Absent (a realm without a refresh key): successors are
   * random and a retry is reuse.
   */
  successorOf?: (uses: number) => string;
  /** REFRESH_RETRY_GRACE_SECONDS; 0 disables the retry grace. */
  retryGraceSeconds: number;
}

/**
 * Decides a refresh from the session's stored state, following Keycloak's TokenManager
 * (validateToken, validateTokenReuse) with opaque tokens:
 *
 * - `revokeRefreshToken` off: the session has one refresh token, valid until the session ends.
 * - on: every refresh issues a new token (`next`). Presenting `next` makes it `current` (used
 *   once); presenting `current` again is allowed `refreshTokenMaxReuse` more times; presenting any
 *   older token of the session, or `current` beyond its reuse count, ends the whole session.
 *
 * Pure: when the token rotates, the caller writes the returned session conditionally on the
 * version it read, so two concurrent refreshes can never both be decided on the same state. When
 * it does not, there is no race to decide: every valid presentation succeeds, and only the time of
 * the last use is written.
 */
export function decideRefresh(input: RefreshInput): RefreshDecision {
  const { session, presentedHash, realm, client, now } = input;
  const refuse = (description: string, endSession = false): RefreshDecision => ({ kind: 'refuse', description, endSession });

  if (session.realm !== realm.realm) return refuse('Invalid refresh token');
  const which = tokenGeneration(session, presentedHash);
  // A token this session never issued proves nothing: refuse it without touching the session,
  // or anyone who saw a session id could end sessions.
  if (!which) return refuse('Invalid refresh token');
  if (session.clientId !== client.clientId) return refuse("Invalid refresh token. Token client and authorized client don't match");
  // A session of a deleted client whose clientId was taken again: Keycloak deleted it with its client.
  if (!sessionBelongsTo(session, client)) return refuse('Session not active', true);

  const timeouts = sessionTimeouts(realm, client);
  if (now >= session.expiresAt || now >= session.lastRefresh + timeouts.idle) return refuse('Token is not active', true);
  const tokenIssuedAt = which === 'next' ? session.nextTokenIssuedAt : (session.currentTokenIssuedAt ?? session.started);
  if (tokenIssuedAt < Math.max(realm.notBefore ?? 0, client.notBefore ?? 0)) return refuse('Stale token', true);
  if (!client.serviceAccountsEnabled || !client.serviceAccount) return refuse('Client not enabled to retrieve service account', true);

  const base = { ...session, lastRefresh: now, version: session.version + 1 };
  const expiresIn = refreshExpiresIn(timeouts, session.started, now, now);
  if (!realm.revokeRefreshToken) {
    return { kind: 'refresh', session: base, refreshToken: input.presentedToken, refreshExpiresIn: expiresIn, rotated: false };
  }
  if (which === 'previous') return refuse('Stale token', true);
  const { successorOf } = input;
  if (which === 'current' && successorOf && now < session.nextTokenIssuedAt + input.retryGraceSeconds) {
    // RFC 9700 §4.14.2 allows a grace period: the same client presenting the token it spent
    // moments ago, whose successor is still unused, is retrying a refresh whose answer it lost.
    // It gets that successor again instead of ending the session as reuse would.
    const successor = successorOf(session.currentTokenUses);
    if (hashRefreshToken(successor) === session.nextTokenHash) {
      const issuedAt = session.nextTokenIssuedAt;
      return { kind: 'retry', refreshToken: successor, issuedAt, refreshExpiresIn: refreshExpiresIn(timeouts, session.started, issuedAt, issuedAt) };
    }
  }
  if (which === 'current' && session.currentTokenUses > realm.refreshTokenMaxReuse) {
    return refuse('Maximum allowed refresh token reuse exceeded', true);
  }
  const uses = which === 'next' ? 1 : session.currentTokenUses + 1;
  const issued = successorOf ? successorToken(successorOf(uses)) : newRefreshToken(session.id);
  const retired = which === 'next' ? [session.currentTokenHash] : [session.nextTokenHash];
  const previousTokenHashes = [...session.previousTokenHashes, ...retired.filter((hash): hash is string => hash !== undefined)].slice(-REMEMBERED_TOKENS);
  const promoted =
    which === 'next'
      ? { currentTokenHash: session.nextTokenHash, currentTokenIssuedAt: session.nextTokenIssuedAt, currentTokenUses: uses }
      : { currentTokenUses: uses };
  return {
    kind: 'refresh',
    session: { ...base, ...promoted, nextTokenHash: issued.hash, nextTokenIssuedAt: now, previousTokenHashes },
    refreshToken: issued.token,
    refreshExpiresIn: expiresIn,
    rotated: true,
  };
}

const successorToken = (token: string) => ({ token, hash: hashRefreshToken(token) });

/** Which of the session's refresh tokens a hash is, if any. */
export function tokenGeneration(session: SessionRecord, hash: string): 'next' | 'current' | 'previous' | undefined {
  if (hash === session.nextTokenHash) return 'next';
  if (hash === session.currentTokenHash) return 'current';
  return session.previousTokenHashes.includes(hash) ? 'previous' : undefined;
}
