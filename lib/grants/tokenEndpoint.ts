import { invalidRequest, unsupportedGrantType } from '../http/errors.js';
import { parseForm } from '../http/form.js';
import type { HttpRequest } from '../http/request.js';
import { json, type HttpResponse } from '../http/response.js';
import { authenticate, issuerFor, type Runtime } from '../runtime.js';
import { clientCredentials } from './clientCredentials.js';
import type { Grant } from './grant.js';

/**
 * The token endpoint (RFC 6749 §3.2) in Keycloak's order of checks: the form, then grant_type
 * (missing, then unsupported) before any client authentication, then the client, then the grant.
 */
export async function tokenEndpoint(runtime: Runtime, request: HttpRequest, grants: Record<string, Grant>): Promise<HttpResponse> {
  const realm = await runtime.realms.get(request.realm);
  const form = parseForm(request);
  const grantType = form.get('grant_type');
  if (!grantType) throw invalidRequest('Missing form parameter: grant_type');
  const grant = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
  if (!grant) throw unsupportedGrantType();

  const issuer = issuerFor(runtime, request, request.realm);
  const client = await authenticate(runtime, { request, form, realm: request.realm, issuer });
  const response = await grant.handle({ runtime, realmName: request.realm, realm, request, form, issuer, client });
  return json(200, response);
}

/** The grants the token endpoint serves. */
export const tokenGrants: Record<string, Grant> = {
  client_credentials: clientCredentials,
};
