import type { ClientAuthMethod } from './method.js';

/**
 * A bare `client_id`: only a public client is identified this way. The grant then refuses it
 * ("Public client not allowed to retrieve service account"), as Keycloak does, which is a clearer
 * answer than a failed authentication.
 */
export const publicClient: ClientAuthMethod = {
  name: 'none',
  present: (input) => input.form.has('client_id'),
  claim: (input) => ({ clientId: input.form.get('client_id') ?? '', proof: '' }),
  verify: async (client) => client?.publicClient === true,
};
