import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { unwrap, unwrapOnce, type WrappedKeyOwner } from '../kms/wrappedKey.js';
import type { SignatureAlgorithm, SigningKeyRecord } from '../model/stored.js';
import { signingInput, type JwtSigner } from './signer.js';

/** A wrapped signing key cannot be unwrapped as anything else (lib/kms/wrappedKey.ts). */
export const signingKeyOwner = (realm: string): WrappedKeyOwner => ({ purpose: 'signing-key', realm });

/**
 * Signs in the container with a private key that KMS unwrapped once (kms:Decrypt on the first
 * token, or earlier when warmed). No KMS call on the warm path: no per-token KMS cost, and no
 * ceiling from KMS's shared request quota.
 */
export class EnvelopeSigner implements JwtSigner {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  private readonly key: () => Promise<KeyObject>;
  /** The key once KMS has unwrapped it. */
  private unwrapped: KeyObject | undefined;

  constructor(kms: KMSClient, realm: string, record: SigningKeyRecord) {
    this.kid = record.kid;
    this.alg = record.alg;
    this.key = unwrapOnce(async () => {
      const der = await unwrap(kms, signingKeyOwner(realm), record.wrappedPrivateKey!, record.wrappingKeyId);
      const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      der.fill(0);
      return key;
    });
  }

  /** Unwraps the key now, so the first request does not wait for it. A failure is retried on sign. */
  async ready(): Promise<void> {
    this.unwrapped ??= await this.key();
  }

  sign(payload: Record<string, unknown>, payloadJson?: string): Promise<string> {
    // Once the key is unwrapped the signature is made at once: a warm grant waits on nothing here.
    if (this.unwrapped) {
      try {
        return Promise.resolve(this.signWith(this.unwrapped, payload, payloadJson));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.key().then((key) => this.signWith((this.unwrapped = key), payload, payloadJson));
  }

  private signWith(key: KeyObject, payload: Record<string, unknown>, payloadJson: string | undefined): string {
    const input = signingInput(this.alg, this.kid, payload, payloadJson);
    // JWS ES256 wants r||s (RFC 7518 §3.4), which node calls ieee-p1363.
    const signature = sign('sha256', Buffer.from(input, 'utf8'), this.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
    return `${input}.${signature.toString('base64url')}`;
  }
}
