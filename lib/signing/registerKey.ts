import { GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { ClientsTable } from '../store/clientsTable.js';
import type { SignatureAlgorithm, SigningKeyRecord } from '../store/model.js';
import { jwkFromSpki } from './jwks.js';

const ALG_FOR_KEY_SPEC: Record<string, SignatureAlgorithm> = { RSA_2048: 'RS256', ECC_NIST_P256: 'ES256' };

/**
 * Makes a KMS key a signing key of a realm: reads its public key once (kms:GetPublicKey) and
 * stores it with the realm, so no Lambda ever calls GetPublicKey on the request path.
 * Other keys of the same algorithm become passive: still published, no longer used to sign.
 */
export async function registerKmsKey(
  kms: KMSClient,
  table: ClientsTable,
  realm: string,
  kmsKeyId: string,
  now = Math.floor(Date.now() / 1000),
): Promise<SigningKeyRecord> {
  const out = await kms.send(new GetPublicKeyCommand({ KeyId: kmsKeyId }));
  const alg = ALG_FOR_KEY_SPEC[out.KeySpec ?? ''];
  if (!alg || !out.PublicKey || out.KeyUsage !== 'SIGN_VERIFY') {
    throw new Error(`KMS key ${kmsKeyId} is not an RSA_2048 or ECC_NIST_P256 signing key`);
  }
  const { kid, jwk } = await jwkFromSpki(out.PublicKey);
  const existing = (await table.listRealmItems(realm, 'META#KEY#')).flatMap((item) => (item.kind === 'key' ? [item] : []));
  for (const key of existing) {
    if (key.kid !== kid && key.alg === alg && key.status === 'active') {
      await table.putItem(realm, { ...key, status: 'passive' });
    }
  }
  const record: SigningKeyRecord = {
    kid,
    alg,
    status: 'active',
    provider: 'kms',
    kmsKeyId: out.KeyId ?? kmsKeyId,
    publicJwk: jwk,
    createdAt: existing.find((key) => key.kid === kid)?.createdAt ?? now,
  };
  await table.putItem(realm, { kind: 'key', ...record });
  return record;
}
