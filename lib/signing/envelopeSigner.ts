import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SignatureAlgorithm, SigningKeyRecord } from '../store/model.js';
import { signingInput, type JwtSigner } from './signer.js';

/** The encryption context a wrapped signing key is bound to: it cannot be unwrapped as anything else. */
export const signingKeyContext = (realm: string) => ({ purpose: 'signing-key', realm });

/**
 * Signs in the container with a private key that KMS unwrapped once (kms:Decrypt on the first
 * token, or earlier when warmed). No KMS call on the warm path: no per-token KMS cost, and no
 * ceiling from KMS's shared request quota.
 */
export class EnvelopeSigner implements JwtSigner {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  private privateKey?: Promise<KeyObject>;

  constructor(
    private readonly kms: KMSClient,
    private readonly realm: string,
    private readonly record: SigningKeyRecord,
  ) {
    this.kid = record.kid;
    this.alg = record.alg;
  }

  /** Unwraps the key now, so the first request does not wait for it. A failure is retried on sign. */
  async ready(): Promise<void> {
    await this.key();
  }

  async sign(payload: Record<string, unknown>): Promise<string> {
    const input = signingInput(this.alg, this.kid, payload);
    const key = await this.key();
    // JWS ES256 wants r||s (RFC 7518 §3.4), which node calls ieee-p1363.
    const signature = sign('sha256', Buffer.from(input, 'utf8'), this.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
    return `${input}.${signature.toString('base64url')}`;
  }

  private key(): Promise<KeyObject> {
    this.privateKey ??= this.unwrap().catch((err) => {
      this.privateKey = undefined; // a failed unwrap is retried by the next request
      throw err;
    });
    return this.privateKey;
  }

  private async unwrap(): Promise<KeyObject> {
    const out = await this.kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(this.record.wrappedPrivateKey!, 'base64'),
        KeyId: this.record.wrappingKeyId,
        EncryptionContext: signingKeyContext(this.realm),
      }),
    );
    const der = Buffer.from(out.Plaintext!);
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    der.fill(0);
    return key;
  }
}
