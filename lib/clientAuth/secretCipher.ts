import type { KMSClient } from '@aws-sdk/client-kms';
import { unwrap, wrap, type WrappedKeyOwner } from '../kms/wrappedKey.js';

/**
 * `client_secret_jwt` assertions are HMACs keyed with the client secret itself (RFC 7523, OIDC
 * Core §9), so for those clients the server must be able to recover the secret. It is stored
 * encrypted under the stage's secrets key, bound to its realm and client (lib/kms/wrappedKey.ts):
 * a ciphertext copied onto another client does not decrypt.
 */
export const clientSecretOwner = (realm: string, clientId: string): WrappedKeyOwner => ({ purpose: 'client-secret', realm, clientId });

export function encryptClientSecret(kms: KMSClient, keyId: string, realm: string, clientId: string, secret: string): Promise<string> {
  return wrap(kms, keyId, clientSecretOwner(realm, clientId), Buffer.from(secret, 'utf8'));
}

export async function decryptClientSecret(kms: KMSClient, realm: string, clientId: string, ciphertext: string): Promise<string> {
  return (await unwrap(kms, clientSecretOwner(realm, clientId), ciphertext)).toString('utf8');
}
