import { DecryptCommand, EncryptCommand, InvalidCiphertextException, type KMSClient } from '@aws-sdk/client-kms';
import { LoadingCache } from '../cache.js';

/**
 * Every secret key this service holds is made by KMS, stored in the clients table only wrapped
 * under a KMS key, and unwrapped in a container's memory when first needed:
 * - `signing-key`: a realm's envelope signing key (lib/signing/envelopeSigner.ts);
 * - `refresh-token-key`: a realm's HS512 refresh-token key (lib/signing/refreshKey.ts);
 * - `client-secret-pepper`: a realm's HMAC key for client-secret hashes (lib/clientAuth/secretPepper.ts);
 * - `client-secret`: one client's secret, kept recoverable for `client_secret_jwt` (lib/clientAuth/secretCipher.ts).
 * The encryption context binds each ciphertext to its purpose and realm (and client): KMS refuses
 * to unwrap a ciphertext copied to another realm, client or use, and the key policies in
 * infra/kms.yml grant each function only the purposes it needs.
 */
export type WrappedKeyPurpose = 'signing-key' | 'refresh-token-key' | 'client-secret-pepper' | 'client-secret';

export interface WrappedKeyOwner {
  purpose: WrappedKeyPurpose;
  realm: string;
  /** Only for `client-secret`. */
  clientId?: string;
}

export function encryptionContext(owner: WrappedKeyOwner): Record<string, string> {
  return { purpose: owner.purpose, realm: owner.realm, ...(owner.clientId === undefined ? {} : { clientId: owner.clientId }) };
}

/** Encrypts a value KMS did not make itself (a client secret someone chose) under `keyId`, bound to its owner. */
export async function wrap(kms: KMSClient, keyId: string, owner: WrappedKeyOwner, plaintext: Buffer): Promise<string> {
  const out = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: encryptionContext(owner) }));
  return Buffer.from(out.CiphertextBlob!).toString('base64');
}

/** The plaintext of a wrapped key (one kms:Decrypt). `keyId` pins the wrapping key when the record names it. */
export async function unwrap(kms: KMSClient, owner: WrappedKeyOwner, ciphertext: string, keyId?: string): Promise<Buffer> {
  const out = await kms.send(
    new DecryptCommand({ CiphertextBlob: Buffer.from(ciphertext, 'base64'), EncryptionContext: encryptionContext(owner), ...(keyId ? { KeyId: keyId } : {}) }),
  );
  return Buffer.from(out.Plaintext!);
}

/**
 * A value made from an unwrapped key once, on first use (or when warmed), and kept for the
 * container's life; a failed unwrap is not kept, so the next request asks KMS again.
 */
export function unwrapOnce<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((err: unknown) => {
      made = undefined;
      throw err;
    });
    return made;
  };
}

/** Where a realm's one key of a kind is stored: read strongly consistent, written only if absent. */
export interface WrappedKeySlot<R> {
  read(): Promise<R | undefined>;
  putIfAbsent(record: R): Promise<boolean>;
}

/**
 * A realm's one key of a kind, made on first need. Of two concurrent makers one conditional write
 * wins and both return the winner's record, which the loser reads back strongly consistent: an
 * eventually consistent read right after the winner's write may still come back empty.
 */
export async function ensureWrappedKey<R>(slot: WrappedKeySlot<R>, make: () => Promise<R>): Promise<{ record: R; created: boolean }> {
  const existing = await slot.read();
  if (existing) return { record: existing, created: false };
  const record = await make();
  if (await slot.putIfAbsent(record)) return { record, created: true };
  const winner = await slot.read();
  // Only the realm's deletion between the two calls leaves nothing to read.
  if (!winner) throw new Error("the realm's key was removed while it was being created");
  return { record: winner, created: false };
}

/**
 * The container's unwrapped keys by owner and ciphertext. The owner is part of the cache key
 * because KMS checks the encryption context only when it decrypts: a cache keyed by ciphertext
 * alone would hand one client's secret to another client that stored a copy of its ciphertext.
 * A changed key has a new ciphertext, so nothing stale is used. A ciphertext KMS refuses for this
 * owner (InvalidCiphertextException: copied from elsewhere) yields undefined, is not remembered,
 * and the caller treats it as no key; any other KMS failure propagates (503) and is tried again.
 */
export class UnwrappedKeys {
  private readonly cache = new LoadingCache<string, Buffer | undefined>({ maxEntries: 10_000 });

  constructor(private readonly kms: KMSClient) {}

  get(owner: WrappedKeyOwner, ciphertext: string): Promise<Buffer | undefined> {
    const key = JSON.stringify([owner.purpose, owner.realm, owner.clientId ?? null, ciphertext]);
    return this.cache.get(key, () =>
      unwrap(this.kms, owner, ciphertext).catch((err: unknown) => {
        if (!(err instanceof InvalidCiphertextException) && (err as Error).name !== 'InvalidCiphertextException') throw err;
        this.cache.forget(key);
        return undefined;
      }),
    );
  }
}
