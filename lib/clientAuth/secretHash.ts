import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Client secrets are never stored in clear (Keycloak stores them in clear; its users have asked
 * for hashing for years: keycloak#15567, #42516).
 *
 * - A secret this service generated has at least 256 bits from a CSPRNG, so one SHA-256 is
 *   enough: it cannot be guessed, only stolen, and a hash cannot be replayed as the secret.
 *   Stored as `sha256$<base64url digest>`.
 * - A secret chosen by a person or imported from Keycloak may be weak, so it gets scrypt
 *   (memory-hard) with its parameters in the stored string:
 *   `scrypt$<N>$<r>$<p>$<base64url salt>$<base64url key>`.
 */

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 } as const;

function scrypt(secret: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(secret, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new client secret: 256 bits from the CSPRNG, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashGeneratedSecret(secret: string): string {
  return `sha256$${createHash('sha256').update(secret, 'utf8').digest('base64url')}`;
}

export async function hashChosenSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, SCRYPT.keyLength, scryptOptions(SCRYPT.N, SCRYPT.r, SCRYPT.p));
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Compares a presented secret with a stored hash in constant time. A malformed stored hash never verifies. */
export async function verifySecret(stored: string, presented: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] === 'sha256' && parts.length === 2) {
    const expected = Buffer.from(parts[1]!, 'base64url');
    const actual = createHash('sha256').update(presented, 'utf8').digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  if (parts[0] === 'scrypt' && parts.length === 6) {
    const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
    const expected = Buffer.from(key, 'base64url');
    const actual = await scrypt(presented, Buffer.from(salt, 'base64url'), expected.length, scryptOptions(+n, +r, +p));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  return false;
}

/**
 * A stored hash with the cost of a chosen secret, for clients that do not exist: verifying
 * against it costs the same work as a real client, so response time does not reveal which
 * client ids exist.
 */
export const UNKNOWN_CLIENT_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

function scryptOptions(N: number, r: number, p: number): ScryptOptions {
  // Node's default maxmem (32 MiB) is exactly 128*N*r for N=2^15, r=8; leave headroom.
  return { N, r, p, maxmem: 256 * N * r };
}
