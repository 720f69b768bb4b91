import { createPublicKey, type KeyObject } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { RefreshKeyRecord, SignatureAlgorithm, SigningKeyRecord } from '../model/stored.js';
import { BoundedMap } from '../cache.js';
import { EnvelopeSigner } from './envelopeSigner.js';
import { publishedJwks, type PublicJwk } from './jwks.js';
import { KmsSigner } from './kmsSigner.js';
import { RefreshTokenKey } from './refreshKey.js';
import type { JwtSigner } from './signer.js';

/**
 * Signers live as long as the container, across realm-cache refreshes, so an envelope key is
 * unwrapped once per container and not once per cache lifetime. Keyed by realm and kid.
 */
export class SignerCache {
  private readonly signers = new BoundedMap<string, JwtSigner>(1000);
  private readonly refreshKeys = new BoundedMap<string, RefreshTokenKey>(1000);

  constructor(private readonly kms: KMSClient) {}

  /** The realm's refresh-token key, unwrapped once per container like an envelope signing key. */
  refreshKey(realm: string, record: RefreshKeyRecord): RefreshTokenKey {
    const cacheKey = `${realm}\u0000${record.kid}`;
    let key = this.refreshKeys.get(cacheKey);
    if (!key) {
      key = new RefreshTokenKey(this.kms, realm, record);
      this.refreshKeys.set(cacheKey, key);
    }
    return key;
  }

  get(realm: string, record: SigningKeyRecord): JwtSigner {
    const cacheKey = `${realm}\u0000${record.kid}`;
    let signer = this.signers.get(cacheKey);
    if (!signer) {
      signer =
        record.provider === 'envelope'
          ? new EnvelopeSigner(this.kms, realm, record)
          : new KmsSigner(this.kms, record.kmsKeyId!, record.kid, record.alg);
      this.signers.set(cacheKey, signer);
    }
    return signer;
  }
}

/** A realm's signing keys: the active one per algorithm signs, all unretired ones are published. */
export class KeyRing {
  private readonly active = new Map<SignatureAlgorithm, SigningKeyRecord>();
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(
    private readonly realm: string,
    private readonly keys: SigningKeyRecord[],
    private readonly signers: SignerCache,
  ) {
    // The newest active key wins should two ever be active at once.
    for (const key of [...keys].sort((a, b) => a.createdAt - b.createdAt)) {
      if (key.status === 'active') this.active.set(key.alg, key);
    }
  }

  signer(alg: SignatureAlgorithm): JwtSigner | undefined {
    const record = this.active.get(alg);
    return record && this.signers.get(this.realm, record);
  }

  /** Starts unwrapping envelope keys so the first token does not wait for kms:Decrypt. */
  warm(): void {
    void this.ready().catch(() => undefined);
  }

  /** Resolves once every active envelope key is unwrapped (kms signers have nothing to prepare). */
  async ready(): Promise<void> {
    const unwraps: Promise<unknown>[] = [];
    for (const record of this.active.values()) {
      const signer = this.signers.get(this.realm, record);
      if (signer instanceof EnvelopeSigner) unwraps.push(signer.ready());
    }
    await Promise.all(unwraps);
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

