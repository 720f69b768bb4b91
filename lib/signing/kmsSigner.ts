import { createHash } from 'node:crypto';
import { type KMSClient, SignCommand, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import type { SignatureAlgorithm } from '../model/stored.js';
import { ecdsaDerToJose, signingInput, type JwtSigner } from './signer.js';

const KMS_ALGORITHM: Record<SignatureAlgorithm, SigningAlgorithmSpec> = {
  RS256: 'RSASSA_PKCS1_V1_5_SHA_256',
  ES256: 'ECDSA_SHA_256',
};

/**
 * Signs every token with one kms:Sign; the private key never leaves KMS.
 *
 * The digest is computed here and sent with MessageType DIGEST: KMS refuses RAW messages over
 * 4096 bytes, and a token with many roles can exceed that.
 */
export class KmsSigner implements JwtSigner {
  constructor(
    private readonly kms: KMSClient,
    private readonly kmsKeyId: string,
    readonly kid: string,
    readonly alg: SignatureAlgorithm,
  ) {}

  async sign(payload: Record<string, unknown>, payloadJson?: string): Promise<string> {
    const input = signingInput(this.alg, this.kid, payload, payloadJson);
    const digest = createHash('sha256').update(input, 'utf8').digest();
    const out = await this.kms.send(
      new SignCommand({ KeyId: this.kmsKeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: KMS_ALGORITHM[this.alg] }),
    );
    if (!out.Signature) throw new Error('KMS returned no signature');
    const signature = this.alg === 'ES256' ? ecdsaDerToJose(out.Signature) : Buffer.from(out.Signature);
    return `${input}.${signature.toString('base64url')}`;
  }
}
