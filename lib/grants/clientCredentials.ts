import { unauthorizedClient } from '../http/errors.js';
import { resolveScope } from '../tokens/scope.js';
import { issueTokens } from '../tokens/tokenResponse.js';
import type { Grant } from './grant.js';

/**
 * `grant_type=client_credentials` (RFC 6749 §4.4): the client gets a token for its service
 * account. Checks in Keycloak's order (ClientCredentialsGrantType): public client, service
 * accounts off, then scope.
 */
export const clientCredentials: Grant = {
  parameters: new Set(['scope']),

  async handle({ runtime, realm, request, form, issuer, client: { client } }) {
    if (client.publicClient) throw unauthorizedClient('Public client not allowed to retrieve service account');
    if (!client.serviceAccountsEnabled || !client.serviceAccount) {
      throw unauthorizedClient('Client not enabled to retrieve service account');
    }
    const scope = resolveScope(form.get('scope'), client, realm.clientScopes);
    const { response } = await issueTokens({
      realm,
      issuer,
      client,
      scope,
      issuedAt: runtime.now(),
      sourceIp: request.sourceIp,
    });
    return response;
  },
};
