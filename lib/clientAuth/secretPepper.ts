import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, type KMSClient } from '@aws-sdk/client-kms';
import type { ClientsTable } from '../store/clientsTable.js';
import { hashWithPepper } from './secretHash.js';

/**
 * Each realm's client-secret pepper: a 256-bit key that KMS generates (GenerateDataKey) and that
 * the clients table holds only wrapped under the stage's secrets key, bound by the encryption
 * context to its realm and purpose. `hmac$` secret hashes are keyed with it
 * (lib/clientAuth/secretHash.ts), so whoever holds a copy of the table but cannot call KMS
 * Decrypt has nothing to test guesses against. It is unwrapped once per container and realm.
 */
const context = (realm: string) => ({ purpose: 'client-secret-pepper', realm });

/** The realm's pepper, created (by KMS) and stored on first need. For the admin tools, which hash secrets. */
export async function ensureRealmPepper(kms: KMSClient, table: ClientsTable, secretsKeyId: string, realm: string): Promise<Buffer> {
  const existing = await table.getPepper(realm);
  if (existing) return unwrapPepper(kms, realm, existing.ciphertext);
  const out = await kms.send(new GenerateDataKeyCommand({ KeyId: secretsKeyId, KeySpec: 'AES_256', EncryptionContext: context(realm) }));
  const created = { ciphertext: Buffer.from(out.CiphertextBlob!).toString('base64'), createdAt: Math.floor(Date.now() / 1000) };
  const stored = await table.putPepperIfAbsent(realm, created);
  // Someone else's pepper won the race: use theirs, so every hash of the realm has one key.
  return stored.ciphertext === created.ciphertext ? Buffer.from(out.Plaintext!) : unwrapPepper(kms, realm, stored.ciphertext);
}

/** Hashes secrets of one realm with its pepper, fetching (or creating) the pepper on first use. */
export function pepperedHasher(kms: KMSClient, table: ClientsTable, secretsKeyId: string, realm: string) {
  let pepper: Promise<Buffer> | undefined;
  return async (clientId: string, secret: string): Promise<string> => {
    pepper ??= ensureRealmPepper(kms, table, secretsKeyId, realm);
    return hashWithPepper(await pepper, clientId, secret);
  };
}

async function unwrapPepper(kms: KMSClient, realm: string, ciphertext: string): Promise<Buffer> {
  const out = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(ciphertext, 'base64'), EncryptionContext: context(realm) }));
  return Buffer.from(out.Plaintext!);
}

/**
 * Per-container cache of unwrapped peppers. The wrapped pepper comes with the realm's one Query
 * (the realm cache hands it to the request), so reading it costs nothing; unwrapping it costs one
 * KMS Decrypt per realm and container, the first time a secret needs it. Keyed by the ciphertext
 * too, so a realm deleted and created again under its name is seen with its new pepper as soon as
 * the realm cache reloads. A failed unwrap is not remembered.
 */
export class PepperCache {
  private readonly peppers = new Map<string, Promise<Buffer | undefined>>();

  constructor(private readonly kms: KMSClient) {}

  async get(realm: string, ciphertext: string | undefined): Promise<Buffer | undefined> {
    if (ciphertext === undefined) return undefined;
    const key = `${realm}\u0000${ciphertext}`;
    let pepper = this.peppers.get(key);
    if (!pepper) {
      // A pepper that KMS refuses to unwrap for this realm (an item copied from another realm) is no
      // pepper: its hashes never verify, and the request gets invalid_client, not a 5xx. Any other
      // KMS failure propagates (503) and is tried again on the next request.
      pepper = unwrapPepper(this.kms, realm, ciphertext).catch((err: unknown) => {
        if (err instanceof InvalidCiphertextException) return undefined;
        throw err;
      });
      if (this.peppers.size >= 1000) this.peppers.delete(this.peppers.keys().next().value!);
      this.peppers.set(key, pepper);
      pepper.catch(() => this.peppers.delete(key));
    }
    return pepper;
  }
}
