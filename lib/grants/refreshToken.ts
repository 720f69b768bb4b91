import { invalidGrant, invalidRequest, invalidScope, temporarilyUnavailable } from '../http/errors.js';
import { issuersFor } from '../runtime.js';
import { hashRefreshToken, readRefreshToken, refreshTokenFor } from '../tokens/refreshToken.js';
import { decideRefresh } from '../tokens/rotation.js';
import { resolveScope } from '../tokens/scope.js';
import { issueTokens } from '../tokens/tokenResponse.js';
import type { Grant } from './grant.js';

/** Concurrent refreshes of one session retry on a fresh read this many times before giving up. */
const MAX_ATTEMPTS = 5;

/**
 * `grant_type=refresh_token` (RFC 6749 §6). The access token is rebuilt from the client's current
 * role mappings and state; `scope` may only narrow what the session started with. Rotation and
 * reuse follow the realm's `revokeRefreshToken` and `refreshTokenMaxReuse` (lib/tokens/rotation.ts),
 * enforced by a write conditional on the session version that was read; without rotation only the
 * time of use is written, so parallel refreshes of one token all succeed. With rotation, a retry
 * by the same client within REFRESH_RETRY_GRACE_SECONDS of a refresh whose answer was lost gets
 * the same successor (RFC 9700 §4.14.2; docs/refresh-tokens.md).
 */
export const refreshToken: Grant = {
  parameters: new Set(['refresh_token', 'scope']),

  async handle({ runtime, realm, request, form, issuer, client: { client } }) {
    const token = form.get('refresh_token');
    if (!token) throw invalidRequest('No refresh token');
    const presented = await readRefreshToken(realm, token, issuersFor(runtime, request, request.realm));
    if (!presented) throw invalidGrant('Invalid refresh token');
    // Keycloak's order (TokenManager.verifyRefreshToken): the token's own expiry before its session.
    if (presented.claims && presented.claims.exp <= runtime.now()) throw invalidGrant('Token is not active');
    const presentedHash = hashRefreshToken(presented.credential);
    const successorOf = realm.settings.revokeRefreshToken ? await realm.refreshKey?.successors(presented.credential) : undefined;
    const retryGraceSeconds = runtime.config.refreshRetryGraceSeconds;

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const session = await runtime.sessions.get(presented.sessionId);
      if (!session) throw invalidGrant('Session not active');
      const now = runtime.now();
      const decision = decideRefresh({ session, presentedToken: presented.credential, presentedHash, realm: realm.settings, client, now, successorOf, retryGraceSeconds });
      if (decision.kind === 'refuse') {
        if (decision.endSession) await runtime.sessions.delete(session.id);
        throw invalidGrant(decision.description);
      }
      const scope = resolveScope(narrowedScope(form.get('scope'), session.requestedScope, client.defaultClientScopes), client, realm.clientScopes);
      // Sign before the rotation is written: should signing fail, the session is untouched and
      // the same refresh token still works; should the write lose a race, the tokens are dropped.
      // Without rotation the credential stays and a new JWT around it carries the new `exp`. A
      // retry gets its refresh token exactly as first issued (same `iat`: the same JWT).
      const issuedAt = decision.kind === 'retry' ? decision.issuedAt : now;
      const refreshToken = await refreshTokenFor(realm, {
        issuer,
        client,
        sessionId: session.id,
        credential: decision.refreshToken,
        scope: scope.scope,
        issuedAt,
        expiresIn: decision.refreshExpiresIn,
      });
      const issued = await issueTokens({
        realm,
        issuer,
        client,
        scope,
        issuedAt: now,
        sourceIp: request.sourceIp,
        session: { id: session.id, refreshToken, refreshExpiresIn: Math.max(0, issuedAt + decision.refreshExpiresIn - now), expiresAt: session.expiresAt },
      });
      // The refresh being retried wrote the session already.
      if (decision.kind === 'retry') return issued;
      if (!decision.rotated) {
        // Nothing rotates, so nothing can race: record the use and answer (a session deleted
        // meanwhile is decided on the next pass, from a fresh read).
        if ((await runtime.sessions.recordUse(session.id, now)) === 'recorded') return issued;
        continue;
      }
      if (await runtime.sessions.replace(decision.session, session.version)) return issued;
    }
    throw temporarilyUnavailable();
  },
};

/** A refresh may ask for fewer scopes than the session started with, never for more. */
function narrowedScope(requested: string | undefined, original: string, defaults: string[]): string {
  if (requested === undefined) return original;
  const allowed = new Set([...original.split(' '), ...defaults]);
  if (requested.split(' ').some((name) => name !== '' && !allowed.has(name))) throw invalidScope(`Invalid scopes: ${requested}`);
  return requested;
}
