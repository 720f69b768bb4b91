import { createHmac, createSecretKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyWithoutPlaintextCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { ClientsTable } from '../store/clientsTable.js';
import type { RefreshKeyRecord } from '../store/model.js';

/** The encryption context a wrapped refresh-token key is bound to: it unwraps for its realm and this use only. */
export const refreshKeyContext = (realm: string) => ({ purpose: 'refresh-token-key', realm });

/** Keycloak's generated HS512 key is 64 bytes: as long as the hash, as RFC 2104 §3 recommends. */
const KEY_BYTES = 64;

/**
 * Gives a realm its refresh-token key unless it has one. KMS generates the key and returns it only
 * wrapped (GenerateDataKeyWithoutPlaintext), so the plaintext never exists outside KMS here. The
 * write is conditional: of two concurrent callers one key wins and both return it.
 */
export async function ensureRefreshKey(
  kms: KMSClient,
  table: ClientsTable,
  realm: string,
  wrappingKeyId: string,
  now: number,
): Promise<{ record: RefreshKeyRecord; created: boolean }> {
  const existing = await table.getRefreshKey(realm);
  if (existing) return { record: existing, created: false };
  const out = await kms.send(
    new GenerateDataKeyWithoutPlaintextCommand({ KeyId: wrappingKeyId, NumberOfBytes: KEY_BYTES, EncryptionContext: refreshKeyContext(realm) }),
  );
  const record: RefreshKeyRecord = {
    kid: randomUUID(),
    alg: 'HS512',
    wrappedKey: Buffer.from(out.CiphertextBlob!).toString('base64'),
    wrappingKeyId: out.KeyId ?? wrappingKeyId,
    createdAt: now,
  };
  if (await table.putRefreshKeyIfAbsent(realm, record)) return { record, created: true };
  return { record: (await table.getRefreshKey(realm))!, created: false };
}

/**
 * Signs and verifies refresh tokens (JWS compact, HS512, RFC 7518 §3.2) with a realm's key, which
 * KMS unwraps once per container (kms:Decrypt on first use), as EnvelopeSigner does for private keys.
 */
export class RefreshTokenKey {
  readonly kid: string;
  private secret?: Promise<KeyObject>;

  constructor(
    private readonly kms: KMSClient,
    private readonly realm: string,
    private readonly record: RefreshKeyRecord,
  ) {
    this.kid = record.kid;
  }

  async sign(payload: Record<string, unknown>): Promise<string> {
    // Keycloak's refresh-token header: {"alg":"HS512","typ":"JWT","kid":…}.
    const input = `${b64url({ alg: 'HS512', typ: 'JWT', kid: this.kid })}.${b64url(payload)}`;
    return `${input}.${await this.mac(input)}`;
  }

  /**
   * The payload of a token this key signed, else undefined: anything but three parts, a header
   * other than HS512 with this kid, or a wrong signature. Only a failing KMS throws.
   */
  async verify(token: string): Promise<Record<string, unknown> | undefined> {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const parsedHeader = parseSegment(header);
    if (parsedHeader?.alg !== 'HS512' || parsedHeader.kid !== this.kid) return undefined;
    const expected = Buffer.from(await this.mac(`${header}.${payload}`), 'base64url');
    const presented = Buffer.from(signature, 'base64url');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
    return parseSegment(payload);
  }

  /**
   * The successor credentials of a spent one, by the use count of the refresh that issues them:
   * `<session id>.<HMAC-SHA-512 under this key of "successor", the credential and the count,
   * cut to 256 bits>`. A retry of a refresh whose answer was lost can so be given the very token
   * it was issued, while the session still stores only hashes; without the realm's key, a copy
   * of a spent token does not yield its successor.
   */
  async successors(credential: string): Promise<(uses: number) => string> {
    const key = await this.key();
    const sessionId = credential.slice(0, credential.indexOf('.'));
    return (uses) => {
      const random = createHmac('sha512', key).update(`successor\0${credential}\0${uses}`, 'utf8').digest().subarray(0, 32).toString('base64url');
      return `${sessionId}.${random}`;
    };
  }

  /** Unwraps the key now (PRELOAD_REALMS), so the first refresh token does not wait for kms:Decrypt. */
  async ready(): Promise<void> {
    await this.key();
  }

  private async mac(input: string): Promise<string> {
    return createHmac('sha512', await this.key()).update(input, 'utf8').digest('base64url');
  }

  private key(): Promise<KeyObject> {
    this.secret ??= this.unwrap().catch((err) => {
      this.secret = undefined; // a failed unwrap is retried by the next request
      throw err;
    });
    return this.secret;
  }

  private async unwrap(): Promise<KeyObject> {
    const out = await this.kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(this.record.wrappedKey, 'base64'),
        KeyId: this.record.wrappingKeyId,
        EncryptionContext: refreshKeyContext(this.realm),
      }),
    );
    const bytes = Buffer.from(out.Plaintext!);
    const key = createSecretKey(bytes);
    bytes.fill(0);
    return key;
  }
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function parseSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
