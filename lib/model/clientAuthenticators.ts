/**
 * The client authenticators this service offers, by Keycloak's `clientAuthenticatorType`
 * (ClientAuthenticatorFactory.getId()). Each declares what the rest of the code asks of it; the
 * import, the Admin API, serverinfo, the audit log and the CLI read this list and keep none of
 * their own. The verification itself lives in lib/clientAuth (one file per OAuth method).
 */
export interface ClientAuthenticatorDeclaration {
  id: string;
  /** Keycloak's display type (ClientAuthenticatorFactory.getDisplayType()). */
  displayType: string;
  /** The client proves itself with a shared secret, stored hashed (lib/clientAuth/secretHash.ts). */
  usesSecret: boolean;
  /** The secret is also kept encrypted under KMS, because the method needs it back (an HMAC key). */
  recoverableSecret: boolean;
  /** The OAuth `token_endpoint_auth_method` names that prove it (getProtocolAuthenticatorMethods). */
  oauthMethods: readonly string[];
}

export const CLIENT_AUTHENTICATORS = [
  { id: 'client-secret', displayType: 'Client Id and Secret', usesSecret: true, recoverableSecret: false, oauthMethods: ['client_secret_basic', 'client_secret_post'] },
  // Keycloak's JWTClientAuthenticator: private_key_jwt, RFC 7523 §2.2 with the client's own key.
  { id: 'client-jwt', displayType: 'Signed Jwt', usesSecret: false, recoverableSecret: false, oauthMethods: ['private_key_jwt'] },
  { id: 'client-secret-jwt', displayType: 'Signed Jwt with Client Secret', usesSecret: true, recoverableSecret: true, oauthMethods: ['client_secret_jwt'] },
] as const satisfies readonly ClientAuthenticatorDeclaration[];

export type ClientAuthenticatorType = (typeof CLIENT_AUTHENTICATORS)[number]['id'];

export const CLIENT_AUTHENTICATOR_IDS: readonly ClientAuthenticatorType[] = CLIENT_AUTHENTICATORS.map((authenticator) => authenticator.id);

/** Keycloak's default for a client that names none. */
export const DEFAULT_CLIENT_AUTHENTICATOR: ClientAuthenticatorType = 'client-secret';

export function isClientAuthenticatorType(value: unknown): value is ClientAuthenticatorType {
  return typeof value === 'string' && (CLIENT_AUTHENTICATOR_IDS as readonly string[]).includes(value);
}

export function clientAuthenticator(id: ClientAuthenticatorType): ClientAuthenticatorDeclaration {
  return CLIENT_AUTHENTICATORS.find((authenticator) => authenticator.id === id)!;
}

/** "client-secret, client-jwt or client-secret-jwt", for error messages. */
export const CLIENT_AUTHENTICATOR_CHOICES = `${CLIENT_AUTHENTICATOR_IDS.slice(0, -1).join(', ')} or ${CLIENT_AUTHENTICATOR_IDS.at(-1)}`;

/**
 * Whether a client has a secret. Public and bearer-only clients never authenticate with one, and a
 * client whose authenticator uses none keeps none: a secret Keycloak stored for it anyway is only
 * a liability.
 */
export function usesSecret(client: { publicClient?: boolean; bearerOnly?: boolean; clientAuthenticatorType?: string }): boolean {
  if (client.publicClient === true || client.bearerOnly === true) return false;
  const type = client.clientAuthenticatorType ?? DEFAULT_CLIENT_AUTHENTICATOR;
  return isClientAuthenticatorType(type) ? clientAuthenticator(type).usesSecret : false;
}

/** Whether the client's secret is kept recoverable (encrypted) besides its hash. */
export function keepsSecretRecoverable(client: { clientAuthenticatorType?: string }): boolean {
  return isClientAuthenticatorType(client.clientAuthenticatorType) && clientAuthenticator(client.clientAuthenticatorType).recoverableSecret;
}

/** Keycloak's name for how a client authenticated (its audit events say `client-secret`, not `client_secret_basic`). */
export function keycloakAuthMethod(oauthMethod: string): string {
  const found = CLIENT_AUTHENTICATORS.find((authenticator) => (authenticator.oauthMethods as readonly string[]).includes(oauthMethod));
  return found?.id ?? oauthMethod;
}
