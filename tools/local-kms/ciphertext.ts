/**
 * Ciphertext blob format for symmetric KMS keys.
 *
 * Real KMS ciphertext blobs are opaque but self-describing: they embed the id
 * of the KMS key that produced them, which is why Decrypt does not need a
 * KeyId for symmetric keys. This emulator uses its own (equally opaque) layout:
 *
 *   "LKMS" | version (1 byte) | keyId length (1 byte) | keyId (ASCII)
 *   | IV (12 bytes) | GCM tag (16 bytes) | AES-256-GCM ciphertext
 *
 * The header and the canonicalised EncryptionContext are bound as AAD, so a
 * changed key id, tampered bytes, or a different encryption context all fail
 * authentication, which KMS reports as InvalidCiphertextException.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { KmsError } from './errors.js';

const MAGIC = Buffer.from('LKMS', 'ascii');
const VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export type EncryptionContext = Record<string, string>;

export function encryptBlob(keyId: string, keyMaterial: Buffer, plaintext: Buffer, context: EncryptionContext | undefined): Buffer {
  const keyIdBytes = Buffer.from(keyId, 'ascii');
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION, keyIdBytes.length]), keyIdBytes]);
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', keyMaterial, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad(header, context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), body]);
}

/** Read the key id a blob claims to be encrypted under, without decrypting it. */
export function parseBlob(blob: Buffer): { keyId: string; header: Buffer; iv: Buffer; tag: Buffer; body: Buffer } {
  const invalid = () => new KmsError('InvalidCiphertextException', 'The ciphertext is invalid or was not produced by this KMS.');
  if (blob.length < MAGIC.length + 2 || !blob.subarray(0, MAGIC.length).equals(MAGIC) || blob[MAGIC.length] !== VERSION) {
    throw invalid();
  }
  const keyIdLength = blob[MAGIC.length + 1]!;
  const headerLength = MAGIC.length + 2 + keyIdLength;
  if (blob.length < headerLength + IV_LENGTH + TAG_LENGTH) throw invalid();
  return {
    keyId: blob.subarray(MAGIC.length + 2, headerLength).toString('ascii'),
    header: blob.subarray(0, headerLength),
    iv: blob.subarray(headerLength, headerLength + IV_LENGTH),
    tag: blob.subarray(headerLength + IV_LENGTH, headerLength + IV_LENGTH + TAG_LENGTH),
    body: blob.subarray(headerLength + IV_LENGTH + TAG_LENGTH),
  };
}

export function decryptBlob(blob: Buffer, keyMaterial: Buffer, context: EncryptionContext | undefined): Buffer {
  const { header, iv, tag, body } = parseBlob(blob);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyMaterial, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad(header, context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    // KMS does not say *why* decryption failed (wrong context vs. tampering).
    throw new KmsError('InvalidCiphertextException', 'The ciphertext is invalid or the encryption context does not match.');
  }
}

/**
 * KMS treats the encryption context as an unordered string map that must
 * match exactly (case-sensitive); an empty map is the same as none.
 */
function aad(header: Buffer, context: EncryptionContext | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.concat([header, Buffer.from(JSON.stringify(entries), 'utf8')]);
}
