import { invalidGrant, invalidRequest } from '../http/errors.js';
import type { HttpRequest } from '../http/request.js';
import { empty, type HttpResponse } from '../http/response.js';
import type { AuditRecord } from '../observability.js';
import { issuersFor, type Runtime } from '../runtime.js';
import { sessionBelongsTo } from '../tokens/clientBinding.js';
import { hashRefreshToken, readRefreshToken } from '../tokens/refreshToken.js';
import { tokenGeneration } from '../tokens/rotation.js';
import { clientRequest } from './clientRequest.js';

/**
 * Back-channel logout of a service-account session (Keycloak's LogoutEndpoint, POST with
 * `refresh_token` and client authentication): 204 once the session is gone, including when it
 * already was (expired, logged out). One session read, one delete.
 */
export async function logout(runtime: Runtime, request: HttpRequest): Promise<HttpResponse> {
  const audit = runtime.observability.audit('LOGOUT', request);
  return audit.around(() => endSession(runtime, request, audit));
}

async function endSession(runtime: Runtime, request: HttpRequest, audit: AuditRecord): Promise<HttpResponse> {
  const { realm, form, client } = await clientRequest(runtime, request, audit, (form) => {
    if (!form.get('refresh_token')) throw invalidRequest('No refresh token');
  });
  // An expired token still logs out (Keycloak answers 204 for it), so only its form and signature count here.
  const presented = await readRefreshToken(realm, form.get('refresh_token')!, issuersFor(runtime, request, request.realm));
  if (!presented) throw invalidGrant('Invalid refresh token');
  const session = await runtime.sessions.get(presented.sessionId);
  if (!session) return empty(204);
  // A token the session never issued proves nothing: it must not end someone else's session.
  if (session.realm !== request.realm || !tokenGeneration(session, hashRefreshToken(presented.credential))) throw invalidGrant('Invalid refresh token');
  if (session.clientId !== client.client.clientId) throw invalidGrant("Invalid refresh token. Token client and authorized client don't match");
  // A session of a deleted client whose clientId was taken again: as gone as Keycloak makes it.
  if (!sessionBelongsTo(session, client.client)) return empty(204);
  audit.set({ session_id: session.id });
  await runtime.sessions.delete(session.id);
  return empty(204);
}
