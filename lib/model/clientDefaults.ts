/**
 * What Keycloak 26 answers for a new client's ClientRepresentation fields that this service
 * stores but does not use (ClientRepresentation's and ClientManager's defaults). The Admin API
 * shows them under what a client was sent with, so a client made by sa-admin or an import reads
 * as one Keycloak made, and a `terraform plan` after an apply is empty.
 */
export const KEYCLOAK_CLIENT_DEFAULTS: Readonly<Record<string, unknown>> = {
  surrogateAuthRequired: false,
  alwaysDisplayInConsole: false,
  redirectUris: [],
  webOrigins: [],
  standardFlowEnabled: true,
  implicitFlowEnabled: false,
  directAccessGrantsEnabled: false,
  consentRequired: false,
  frontchannelLogout: true,
  protocol: 'openid-connect',
  authenticationFlowBindingOverrides: {},
  nodeReRegistrationTimeout: -1,
};

/** Keycloak's attribute that turns on refresh tokens for client_credentials (off by default since Keycloak 12). */
export const USE_REFRESH_TOKEN_ATTRIBUTE = 'client_credentials.use_refresh_token';
