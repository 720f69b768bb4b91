import { compactVerify } from 'jose';
import type { KMSClient } from '@aws-sdk/client-kms';
import { invalidClient } from '../http/errors.js';
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
      let decrypted = 0;
      for (const ciphertext of candidates) {
        if (!ciphertext) continue;
        const plaintext = await secrets.get(client, ciphertext);
        if (plaintext === undefined) continue;
        decrypted++;
        const secret = new TextEncoder().encode(plaintext);
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

/**
 * Decrypted secrets by realm, client and ciphertext. The realm and client are part of the key
 * because KMS checks the encryption context (realm + client) only when it decrypts: a cache keyed
 * by the ciphertext alone would hand a copy of one client's ciphertext, stored on another client,
 * the first client's secret without KMS ever seeing it. A changed secret has a new ciphertext, so
 * nothing stale is used.
 */
class SecretCache {
  private readonly secrets = new Map<string, Promise<string | undefined>>();

  constructor(private readonly kms: KMSClient) {}

  /** The secret, or undefined when the ciphertext does not decrypt under this client's context. */
  get(client: ClientRecord, ciphertext: string): Promise<string | undefined> {
    const key = JSON.stringify([client.realm, client.clientId, ciphertext]);
    let secret = this.secrets.get(key);
    if (!secret) {
      secret = decryptClientSecret(this.kms, client.realm, client.clientId, ciphertext).catch((err: Error) => {
        // KMS's answer for a ciphertext whose encryption context (or key) does not match. Not
        // remembered: every attempt asks KMS again, and failed authentications are throttled.
        this.secrets.delete(key);
        if (err.name === 'InvalidCiphertextException') return undefined;
        throw err;
      });
      if (this.secrets.size >= 10_000) this.secrets.delete(this.secrets.keys().next().value!);
      this.secrets.set(key, secret);
    }
    return secret;
  }
}
