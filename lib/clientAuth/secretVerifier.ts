import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BoundedMap } from '../cache.js';
import type { ClientRecord } from '../model/stored.js';
import { hashFormat, hashWithPepper, verifyNothing, verifySecret, type HashKey } from './secretHash.js';

const MAX_MEMO_ENTRIES = 10_000;

/** The hash work itself; replaceable so tests can see which work each request does. */
export interface HashWork {
  verify(stored: string, presented: string, key: HashKey): Promise<boolean>;
  /** The stand-in work when there is no stored hash (unknown, disabled or secret-less client). */
  nothing(key: HashKey, presented: string): false;
}

export interface SecretVerifierDeps {
  now(): number;
  /** The realm's unwrapped pepper, if it has one (lib/clientAuth/secretPepper.ts realmPeppers). */
  peppers: { get(realm: string, ciphertext: string | undefined): Promise<Buffer | undefined> };
  /** Replaces a legacy hash whose secret just verified; failures are ignored (the legacy hash keeps working). */
  upgrade?(realm: string, clientId: string, field: 'secretHash' | 'rotatedSecretHash', previous: string, next: string): Promise<void>;
  work?: HashWork;
}

/**
 * Verifies client secrets against their stored hashes (lib/clientAuth/secretHash.ts).
 *
 * Every request does the same kind of work whether the client exists or not: one keyed hash of
 * the presented secret (HMAC under the realm's pepper, or SHA-256 for a generated secret), and for
 * an unknown client the same HMAC against nothing. A legacy scrypt hash is the one exception; it
 * is rewritten as `hmac$` the first time its secret verifies, after which that client is like the
 * others.
 *
 * A secret that verified is remembered per container (an HMAC of it under a key that lives only
 * in this container's memory, never the secret), keyed by the stored hash itself: rotating or
 * changing a secret changes the hash, so the memo can never outlive the secret it vouches for.
 */
export class SecretVerifier {
  private readonly memoKey = randomBytes(32).toString('hex');
  private readonly memo = new BoundedMap<string, Buffer>(MAX_MEMO_ENTRIES);
  private readonly work: HashWork;

  constructor(private readonly deps: SecretVerifierDeps) {
    this.work = deps.work ?? { verify: verifySecret, nothing: verifyNothing };
  }

  /**
   * What the memo keeps of a secret: SHA-256 over this container's random key and the secret, a
   * keyed digest that only this container can make and that never leaves it (so no length
   * extension can matter). One-shot `crypto.hash` (Node ≥ 20.12) costs half of an HMAC object's
   * creation, which `npm run bench` profiled on every warm grant.
   */
  private memoDigest(presented: string): Buffer {
    return hash('sha256', this.memoKey + presented, 'buffer') as unknown as Buffer;
  }

  /** Current secret, or the previous one while its rotation grace period lasts (Keycloak's secret-rotation policy). */
  async verify(realm: string, clientId: string, client: ClientRecord | undefined, presented: string, pepperCiphertext?: string): Promise<boolean> {
    const pepper = () => this.deps.peppers.get(realm, pepperCiphertext);
    if (!client?.secretHash) return this.work.nothing({ clientId, pepper: await pepper() }, presented);
    if (await this.check(client, 'secretHash', client.secretHash, presented, pepper)) return true;
    const graceEnds = client.rotatedSecretExpiresAt ?? 0;
    return (
      client.rotatedSecretHash !== undefined &&
      this.deps.now() < graceEnds &&
      (await this.check(client, 'rotatedSecretHash', client.rotatedSecretHash, presented, pepper))
    );
  }

  private async check(
    client: ClientRecord,
    field: 'secretHash' | 'rotatedSecretHash',
    storedHash: string,
    presented: string,
    pepper: () => Promise<Buffer | undefined>,
  ): Promise<boolean> {
    const digest = this.memoDigest(presented);
    const remembered = this.memo.get(storedHash);
    if (remembered && timingSafeEqual(remembered, digest)) return true;
    // A generated secret's SHA-256 needs no pepper: no KMS call for it, even in a cold container.
    const key: HashKey = { clientId: client.clientId, pepper: hashFormat(storedHash) === 'sha256' ? undefined : await pepper() };
    if (!(await this.work.verify(storedHash, presented, key))) return false;
    this.memo.set(storedHash, digest);
    if (hashFormat(storedHash) === 'scrypt' && key.pepper && this.deps.upgrade) {
      await this.deps.upgrade(client.realm, client.clientId, field, storedHash, hashWithPepper(key.pepper, client.clientId, presented)).catch(() => undefined);
    }
    return true;
  }
}
