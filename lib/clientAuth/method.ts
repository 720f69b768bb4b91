import type { HttpRequest } from '../http/request.js';
import type { IdentityProvider } from '../model/identityProvider.js';
import type { ClientAuthenticatorType, ClientRecord, FederatedLink } from '../model/stored.js';

/** The realm's identity providers and which clients name which external identity, from the realm already loaded. */
export interface Federation {
  identityProviders: readonly IdentityProvider[];
  links: readonly FederatedLink[];
}

/**
 * A federated assertion read far enough to know its identity provider and external subject (the
 * client is then chosen by both); `verify` applies the rules that need the bound client.
 */
export interface FederatedAssertion {
  idp: IdentityProvider;
  sub: string;
  verify(client: ClientRecord): Promise<void>;
}

/** What Keycloak's ClientAssertionState records of an assertion for the event, before it is verified. */
export interface AssertionDetails {
  client_assertion_id?: string;
  client_assertion_issuer?: string;
  client_assertion_sub?: string;
}

/** What a request presents to prove which client it is. */
export interface ClientAuthInput {
  request: HttpRequest;
  form: Map<string, string>;
  realm: string;
  /** The realm's issuer, a valid audience for JWT assertions. */
  issuer: string;
  /** The realm's wrapped client-secret pepper, from the realm already loaded (lib/clientAuth/secretPepper.ts). */
  pepperCiphertext?: string;
  /** The realm's identity providers, for `federated-jwt`; none when absent. */
  federation?: Federation;
  /** Told the assertion's `jti`, `iss` and `sub` once read (never the assertion), for the audit trail. */
  onAssertion?: (details: AssertionDetails) => void;
  /** Told which client the request names (if it exists) and how it authenticates, before verification (for the audit trail). */
  onClaim?: (clientId: string, method: ClientAuthMethod['name']) => void;
}

/** A method recognised the request as its own and read the claimed client id from it. */
export interface ClaimedClient {
  clientId: string;
  /** The method-specific proof (a secret, an assertion); never logged. */
  proof: string;
}

/**
 * One client-authentication method (Keycloak: one ClientAuthenticator class per method).
 * `claim` only reads the request; `verify` decides, given the stored client, which may be
 * undefined for an unknown client id: a method must then do the same work it would do for a
 * known client, so timing does not reveal which client ids exist.
 */
export interface ClientAuthMethod {
  /** The OAuth / OIDC name, as in discovery's token_endpoint_auth_methods_supported. */
  name: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'federated_jwt' | 'none';
  /** The Keycloak `clientAuthenticatorType` this method proves; undefined for public clients. */
  authenticatorType?: ClientAuthenticatorType;
  /** Whether the request carries this method's credentials. */
  present(input: ClientAuthInput): boolean;
  /** May be asynchronous: an `aws-iam` assertion's subject is known only once STS has answered. */
  claim(input: ClientAuthInput): ClaimedClient | Promise<ClaimedClient>;
  verify(client: ClientRecord | undefined, claimed: ClaimedClient, input: ClientAuthInput): Promise<boolean>;
}

export interface AuthenticatedClient {
  client: ClientRecord;
  method: ClientAuthMethod['name'];
}
