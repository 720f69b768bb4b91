/**
 * Keycloak's client authenticators (`clientAuthenticatorType`, ClientAuthenticatorFactory.getId()),
 * declared once: the Admin API, the realm import, serverinfo, the audit log and the CLI read this
 * list instead of keeping their own. The verification itself lives in lib/clientAuth (one file per
 * OAuth method).
 */
export interface ClientAuthenticatorDeclaration {
  id: string;
  /** Keycloak's display type (getDisplayType()). */
  displayName: string;
  /** The client proves itself with a shared secret, stored hashed (lib/clientAuth/secretHash.ts). */
  usesSecret: boolean;
  /** The secret is also kept encrypted under KMS, because the method needs it back (an HMAC key). */
  recoverableSecret: boolean;
  /** The OAuth `token_endpoint_auth_method` names that prove it (getProtocolAuthenticatorMethods). */
  oauthMethods: readonly string[];
}

export const CLIENT_AUTHENTICATORS = [
  { id: 'client-secret', usesSecret: true, recoverableSecret: false, displayName: 'Client Id and Secret', oauthMethods: ['client_secret_basic', 'client_secret_post'] },
  { id: 'client-jwt', usesSecret: false, recoverableSecret: false, displayName: 'Signed Jwt', oauthMethods: ['private_key_jwt'] },
  { id: 'client-secret-jwt', usesSecret: true, recoverableSecret: true, displayName: 'Signed Jwt with Client Secret', oauthMethods: ['client_secret_jwt'] },
  // Keycloak 26.6 `client-auth-federated`: a JWT from an identity provider of the realm, no secret anywhere.
  { id: 'federated-jwt', usesSecret: false, recoverableSecret: false, displayName: 'Signed JWT - Federated', oauthMethods: ['federated_jwt'] },
] as const satisfies readonly ClientAuthenticatorDeclaration[];

export type ClientAuthenticatorType = (typeof CLIENT_AUTHENTICATORS)[number]['id'];

export const CLIENT_AUTHENTICATOR_TYPES: readonly ClientAuthenticatorType[] = CLIENT_AUTHENTICATORS.map((authenticator) => authenticator.id);

/** Keycloak's default for a client that names none. */
export const DEFAULT_CLIENT_AUTHENTICATOR: ClientAuthenticatorType = 'client-secret';

export const isClientAuthenticatorType = (type: unknown): type is ClientAuthenticatorType =>
  typeof type === 'string' && (CLIENT_AUTHENTICATOR_TYPES as readonly string[]).includes(type);

const declaration = (type: string): ClientAuthenticatorDeclaration | undefined => CLIENT_AUTHENTICATORS.find((authenticator) => authenticator.id === type);

/** Whether a client of this type keeps a secret (`client-jwt` and `federated-jwt` prove themselves with keys). */
export const authenticatorUsesSecret = (type: ClientAuthenticatorType): boolean => declaration(type)?.usesSecret ?? true;

/**
 * Whether a client has a secret: public and bearer-only clients never authenticate with one, and a
 * client whose authenticator uses none keeps none (a secret Keycloak stored anyway is a liability).
 */
export function usesSecret(client: { publicClient?: boolean; bearerOnly?: boolean; clientAuthenticatorType?: string }): boolean {
  if (client.publicClient === true || client.bearerOnly === true) return false;
  return declaration(client.clientAuthenticatorType ?? DEFAULT_CLIENT_AUTHENTICATOR)?.usesSecret ?? false;
}

/** Whether the client's secret is kept recoverable (encrypted) besides its hash. */
export const keepsSecretRecoverable = (client: { clientAuthenticatorType?: string }): boolean =>
  client.clientAuthenticatorType !== undefined && (declaration(client.clientAuthenticatorType)?.recoverableSecret ?? false);

/** Keycloak's name for how a client authenticated (audit events say `client-secret`, not `client_secret_basic`). */
export function keycloakAuthMethod(oauthMethod: string): string {
  return CLIENT_AUTHENTICATORS.find((authenticator) => (authenticator.oauthMethods as readonly string[]).includes(oauthMethod))?.id ?? oauthMethod;
}
