import type { SignatureAlgorithm } from '../model/stored.js';
import { BoundedMap } from '../cache.js';

/** Signs JWTs (JWS compact serialisation, RFC 7515 §7.1) with one key. */
export interface JwtSigner {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  /** `payloadJson`, when the caller has it, is exactly `JSON.stringify(payload)` (lib/tokens/mappedClaims.ts makes it). */
  sign(payload: Record<string, unknown>, payloadJson?: string): Promise<string>;
}

/** The JWS signing input `base64url(header) "." base64url(payload)`, with Keycloak's header fields. */
export function signingInput(alg: SignatureAlgorithm, kid: string, payload: Record<string, unknown>, payloadJson = JSON.stringify(payload)): string {
  return `${encodedHeader(alg, kid)}.${b64url(payloadJson)}`;
}

/** A key's header never changes: encoded once per key and container, not per token. */
const headers = new BoundedMap<string, string>(1000);
function encodedHeader(alg: SignatureAlgorithm, kid: string): string {
  const cacheKey = `${alg}.${kid}`;
  let header = headers.get(cacheKey);
  if (header === undefined) {
    header = b64url(JSON.stringify({ alg, typ: 'JWT', kid }));
    headers.set(cacheKey, header);
  }
  return header;
}

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * KMS (and OpenSSL) return ECDSA signatures DER-encoded (`SEQUENCE { INTEGER r, INTEGER s }`);
 * JWS wants the fixed-width concatenation r || s (RFC 7518 §3.4).
 */
export function ecdsaDerToJose(der: Uint8Array, size = 32): Buffer {
  const bytes = Buffer.from(der);
  let offset = 0;
  const expect = (tag: number) => {
    if (bytes[offset++] !== tag) throw new Error('malformed ECDSA signature');
  };
  const readLength = () => {
    let length = bytes[offset++]!;
    if (length & 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = (length << 8) | bytes[offset++]!;
    }
    return length;
  };
  const readInteger = () => {
    expect(0x02);
    const length = readLength();
    let value = bytes.subarray(offset, offset + length);
    offset += length;
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) throw new Error('malformed ECDSA signature');
    return Buffer.concat([Buffer.alloc(size - value.length), value]);
  };
  expect(0x30);
  readLength();
  return Buffer.concat([readInteger(), readInteger()]);
}
