import { GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { encryptionContext, ensureWrappedKey, unwrap, type UnwrappedKeys, type WrappedKeyOwner } from '../kms/wrappedKey.js';
import type { ClientsTable } from '../store/clientsTable.js';
import { hashWithPepper } from './secretHash.js';

/**
 * Each realm's client-secret pepper: a 256-bit key that KMS generates (GenerateDataKey) and that
 * the clients table holds only wrapped under the stage's secrets key (lib/kms/wrappedKey.ts).
 * `hmac$` secret hashes are keyed with it (lib/clientAuth/secretHash.ts), so whoever holds a copy
 * of the table but cannot call KMS Decrypt has nothing to test guesses against.
 */
const owner = (realm: string): WrappedKeyOwner => ({ purpose: 'client-secret-pepper', realm });

/** The realm's pepper, created (by KMS) and stored on first need. For the admin tools, which hash secrets. */
export async function ensureRealmPepper(kms: KMSClient, table: ClientsTable, secretsKeyId: string, realm: string): Promise<Buffer> {
  let plaintext: Buffer | undefined;
  const { record, created } = await ensureWrappedKey(
    { read: () => table.getPepper(realm), putIfAbsent: (pepper) => table.putPepperIfAbsent(realm, pepper) },
    async () => {
      // GenerateDataKey rather than …WithoutPlaintext: the admin tool hashes with it right away.
      const out = await kms.send(new GenerateDataKeyCommand({ KeyId: secretsKeyId, KeySpec: 'AES_256', EncryptionContext: encryptionContext(owner(realm)) }));
      plaintext = Buffer.from(out.Plaintext!);
      return { ciphertext: Buffer.from(out.CiphertextBlob!).toString('base64'), createdAt: Math.floor(Date.now() / 1000) };
    },
  );
  return created && plaintext ? plaintext : unwrap(kms, owner(realm), record.ciphertext);
}

/** Hashes secrets of one realm with its pepper, fetching (or creating) the pepper on first use. */
export function pepperedHasher(kms: KMSClient, table: ClientsTable, secretsKeyId: string, realm: string) {
  let pepper: Promise<Buffer> | undefined;
  return async (clientId: string, secret: string): Promise<string> => {
    pepper ??= ensureRealmPepper(kms, table, secretsKeyId, realm);
    return hashWithPepper(await pepper, clientId, secret);
  };
}

/**
 * The realm's unwrapped pepper for client authentication. The wrapped pepper comes with the
 * realm's one Query (the realm cache hands it to the request), so reading it costs nothing;
 * unwrapping it costs one KMS Decrypt per realm and container. Keyed by the ciphertext too, so a
 * realm deleted and created again under its name is seen with its new pepper as soon as the realm
 * cache reloads. A pepper KMS refuses for this realm (copied from another) is no pepper: its hashes
 * never verify, and the request gets invalid_client, not a 5xx.
 */
export function realmPeppers(keys: UnwrappedKeys) {
  return {
    get: async (realm: string, ciphertext: string | undefined): Promise<Buffer | undefined> =>
      ciphertext === undefined ? undefined : keys.get(owner(realm), ciphertext),
  };
}
