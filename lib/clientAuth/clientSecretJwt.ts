import { compactVerify } from 'jose';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { ClientRecord } from '../store/model.js';
import { assertionMethod, HMAC_ALGORITHMS, ruleBroken, type JwtMethodDeps } from './clientAssertion.js';
import type { ClientAuthMethod } from './method.js';
import { decryptClientSecret } from './secretCipher.js';

/**
 * `client_secret_jwt` (OIDC Core §9; Keycloak's `client-secret-jwt` authenticator): an HMAC over
 * the assertion keyed with the client secret. The secret is stored encrypted under KMS and
 * decrypted once per container; during a rotation's grace period the previous secret verifies too.
 */
export function clientSecretJwt(deps: JwtMethodDeps, kms: KMSClient): ClientAuthMethod {
  const secrets = new SecretCache(kms);
  return assertionMethod({
    name: 'client_secret_jwt',
    authenticatorType: 'client-secret-jwt',
    algorithms: HMAC_ALGORITHMS,
    deps,
    async verifySignature(client, parsed, input, now) {
      const candidates = [client.secretCiphertext];
      if (client.rotatedSecretCiphertext && now < (client.rotatedSecretExpiresAt ?? 0)) candidates.push(client.rotatedSecretCiphertext);
      for (const ciphertext of candidates) {
        if (!ciphertext) continue;
        const secret = new TextEncoder().encode(await secrets.get(client, ciphertext));
        if (await compactVerify(parsed.assertion, secret, { algorithms: [parsed.header.alg!] }).then(() => true, () => false)) return;
      }
      throw ruleBroken(input, 'Client assertion signature is invalid');
    },
  });
}

/** Decrypted secrets by ciphertext: a changed secret has a new ciphertext, so nothing stale is used. */
class SecretCache {
  private readonly secrets = new Map<string, Promise<string>>();

  constructor(private readonly kms: KMSClient) {}

  get(client: ClientRecord, ciphertext: string): Promise<string> {
    let secret = this.secrets.get(ciphertext);
    if (!secret) {
      secret = decryptClientSecret(this.kms, client.realm, client.clientId, ciphertext);
      secret.catch(() => this.secrets.delete(ciphertext));
      if (this.secrets.size >= 10_000) this.secrets.delete(this.secrets.keys().next().value!);
      this.secrets.set(ciphertext, secret);
    }
    return secret;
  }
}
