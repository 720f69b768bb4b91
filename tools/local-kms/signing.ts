/**
 * Sign as KMS does, for the algorithms of the key specs this endpoint makes.
 *
 * - RSASSA_PKCS1_V1_5_*: plain PKCS#1 v1.5 signatures.
 * - RSASSA_PSS_*: MGF1 with the same hash, salt length = digest length
 *   (KMS documents PSS as "salt length equal to the length of the hash").
 * - ECDSA_*: DER-encoded `SEQUENCE { r INTEGER, s INTEGER }`, as KMS returns.
 *
 * MessageType RAW hashes the message here, so OpenSSL (node:crypto) does all the work.
 * MessageType DIGEST means the caller already hashed it (lib/signing/kmsSigner.ts always sends
 * DIGEST, with PKCS#1 v1.5 or ECDSA): PKCS#1 v1.5 over a digest is OpenSSL's raw private-key
 * operation on DigestInfo; node:crypto cannot sign a given digest with ECDSA
 * (`crypto.sign(null, digest, ecKey)` hashes it again), so the curve arithmetic comes from
 * @noble/curves (audited, constant-time). PSS over a DIGEST is not offered: the product never
 * asks for it, and it would take hand-written padding code.
 */
import { constants, privateEncrypt, sign as nodeSign, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

import { KmsError } from './errors.js';
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

/** The curve of each EC key spec, as @noble/curves implements it. */
const CURVES = { ECC_NIST_P256: p256, ECC_NIST_P384: p384, ECC_NIST_P521: p521, ECC_SECG_P256K1: secp256k1 } as const;

export type MessageType = 'RAW' | 'DIGEST';

export function signMessage(algorithm: SigningAlgorithm, keySpec: AsymmetricKeySpec, privateKey: KeyObject, message: Buffer, messageType: MessageType): Buffer {
  const info = SIGNING_ALGORITHMS[algorithm];
  if (messageType === 'RAW') return nodeSign(info.hash, message, { ...nodeOptions(info), key: privateKey });

  switch (info.scheme) {
    case 'pkcs1':
      // RSA "private encrypt" with type-1 padding over DigestInfo is exactly
      // an RSASSA-PKCS1-v1_5 signature of the digest (RFC 8017 §9.2).
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_PREFIX[info.hash], message]));
    case 'pss':
      throw new KmsError('UnsupportedOperationException', `MessageType DIGEST with ${algorithm} (not supported by the local KMS endpoint)`);
    case 'ecdsa': {
      const curve = CURVES[keySpec as keyof typeof CURVES];
      const secret = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
      // KMS signs the digest as given (no second hash) and returns DER; its signatures are not low-S normalised.
      return Buffer.from(curve.sign(message, secret, { prehash: false, lowS: false, format: 'der' }));
    }
  }
}

function nodeOptions(info: AlgorithmInfo) {
  if (info.scheme === 'pss') return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: info.digestLength };
  if (info.scheme === 'pkcs1') return { padding: constants.RSA_PKCS1_PADDING };
  return { dsaEncoding: 'der' as const };
}

/** DER prefix of DigestInfo { AlgorithmIdentifier(hash, NULL), OCTET STRING digest } (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: Record<Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};
