import { invalidRequest } from '../http/errors.js';
import type { HttpRequest } from '../http/request.js';
import { empty, type HttpResponse } from '../http/response.js';
import type { AuditRecord } from '../observability.js';
import { issuersFor, type Runtime } from '../runtime.js';
import { sessionBelongsTo, subjectBelongsTo } from '../tokens/clientBinding.js';
import { hashRefreshToken, isRefreshTokenShaped, readRefreshToken } from '../tokens/refreshToken.js';
import { tokenGeneration } from '../tokens/rotation.js';
import { verifyAccessToken } from '../tokens/verifyAccessToken.js';
import { clientRequest } from './clientRequest.js';

/** Keycloak's wording when a client revokes another client's token. */
const unmatchingClients = () => invalidRequest('Unmatching clients');

/**
 * Token revocation (RFC 7009). A refresh token ends its session; an access token's `jti` is
 * recorded as revoked until the token expires. Anything unknown or invalid is still 200
 * (RFC 7009 §2.2: "invalid tokens do not cause an error response"), and so is a token of an
 * earlier client of the same clientId (lib/tokens/clientBinding.ts): it is already inactive.
 */
export async function revoke(runtime: Runtime, request: HttpRequest): Promise<HttpResponse> {
  const audit = runtime.observability.audit('REVOKE_GRANT', request);
  return audit.around(() => revokeToken(runtime, request, audit));
}

async function revokeToken(runtime: Runtime, request: HttpRequest, audit: AuditRecord): Promise<HttpResponse> {
  const { realm, form, client } = await clientRequest(runtime, request, audit, (form) => {
    if (!form.get('token')) throw invalidRequest('Token not provided');
  });
  const token = form.get('token')!;
  const clientId = client.client.clientId;

  const issuers = issuersFor(runtime, request, request.realm);
  if (isRefreshTokenShaped(token)) {
    const presented = await readRefreshToken(realm, token, issuers);
    const session = presented && (await runtime.sessions.get(presented.sessionId));
    if (session && session.realm === request.realm && tokenGeneration(session, hashRefreshToken(presented.credential))) {
      if (session.clientId !== clientId) throw unmatchingClients();
      // A session of a deleted client whose clientId was taken again is no token of this client's.
      if (!sessionBelongsTo(session, client.client)) return empty(200);
      audit.set({ session_id: session.id });
      await runtime.sessions.delete(session.id);
    }
    return empty(200);
  }

  const now = runtime.now();
  const claims = await verifyAccessToken(realm, token, issuers, now);
  if (claims && typeof claims.jti === 'string') {
    if (claims.azp !== clientId) throw unmatchingClients();
    if (!subjectBelongsTo(claims, client.client)) return empty(200);
    audit.set({ token_id: claims.jti });
    await runtime.sessions.revokeAccessToken(request.realm, claims.jti, claims.exp!);
  }
  return empty(200);
}
