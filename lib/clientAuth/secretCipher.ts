import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';

/**
 * `client_secret_jwt` assertions are HMACs keyed with the client secret itself (RFC 7523, OIDC
 * Core §9), so for those clients the server must be able to recover the secret. It is stored
 * encrypted under the stage's secrets key, bound by the encryption context to its realm and
 * client: a ciphertext copied onto another client does not decrypt.
 */
const context = (realm: string, clientId: string) => ({ purpose: 'client-secret', realm, clientId });

export async function encryptClientSecret(kms: KMSClient, keyId: string, realm: string, clientId: string, secret: string): Promise<string> {
  const out = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(secret, 'utf8'), EncryptionContext: context(realm, clientId) }));
  return Buffer.from(out.CiphertextBlob!).toString('base64');
}

export async function decryptClientSecret(kms: KMSClient, realm: string, clientId: string, ciphertext: string): Promise<string> {
  const out = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(ciphertext, 'base64'), EncryptionContext: context(realm, clientId) }));
  return Buffer.from(out.Plaintext!).toString('utf8');
}
