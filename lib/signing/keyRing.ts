import { createPublicKey, type KeyObject } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SignatureAlgorithm, SigningKeyRecord } from '../store/model.js';
import { publishedJwks, type PublicJwk } from './jwks.js';
import { KmsSigner } from './kmsSigner.js';
import type { JwtSigner } from './signer.js';

/** A realm's signing keys: the active one per algorithm signs, all unretired ones are published. */
export class KeyRing {
  private readonly signers = new Map<SignatureAlgorithm, JwtSigner>();
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(
    private readonly keys: SigningKeyRecord[],
    kms: KMSClient,
  ) {
    // The newest active key wins should two ever be active at once.
    for (const key of [...keys].sort((a, b) => a.createdAt - b.createdAt)) {
      if (key.status === 'active') this.signers.set(key.alg, new KmsSigner(kms, key.kmsKeyId, key.kid, key.alg));
    }
  }

  signer(alg: SignatureAlgorithm): JwtSigner | undefined {
    return this.signers.get(alg);
  }

  jwks(now: number): { keys: PublicJwk[] } {
    return publishedJwks(this.keys, now);
  }

  /**
   * The key a token's `kid` names and the one algorithm it signs with, for verifying tokens this
   * service issued. The algorithm comes from the key record, never from the token's header.
   */
  verificationKey(kid: string, now: number): { key: KeyObject; alg: SignatureAlgorithm } | undefined {
    const record = this.keys.find((key) => key.kid === kid && (key.retireAt === undefined || key.retireAt > now));
    if (!record) return undefined;
    let key = this.publicKeys.get(kid);
    if (!key) {
      key = createPublicKey({ key: record.publicJwk as never, format: 'jwk' });
      this.publicKeys.set(kid, key);
    }
    return { key, alg: record.alg };
  }
}
