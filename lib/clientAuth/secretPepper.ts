import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
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
 * Per-container cache of unwrapped peppers: one GetItem and one Decrypt per realm and container
 * every `ttlMs` (a realm deleted and created again under its name gets a new pepper, seen within
 * that time). A realm without a pepper is remembered as such for `absentTtlMs`, so one that an
 * admin tool creates is seen soon; a failed read or unwrap is not remembered.
 */
export class PepperCache {
  private readonly peppers = new Map<string, { expires: number; pepper: Promise<Buffer | undefined> }>();

  constructor(
    private readonly table: ClientsTable,
    private readonly kms: KMSClient,
    private readonly ttlMs = 600_000,
    private readonly absentTtlMs = 60_000,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(realm: string): Promise<Buffer | undefined> {
    const cached = this.peppers.get(realm);
    if (cached && cached.expires > this.nowMs()) return cached.pepper;
    const pepper = this.table.getPepper(realm).then((stored) => (stored ? unwrapPepper(this.kms, realm, stored.ciphertext) : undefined));
    const entry = { expires: this.nowMs() + this.ttlMs, pepper };
    if (this.peppers.size >= 1000) this.peppers.delete(this.peppers.keys().next().value!);
    this.peppers.set(realm, entry);
    pepper.then(
      (value) => {
        if (value === undefined) entry.expires = this.nowMs() + this.absentTtlMs;
      },
      () => this.peppers.delete(realm),
    );
    return pepper;
  }
}
