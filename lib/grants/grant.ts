import type { AuthenticatedClient } from '../clientAuth/method.js';
import type { HttpRequest } from '../http/request.js';
import type { RealmContext } from '../realmContext.js';
import type { Runtime } from '../runtime.js';
import type { IssuedTokens } from '../tokens/tokenResponse.js';

/** What a grant gets once the request is parsed and the client authenticated. */
export interface GrantContext {
  runtime: Runtime;
  realmName: string;
  realm: RealmContext;
  request: HttpRequest;
  form: Map<string, string>;
  issuer: string;
  client: AuthenticatedClient;
}

/** One grant type (Keycloak: one OAuth2GrantType class each), dispatched on `grant_type`. */
export interface Grant {
  /** The form parameters the grant reads, besides grant_type and client authentication. */
  parameters: ReadonlySet<string>;
  handle(context: GrantContext): Promise<IssuedTokens>;
}
