import { invalidGrant, invalidRequest } from '../http/errors.js';
import type { HttpRequest } from '../http/request.js';
import { empty, type HttpResponse } from '../http/response.js';
import type { AuditRecord } from '../observability.js';
import type { Runtime } from '../runtime.js';
import { hashRefreshToken, sessionIdOf } from '../tokens/refreshToken.js';
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
  const { form, client } = await clientRequest(runtime, request, audit, (form) => {
    if (!form.get('refresh_token')) throw invalidRequest('No refresh token');
  });
  const presented = form.get('refresh_token')!;
  const sessionId = sessionIdOf(presented);
  if (!sessionId) throw invalidGrant('Invalid refresh token');
  const session = await runtime.sessions.get(sessionId);
  if (!session) return empty(204);
  // A token the session never issued proves nothing: it must not end someone else's session.
  if (session.realm !== request.realm || !tokenGeneration(session, hashRefreshToken(presented))) throw invalidGrant('Invalid refresh token');
  if (session.clientId !== client.client.clientId) throw invalidGrant("Invalid refresh token. Token client and authorized client don't match");
  audit.set({ session_id: session.id });
  await runtime.sessions.delete(session.id);
  return empty(204);
}
