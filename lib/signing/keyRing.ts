import type { KMSClient } from '@aws-sdk/client-kms';
import type { SignatureAlgorithm, SigningKeyRecord } from '../store/model.js';
import { publishedJwks, type PublicJwk } from './jwks.js';
import { KmsSigner } from './kmsSigner.js';
import type { JwtSigner } from './signer.js';

/** A realm's signing keys: the active one per algorithm signs, all unretired ones are published. */
export class KeyRing {
  private readonly signers = new Map<SignatureAlgorithm, JwtSigner>();

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

  /** The public key a token's `kid` names, for verifying tokens this service issued. */
  publicJwk(kid: string): PublicJwk | undefined {
    return this.jwks(Math.floor(Date.now() / 1000)).keys.find((key) => key.kid === kid);
  }
}
