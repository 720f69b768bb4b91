/**
 * Keycloak's client authenticators (`clientAuthenticatorType`), declared once: the Admin API,
 * the realm import, serverinfo and the CLI read this list instead of keeping their own.
 */
export const CLIENT_AUTHENTICATORS = [
  { id: 'client-secret', usesSecret: true, displayName: 'Client Id and Secret' },
  { id: 'client-jwt', usesSecret: false, displayName: 'Signed Jwt' },
  { id: 'client-secret-jwt', usesSecret: true, displayName: 'Signed Jwt with Client Secret' },
  // Keycloak 26.6 `client-auth-federated`: a JWT from an identity provider of the realm, no secret anywhere.
  { id: 'federated-jwt', usesSecret: false, displayName: 'Signed JWT - Federated' },
] as const;

export type ClientAuthenticatorType = (typeof CLIENT_AUTHENTICATORS)[number]['id'];

export const CLIENT_AUTHENTICATOR_TYPES: readonly ClientAuthenticatorType[] = CLIENT_AUTHENTICATORS.map((authenticator) => authenticator.id);

export const isClientAuthenticatorType = (type: string): type is ClientAuthenticatorType => (CLIENT_AUTHENTICATOR_TYPES as readonly string[]).includes(type);

/** Whether a client of this type keeps a secret (`client-jwt` and `federated-jwt` prove themselves with keys). */
export const authenticatorUsesSecret = (type: ClientAuthenticatorType): boolean => CLIENT_AUTHENTICATORS.find((authenticator) => authenticator.id === type)?.usesSecret ?? true;
