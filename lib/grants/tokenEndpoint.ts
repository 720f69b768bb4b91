import { invalidRequest, unsupportedGrantType } from '../http/errors.js';
import type { HttpRequest } from '../http/request.js';
import { json, type HttpResponse } from '../http/response.js';
import type { Runtime } from '../runtime.js';
import { clientCredentials } from './clientCredentials.js';
import { clientRequest } from './clientRequest.js';
import type { Grant } from './grant.js';
import { refreshToken } from './refreshToken.js';

/**
 * The token endpoint (RFC 6749 §3.2) in Keycloak's order of checks: the form, then grant_type
 * (missing, then unsupported) before any client authentication, then the client, then the grant.
 */
export async function tokenEndpoint(runtime: Runtime, request: HttpRequest, grants: Record<string, Grant>): Promise<HttpResponse> {
  const audit = runtime.observability.audit('CLIENT_LOGIN', request);
  return audit.around(async () => {
    let grant: Grant | undefined;
    const { realm, form, issuer, client } = await clientRequest(runtime, request, audit, (form) => {
      const grantType = form.get('grant_type');
      if (!grantType) throw invalidRequest('Missing form parameter: grant_type');
      grant = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
      if (!grant) throw unsupportedGrantType();
      // Only a grant type we know goes into the log: an unknown value is whatever the caller typed.
      audit.set({ grant_type: grantType });
      if (grantType === 'refresh_token') audit.type = 'REFRESH_TOKEN';
    });
    const { response, claims } = await grant!.handle({ runtime, realmName: request.realm, realm, request, form, issuer, client });
    audit.set({ token_id: String(claims.jti), session_id: response.session_state, scope: response.scope });
    return json(200, response);
  });
}

/** The grants the token endpoint serves (every OAuth client sends refresh there, RFC 6749 §6). */
export const tokenGrants: Record<string, Grant> = {
  client_credentials: clientCredentials,
  refresh_token: refreshToken,
};

/** The refresh endpoint's own Lambda serves only the refresh grant, so it can be scaled and permitted apart. */
export const refreshGrants: Record<string, Grant> = { refresh_token: refreshToken };
