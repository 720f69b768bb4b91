import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientRecord } from '../store/model.js';
import { UNKNOWN_CLIENT_HASH, verifySecret } from './secretHash.js';

const MAX_MEMO_ENTRIES = 10_000;

/**
 * Verifies client secrets against their stored hashes, remembering per container which presented
 * secret last verified against which stored hash, so a warm request never runs scrypt again.
 *
 * The memo holds an HMAC of the secret under a key that lives only in this container's memory,
 * never the secret. It is keyed by the stored hash itself: rotating or changing a secret changes
 * the hash, so the memo can never outlive the secret it vouches for.
 */
export class SecretVerifier {
  private readonly memoKey = randomBytes(32);
  private readonly memo = new Map<string, Buffer>();

  constructor(
    private readonly now: () => number,
    /** The hash check itself (scrypt or SHA-256); replaceable so tests can count the work done. */
    private readonly verifyHash: (stored: string, presented: string) => Promise<boolean> = verifySecret,
  ) {}

  /** Current secret, or the previous one while its rotation grace period lasts (Keycloak's secret-rotation policy). */
  async verify(client: ClientRecord | undefined, presented: string): Promise<boolean> {
    if (!client?.secretHash) {
      await this.check(UNKNOWN_CLIENT_HASH, presented);
      return false;
    }
    if (await this.check(client.secretHash, presented)) return true;
    const graceEnds = client.rotatedSecretExpiresAt ?? 0;
    return client.rotatedSecretHash !== undefined && this.now() < graceEnds && (await this.check(client.rotatedSecretHash, presented));
  }

  private async check(storedHash: string, presented: string): Promise<boolean> {
    const digest = createHmac('sha256', this.memoKey).update(presented, 'utf8').digest();
    const remembered = this.memo.get(storedHash);
    if (remembered && timingSafeEqual(remembered, digest)) return true;
    if (!(await this.verifyHash(storedHash, presented))) return false;
    if (this.memo.size >= MAX_MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value!);
    this.memo.set(storedHash, digest);
    return true;
  }
}
