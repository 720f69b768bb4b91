import { createHash, createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Client secrets are never stored in clear (Keycloak stores them in clear; its users have asked
 * for hashing for years: keycloak#15567, #42516).
 *
 * - `hmac$<base64url>`: HMAC-SHA256 of the client id and the secret, keyed with the realm's
 *   pepper, a 256-bit key that KMS generated and that is stored only wrapped under the stage's
 *   secrets key (lib/clientAuth/secretPepper.ts). Used for every secret a person chose or that was
 *   imported from Keycloak, which may be weak: a copy of the clients table alone gives nothing to
 *   guess against, since each guess needs the pepper, which only KMS releases. One HMAC is as
 *   cheap as a success, so a failed guess costs no more CPU than a token (no amplification), and
 *   the client id in the MAC keeps a hash copied onto another client from verifying there.
 * - `sha256$<base64url>`: a secret this service generated (256 bits from a CSPRNG): it cannot be
 *   guessed, only stolen, so one SHA-256 is enough and needs no key.
 * - `scrypt$<N>$<r>$<p>$<salt>$<key>`: the earlier format for chosen secrets, still verified.
 *   scrypt costs ≈ 100 ms of CPU a try, so a legacy hash is rewritten as `hmac$` the first time
 *   its secret verifies (lib/clientAuth/secretVerifier.ts).
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

/** A chosen or imported secret, keyed with the realm's pepper and bound to its client. */
export function hashWithPepper(pepper: Buffer, clientId: string, secret: string): string {
  return `hmac$${pepperedDigest(pepper, clientId, secret).toString('base64url')}`;
}

function pepperedDigest(pepper: Buffer, clientId: string, secret: string): Buffer {
  // The NUL cannot occur in a client id, so (id, secret) pairs never collide.
  return createHmac('sha256', pepper).update(`${clientId}\u0000${secret}`, 'utf8').digest();
}

/** The earlier format for chosen secrets (scrypt); kept for tools that hash without KMS. */
export async function hashChosenSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, SCRYPT.keyLength, scryptOptions(SCRYPT.N, SCRYPT.r, SCRYPT.p));
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export type HashFormat = 'hmac' | 'sha256' | 'scrypt' | 'unknown';

export function hashFormat(stored: string): HashFormat {
  const kind = stored.slice(0, stored.indexOf('$'));
  return kind === 'hmac' || kind === 'sha256' || kind === 'scrypt' ? kind : 'unknown';
}

/** What verifying needs besides the stored hash: the realm's pepper (if it has one) and the client id. */
export interface HashKey {
  pepper?: Buffer;
  clientId: string;
}

/** Compares a presented secret with a stored hash in constant time. A malformed stored hash never verifies. */
export async function verifySecret(stored: string, presented: string, key: HashKey = { clientId: '' }): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] === 'hmac' && parts.length === 2) {
    if (!key.pepper) return false;
    return sameBytes(Buffer.from(parts[1]!, 'base64url'), pepperedDigest(key.pepper, key.clientId, presented));
  }
  if (parts[0] === 'sha256' && parts.length === 2) {
    return sameBytes(Buffer.from(parts[1]!, 'base64url'), createHash('sha256').update(presented, 'utf8').digest());
  }
  if (parts[0] === 'scrypt' && parts.length === 6) {
    const [, n, r, p, salt, expected] = parts as [string, string, string, string, string, string];
    const expectedKey = Buffer.from(expected, 'base64url');
    const actual = await scrypt(presented, Buffer.from(salt, 'base64url'), expectedKey.length, scryptOptions(+n, +r, +p));
    return sameBytes(expectedKey, actual);
  }
  return false;
}

/**
 * The work a failure does when there is no stored hash to check (unknown client, disabled or
 * secret-less client): the same one HMAC a real `hmac$` check does, so neither the answer nor its
 * time says whether the client exists.
 */
export function verifyNothing(key: HashKey, presented: string): false {
  sameBytes(Buffer.alloc(32), pepperedDigest(key.pepper ?? UNKNOWN_PEPPER, key.clientId, presented));
  return false;
}

/** Stands in for a realm without a pepper: a key nobody holds, so the work is real and proves nothing. */
const UNKNOWN_PEPPER = randomBytes(32);

function sameBytes(expected: Buffer, actual: Buffer): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function scryptOptions(N: number, r: number, p: number): ScryptOptions {
  // Node's default maxmem (32 MiB) is exactly 128*N*r for N=2^15, r=8; leave headroom.
  return { N, r, p, maxmem: 256 * N * r };
}
