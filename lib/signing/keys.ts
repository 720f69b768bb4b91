import {
  CreateKeyCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GetPublicKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import type { ClientsTable } from '../store/clientsTable.js';
import type { SignatureAlgorithm, SigningKeyRecord, SigningMode } from '../model/stored.js';
import { encryptionContext } from '../kms/wrappedKey.js';
import { signingKeyOwner } from './envelopeSigner.js';
import { jwkFromSpki } from './jwks.js';

const KEY_SPEC: Record<SignatureAlgorithm, 'RSA_2048' | 'ECC_NIST_P256'> = { RS256: 'RSA_2048', ES256: 'ECC_NIST_P256' };
const ALG_FOR_KEY_SPEC: Record<string, SignatureAlgorithm> = { RSA_2048: 'RS256', ECC_NIST_P256: 'ES256' };

export interface NewKeyOptions {
  alg: SignatureAlgorithm;
  mode: SigningMode;
  /** `kms` mode: use this existing KMS signing key (id, ARN or alias) instead of creating one. */
  kmsKeyId?: string;
  /** `envelope` mode: the symmetric KMS key that wraps the private key. */
  wrappingKeyId?: string;
  /**
   * How long the key this one replaces stays published: at least the longest access-token
   * lifetime, so every token it signed still verifies until it expires.
   */
  retainPreviousFor: number;
  now: number;
}

/**
 * Makes a new active signing key for a realm and demotes the previous active key of the same
 * algorithm to passive (still in the JWKS until `retireAt`, no longer signing). Either mode stores
 * the public key with the realm, so no request ever calls kms:GetPublicKey.
 */
export async function createSigningKey(kms: KMSClient, table: ClientsTable, realm: string, options: NewKeyOptions): Promise<SigningKeyRecord> {
  const material = options.mode === 'envelope' ? await envelopeKeyMaterial(kms, realm, options) : await kmsKeyMaterial(kms, options);
  const existing = await table.listSigningKeys(realm);
  for (const key of existing) {
    if (key.kid !== material.kid && key.alg === options.alg && key.status === 'active') {
      await table.putItem(realm, { kind: 'key', ...key, status: 'passive', retireAt: options.now + options.retainPreviousFor });
    }
  }
  const record: SigningKeyRecord = { ...material, alg: options.alg, status: 'active', createdAt: existing.find((key) => key.kid === material.kid)?.createdAt ?? options.now };
  await table.putItem(realm, { kind: 'key', ...record });
  return record;
}

type KeyMaterial = Pick<SigningKeyRecord, 'kid' | 'provider' | 'kmsKeyId' | 'wrappedPrivateKey' | 'wrappingKeyId' | 'publicJwk'>;

async function kmsKeyMaterial(kms: KMSClient, options: NewKeyOptions): Promise<KeyMaterial> {
  let keyId = options.kmsKeyId;
  if (!keyId) {
    const created = await kms.send(new CreateKeyCommand({ KeySpec: KEY_SPEC[options.alg], KeyUsage: 'SIGN_VERIFY', Description: `token signing key (${options.alg})` }));
    keyId = created.KeyMetadata!.Arn!;
  }
  const out = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (ALG_FOR_KEY_SPEC[out.KeySpec ?? ''] !== options.alg || !out.PublicKey || out.KeyUsage !== 'SIGN_VERIFY') {
    throw new Error(`KMS key ${keyId} is not a ${KEY_SPEC[options.alg]} signing key`);
  }
  const { kid, jwk } = await jwkFromSpki(out.PublicKey);
  return { kid, provider: 'kms', kmsKeyId: out.KeyId ?? keyId, publicJwk: jwk };
}

async function envelopeKeyMaterial(kms: KMSClient, realm: string, options: NewKeyOptions): Promise<KeyMaterial> {
  if (!options.wrappingKeyId) throw new Error('envelope signing needs the stage secrets key (SECRETS_KEY_ID)');
  // The wrapped key is bound to its realm by the encryption context: it cannot be unwrapped for
  // another realm or as another kind of secret.
  const generated = await kms.send(
    new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: options.wrappingKeyId, KeyPairSpec: KEY_SPEC[options.alg], EncryptionContext: encryptionContext(signingKeyOwner(realm)) }),
  );
  const { kid, jwk } = await jwkFromSpki(generated.PublicKey!);
  return {
    kid,
    provider: 'envelope',
    wrappedPrivateKey: Buffer.from(generated.PrivateKeyCiphertextBlob!).toString('base64'),
    wrappingKeyId: generated.KeyId ?? options.wrappingKeyId,
    publicJwk: jwk,
  };
}

