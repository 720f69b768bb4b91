import { compactVerify } from 'jose';
import { invalidClient } from '../http/errors.js';
import { assertionMethod, HMAC_ALGORITHMS, ruleBroken, type JwtMethodDeps } from './clientAssertion.js';
import type { ClientAuthMethod } from './method.js';
import type { UnwrappedKeys } from '../kms/wrappedKey.js';
import { clientSecretOwner } from './secretCipher.js';

/**
 * `client_secret_jwt` (OIDC Core §9; Keycloak's `client-secret-jwt` authenticator): an HMAC over
 * the assertion keyed with the client secret. The secret is stored encrypted under KMS and
 * decrypted once per container (lib/kms/wrappedKey.ts UnwrappedKeys, which keys its cache by realm
 * and client too); during a rotation's grace period the previous secret verifies too.
 */
export function clientSecretJwt(deps: JwtMethodDeps, secrets: UnwrappedKeys): ClientAuthMethod {
  return assertionMethod({
    name: 'client_secret_jwt',
    authenticatorType: 'client-secret-jwt',
    algorithms: HMAC_ALGORITHMS,
    deps,
    async verifySignature(client, parsed, input, now) {
      const candidates = [client.secretCiphertext];
      if (client.rotatedSecretCiphertext && now < (client.rotatedSecretExpiresAt ?? 0)) candidates.push(client.rotatedSecretCiphertext);
      let decrypted = 0;
      for (const ciphertext of candidates) {
        if (!ciphertext) continue;
        const secret = await secrets.get(clientSecretOwner(client.realm, client.clientId), ciphertext);
        if (secret === undefined) continue;
        decrypted++;
        if (await compactVerify(parsed.assertion, secret, { algorithms: [parsed.header.alg!] }).then(() => true, () => false)) return;
      }
      // No stored secret of this client decrypts under its own context (a ciphertext copied from
      // another client, or none at all): the client cannot authenticate this way, and the caller
      // gets the same answer as any failed authentication.
      if (decrypted === 0) throw invalidClient(input.realm, false);
      throw ruleBroken(input, 'Client assertion signature is invalid');
    },
  });
}
