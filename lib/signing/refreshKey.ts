import { createHmac, createSecretKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { GenerateDataKeyWithoutPlaintextCommand, type KMSClient } from '@aws-sdk/client-kms';
import { encryptionContext, ensureWrappedKey, unwrap, unwrapOnce, type WrappedKeyOwner } from '../kms/wrappedKey.js';
import type { ClientsTable } from '../store/clientsTable.js';
import type { RefreshKeyRecord } from '../model/stored.js';

/** A wrapped refresh-token key unwraps for its realm and this use only (lib/kms/wrappedKey.ts). */
export const refreshKeyOwner = (realm: string): WrappedKeyOwner => ({ purpose: 'refresh-token-key', realm });

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
  return ensureWrappedKey({ read: () => table.getRefreshKey(realm), putIfAbsent: (record) => table.putRefreshKeyIfAbsent(realm, record) }, async () => {
    const out = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({ KeyId: wrappingKeyId, NumberOfBytes: KEY_BYTES, EncryptionContext: encryptionContext(refreshKeyOwner(realm)) }),
    );
    return {
      kid: randomUUID(),
      alg: 'HS512',
      wrappedKey: Buffer.from(out.CiphertextBlob!).toString('base64'),
      wrappingKeyId: out.KeyId ?? wrappingKeyId,
      createdAt: now,
    };
  });
}

/**
 * Signs and verifies refresh tokens (JWS compact, HS512, RFC 7518 §3.2) with a realm's key, which
 * KMS unwraps once per container (kms:Decrypt on first use), as EnvelopeSigner does for private keys.
 */
export class RefreshTokenKey {
  readonly kid: string;
  private readonly key: () => Promise<KeyObject>;

  constructor(kms: KMSClient, realm: string, record: RefreshKeyRecord) {
    this.kid = record.kid;
    this.key = unwrapOnce(async () => {
      const bytes = await unwrap(kms, refreshKeyOwner(realm), record.wrappedKey, record.wrappingKeyId);
      const key = createSecretKey(bytes);
      bytes.fill(0);
      return key;
    });
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
