/**
 * Sign/Verify primitives matching KMS output formats.
 *
 * - RSASSA_PKCS1_V1_5_*: plain PKCS#1 v1.5 signatures.
 * - RSASSA_PSS_*: MGF1 with the same hash, salt length = digest length
 *   (KMS documents PSS as "salt length equal to the length of the hash").
 * - ECDSA_*: DER-encoded `SEQUENCE { r INTEGER, s INTEGER }`, as KMS returns.
 *
 * MessageType RAW hashes the message here, so OpenSSL (node:crypto sign/verify)
 * does all the work. MessageType DIGEST means the caller already hashed the
 * message, and node:crypto has no "sign this pre-computed digest" API for
 * RSA-PSS or ECDSA, so those paths implement the padding / curve arithmetic
 * directly (RFC 8017 EMSA-PSS, SEC 1 ECDSA) on top of raw RSA and BigInt math.
 * This is a local emulator: the BigInt code is not constant-time.
 */
import {
  constants,
  createHash,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  sign as nodeSign,
  timingSafeEqual,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';

import type { AsymmetricKeySpec } from './keystore.js';

export type SigningAlgorithm =
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'ECDSA_SHA_512';

type Hash = 'sha256' | 'sha384' | 'sha512';

interface AlgorithmInfo {
  scheme: 'pkcs1' | 'pss' | 'ecdsa';
  hash: Hash;
  /** Bytes; a DIGEST message must be exactly this long. */
  digestLength: number;
}

export const SIGNING_ALGORITHMS: Record<SigningAlgorithm, AlgorithmInfo> = {
  RSASSA_PSS_SHA_256: { scheme: 'pss', hash: 'sha256', digestLength: 32 },
  RSASSA_PSS_SHA_384: { scheme: 'pss', hash: 'sha384', digestLength: 48 },
  RSASSA_PSS_SHA_512: { scheme: 'pss', hash: 'sha512', digestLength: 64 },
  RSASSA_PKCS1_V1_5_SHA_256: { scheme: 'pkcs1', hash: 'sha256', digestLength: 32 },
  RSASSA_PKCS1_V1_5_SHA_384: { scheme: 'pkcs1', hash: 'sha384', digestLength: 48 },
  RSASSA_PKCS1_V1_5_SHA_512: { scheme: 'pkcs1', hash: 'sha512', digestLength: 64 },
  ECDSA_SHA_256: { scheme: 'ecdsa', hash: 'sha256', digestLength: 32 },
  ECDSA_SHA_384: { scheme: 'ecdsa', hash: 'sha384', digestLength: 48 },
  ECDSA_SHA_512: { scheme: 'ecdsa', hash: 'sha512', digestLength: 64 },
};

const RSA_ALGORITHMS: SigningAlgorithm[] = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

/**
 * Signing algorithms KMS allows per key spec (KMS pairs each NIST curve with
 * exactly one hash; secp256k1 uses SHA-256).
 */
export const SIGNING_ALGORITHMS_BY_SPEC: Record<AsymmetricKeySpec, SigningAlgorithm[]> = {
  RSA_2048: RSA_ALGORITHMS,
  RSA_3072: RSA_ALGORITHMS,
  RSA_4096: RSA_ALGORITHMS,
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
  ECC_SECG_P256K1: ['ECDSA_SHA_256'],
};

export type MessageType = 'RAW' | 'DIGEST';

export function signMessage(algorithm: SigningAlgorithm, privateKey: KeyObject, message: Buffer, messageType: MessageType): Buffer {
  const info = SIGNING_ALGORITHMS[algorithm];
  if (messageType === 'RAW') return nodeSign(info.hash, message, { ...nodeOptions(info), key: privateKey });

  switch (info.scheme) {
    case 'pkcs1':
      // RSA "private encrypt" with type-1 padding over DigestInfo is exactly
      // an RSASSA-PKCS1-v1_5 signature of the digest.
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_PREFIX[info.hash], message]));
    case 'pss': {
      const modBits = rsaModulusBits(privateKey);
      const em = emsaPssEncode(message, modBits - 1, info.hash);
      return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, leftPad(em, Math.ceil(modBits / 8)));
    }
    case 'ecdsa':
      return ecdsaSignDigest(privateKey, message);
  }
}

/** Returns false for any invalid or malformed signature (never throws for bad input). */
export function verifyMessage(
  algorithm: SigningAlgorithm,
  publicKey: KeyObject,
  message: Buffer,
  messageType: MessageType,
  signature: Buffer,
): boolean {
  const info = SIGNING_ALGORITHMS[algorithm];
  try {
    if (messageType === 'RAW') return nodeVerify(info.hash, message, { ...nodeOptions(info), key: publicKey }, signature);

    switch (info.scheme) {
      case 'pkcs1': {
        const k = Math.ceil(rsaModulusBits(publicKey) / 8);
        if (signature.length !== k) return false;
        const decoded = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
        return constantTimeEqual(decoded, Buffer.concat([DIGEST_INFO_PREFIX[info.hash], message]));
      }
      case 'pss': {
        const modBits = rsaModulusBits(publicKey);
        const k = Math.ceil(modBits / 8);
        if (signature.length !== k) return false;
        const em = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
        return emsaPssVerify(message, em, modBits - 1, info.hash);
      }
      case 'ecdsa':
        return ecdsaVerifyDigest(publicKey, message, signature);
    }
  } catch {
    // OpenSSL rejects out-of-range / malformed signatures by throwing.
    return false;
  }
}

function nodeOptions(info: AlgorithmInfo) {
  if (info.scheme === 'pss') return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: info.digestLength };
  if (info.scheme === 'pkcs1') return { padding: constants.RSA_PKCS1_PADDING };
  return { dsaEncoding: 'der' as const };
}

// ---------------------------------------------------------------------------
// RSA helpers (RFC 8017)
// ---------------------------------------------------------------------------

/** DER prefix of DigestInfo { AlgorithmIdentifier(hash, NULL), OCTET STRING digest }. */
const DIGEST_INFO_PREFIX: Record<Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

function rsaModulusBits(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new Error('not an RSA key');
  return bits;
}

function mgf1(seed: Buffer, length: number, hash: Hash): Buffer {
  const blocks: Buffer[] = [];
  let total = 0;
  for (let counter = 0; total < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(seed).update(c).digest();
    blocks.push(block);
    total += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with sLen = hLen. */
function emsaPssEncode(mHash: Buffer, emBits: number, hash: Hash): Buffer {
  const hLen = mHash.length;
  const sLen = hLen;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + sLen + 2) throw new Error('RSA modulus too small for PSS');
  const salt = randomBytes(sLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.alloc(emLen - hLen - 1); // PS (zeros) || 0x01 || salt
  db[emLen - sLen - hLen - 2] = 0x01;
  salt.copy(db, db.length - sLen);
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen. `em` is the k-byte RSA output. */
function emsaPssVerify(mHash: Buffer, rsaOutput: Buffer, emBits: number, hash: Hash): boolean {
  const hLen = mHash.length;
  const sLen = hLen;
  const emLen = Math.ceil(emBits / 8);
  // The RSA output is k bytes; when emLen < k the extra leading byte must be 0.
  const extra = rsaOutput.length - emLen;
  if (extra < 0 || rsaOutput.subarray(0, extra).some((b) => b !== 0)) return false;
  const em = rsaOutput.subarray(extra);
  if (emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return false;
  const mask = mgf1(h, maskedDb.length, hash);
  const db = Buffer.alloc(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = maskedDb[i]! ^ mask[i]!;
  db[0]! &= topMask;
  const psLength = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLength; i++) if (db[i] !== 0) return false;
  if (db[psLength] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  const expected = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return constantTimeEqual(h, expected);
}

// ---------------------------------------------------------------------------
// ECDSA over a pre-computed digest (SEC 1 v2 §4.1), Jacobian coordinates
// ---------------------------------------------------------------------------

interface Curve {
  p: bigint;
  a: bigint;
  n: bigint;
  g: Point;
}
/** Jacobian point (X/Z², Y/Z³); null is the point at infinity. */
type Point = { x: bigint; y: bigint; z: bigint } | null;

function defineCurve(p: bigint, a: bigint, n: string, gx: string, gy: string): Curve {
  return { p, a, n: BigInt(`0x${n}`), g: { x: BigInt(`0x${gx}`), y: BigInt(`0x${gy}`), z: 1n } };
}

const P256 = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const P384 = 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n;
const P521 = 2n ** 521n - 1n;
const SECP256K1 = 2n ** 256n - 2n ** 32n - 977n;

/**
 * Domain parameters (FIPS 186-4 D.1.2, SEC 2 §2.4.1), keyed by the OpenSSL
 * curve name that KeyObject.asymmetricKeyDetails.namedCurve reports.
 * The NIST curves all use a = -3.
 */
const CURVES: Record<string, Curve> = {
  prime256v1: defineCurve(
    P256,
    P256 - 3n,
    'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
    '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296',
    '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
  ),
  secp384r1: defineCurve(
    P384,
    P384 - 3n,
    'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    'aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7',
    '3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f',
  ),
  secp521r1: defineCurve(
    P521,
    P521 - 3n,
    '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
    '00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66',
    '011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650',
  ),
  secp256k1: defineCurve(
    SECP256K1,
    0n,
    'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141',
    '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
    '483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8',
  ),
};

function curveOf(key: KeyObject): Curve {
  const name = key.asymmetricKeyDetails?.namedCurve;
  const curve = name ? CURVES[name] : undefined;
  if (!curve) throw new Error(`unsupported EC curve ${name}`);
  return curve;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Modular inverse via the extended Euclidean algorithm (m prime, a ≠ 0 mod m). */
function invert(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return mod(s0, m);
}

function pointDouble(P: Point, c: Curve): Point {
  if (!P || P.y === 0n) return null;
  const { p } = c;
  const yy = mod(P.y * P.y, p);
  const zz = mod(P.z * P.z, p);
  const s = mod(4n * P.x * yy, p);
  const m = mod(3n * P.x * P.x + c.a * zz * zz, p);
  const x = mod(m * m - 2n * s, p);
  return { x, y: mod(m * (s - x) - 8n * yy * yy, p), z: mod(2n * P.y * P.z, p) };
}

function pointAdd(P: Point, Q: Point, c: Curve): Point {
  if (!P) return Q;
  if (!Q) return P;
  const { p } = c;
  const z1z1 = mod(P.z * P.z, p);
  const z2z2 = mod(Q.z * Q.z, p);
  const u1 = mod(P.x * z2z2, p);
  const u2 = mod(Q.x * z1z1, p);
  const s1 = mod(P.y * Q.z * z2z2, p);
  const s2 = mod(Q.y * P.z * z1z1, p);
  if (u1 === u2) return s1 === s2 ? pointDouble(P, c) : null;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = mod(h * h, p);
  const hhh = mod(hh * h, p);
  const v = mod(u1 * hh, p);
  const x = mod(r * r - hhh - 2n * v, p);
  return { x, y: mod(r * (v - x) - s1 * hhh, p), z: mod(h * P.z * Q.z, p) };
}

function pointMultiply(k: bigint, P: Point, c: Curve): Point {
  let result: Point = null;
  for (let i = k.toString(2).length - 1; i >= 0; i--) {
    result = pointDouble(result, c);
    if ((k >> BigInt(i)) & 1n) result = pointAdd(result, P, c);
  }
  return result;
}

function affineX(P: NonNullable<Point>, c: Curve): bigint {
  const zInv = invert(P.z, c.p);
  return mod(P.x * zInv * zInv, c.p);
}

function bufferToBigInt(buf: Buffer): bigint {
  return buf.length === 0 ? 0n : BigInt(`0x${buf.toString('hex')}`);
}

function jwkInt(value: string | undefined): bigint {
  if (!value) throw new Error('missing JWK component');
  return bufferToBigInt(Buffer.from(value, 'base64url'));
}

/** SEC 1 §4.1.3 step 5: use the leftmost bitlen(n) bits of the digest. */
function digestToInt(digest: Buffer, c: Curve): bigint {
  const nBits = c.n.toString(2).length;
  const e = bufferToBigInt(digest);
  const excess = digest.length * 8 - nBits;
  return excess > 0 ? e >> BigInt(excess) : e;
}

function ecdsaSignDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const c = curveOf(privateKey);
  const d = jwkInt(privateKey.export({ format: 'jwk' }).d);
  const e = digestToInt(digest, c);
  const nBytes = Math.ceil(c.n.toString(2).length / 8);
  for (;;) {
    // 64 extra bits make the modular reduction bias negligible.
    const k = mod(bufferToBigInt(randomBytes(nBytes + 8)), c.n - 1n) + 1n;
    const R = pointMultiply(k, c.g, c);
    if (!R) continue;
    const r = mod(affineX(R, c), c.n);
    if (r === 0n) continue;
    const s = mod(invert(k, c.n) * (e + r * d), c.n);
    if (s === 0n) continue;
    return derEncodeSignature(r, s);
  }
}

function ecdsaVerifyDigest(publicKey: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const c = curveOf(publicKey);
  const sig = derDecodeSignature(signature);
  if (!sig) return false;
  const { r, s } = sig;
  if (r < 1n || r >= c.n || s < 1n || s >= c.n) return false;
  const jwk = publicKey.export({ format: 'jwk' });
  const Q: Point = { x: jwkInt(jwk.x), y: jwkInt(jwk.y), z: 1n };
  const w = invert(s, c.n);
  const u1 = mod(digestToInt(digest, c) * w, c.n);
  const u2 = mod(r * w, c.n);
  const X = pointAdd(pointMultiply(u1, c.g, c), pointMultiply(u2, Q, c), c);
  if (!X) return false;
  return mod(affineX(X, c), c.n) === r;
}

// ---------------------------------------------------------------------------
// DER for ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
// ---------------------------------------------------------------------------

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  return Buffer.from([0x82, length >> 8, length & 0xff]);
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]); // keep it positive
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes]);
}

function derEncodeSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** Strict DER decoder; returns undefined for anything that is not a canonical ECDSA-Sig-Value. */
function derDecodeSignature(buf: Buffer): { r: bigint; s: bigint } | undefined {
  let pos = 0;
  const fail = (): never => {
    throw new Error('bad DER');
  };
  const readLength = (): number => {
    const first = buf[pos++] ?? fail();
    if (first < 0x80) return first;
    if (first === 0x81) {
      const len = buf[pos++] ?? fail();
      return len < 0x80 ? fail() : len; // long form only when needed
    }
    return fail(); // ECDSA signatures never need more than one length byte
  };
  const readInteger = (): bigint => {
    if (buf[pos++] !== 0x02) fail();
    const len = readLength();
    if (len === 0 || pos + len > buf.length) fail();
    const bytes = buf.subarray(pos, pos + len);
    pos += len;
    if (bytes[0]! & 0x80) fail(); // negative
    if (len > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) fail(); // non-minimal
    return bufferToBigInt(bytes);
  };
  try {
    if (buf[pos++] !== 0x30) fail();
    const seqLength = readLength();
    if (pos + seqLength !== buf.length) fail();
    const r = readInteger();
    const s = readInteger();
    if (pos !== buf.length) fail();
    return { r, s };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------

function leftPad(buf: Buffer, length: number): Buffer {
  return buf.length >= length ? buf : Buffer.concat([Buffer.alloc(length - buf.length), buf]);
}

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
