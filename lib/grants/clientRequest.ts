import type { AuthenticatedClient } from '../clientAuth/method.js';
import { parseForm } from '../http/form.js';
import type { HttpRequest } from '../http/request.js';
import type { RealmContext } from '../realmContext.js';
import type { AuditRecord } from '../observability.js';
import { keycloakAuthMethod } from '../observability.js';
import { authenticate, issuerFor, type Runtime } from '../runtime.js';

export interface ClientRequest {
  realm: RealmContext;
  form: Map<string, string>;
  issuer: string;
  client: AuthenticatedClient;
}

/**
 * The steps every client-facing POST endpoint shares, in Keycloak's order: the realm (404 when
 * unknown), the form, checks that come before authentication (`beforeAuth`), then the client.
 */
export async function clientRequest(
  runtime: Runtime,
  request: HttpRequest,
  audit: AuditRecord,
  beforeAuth?: (form: Map<string, string>) => void,
): Promise<ClientRequest> {
  const realm = await runtime.realms.get(request.realm);
  // Only a realm that exists is recorded (and becomes a metrics dimension): the path is the caller's.
  audit.set({ realm: request.realm });
  const form = parseForm(request);
  beforeAuth?.(form);
  const issuer = issuerFor(runtime, request, request.realm);
  const onClaim = (clientId: string, method: string) => audit.set({ clientId, client_auth_method: keycloakAuthMethod(method) });
  const client = await authenticate(runtime, {
    request,
    form,
    realm: request.realm,
    issuer,
    onClaim,
    onAssertion: (details) => audit.set(details),
    federation: realm.federation,
    pepperCiphertext: realm.pepperCiphertext,
  }, realm.version);
  return { realm, form, issuer, client };
}
