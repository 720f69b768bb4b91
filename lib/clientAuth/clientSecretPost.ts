import type { ClientAuthMethod } from './method.js';
import type { SecretVerifier } from './secretVerifier.js';

/** `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1). */
export function clientSecretPost(secrets: SecretVerifier): ClientAuthMethod {
  return {
    name: 'client_secret_post',
    authenticatorType: 'client-secret',
    present: (input) => input.form.has('client_secret'),
    claim: (input) => ({ clientId: input.form.get('client_id') ?? '', proof: input.form.get('client_secret') ?? '' }),
    verify: (client, claimed, input) => secrets.verify(input.realm, claimed.clientId, client, claimed.proof, input.pepperCiphertext),
  };
}
