/**
 * The KMS operations the product calls (lib/, infra/seed.ts, scripts/), as a dispatch table
 * `X-Amz-Target: TrentService.<Operation>` → handler. Nothing more: an operation nobody here
 * calls is UnknownOperationException, as a typo would be.
 *
 * Request/response member names follow the KMS API reference exactly. Binary
 * members travel as base64 strings; timestamps are epoch seconds (numbers).
 * Handlers validate all input members first (ValidationException /
 * SerializationException), then resolve the key (NotFoundException), then
 * check key usage (InvalidKeyUsageException), which is the order KMS reports them in.
 * Keys are always Enabled: nothing here disables or deletes one.
 */
import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';

import { decryptBlob, encryptBlob, parseBlob } from './ciphertext.js';
import { KmsError } from './errors.js';
import {
  LOCAL_ACCOUNT_ID,
  type AsymmetricKey,
  type AsymmetricKeySpec,
  type KeyStore,
  type KmsKey,
  type SymmetricKey,
} from './keystore.js';
import { SIGNING_ALGORITHMS, SIGNING_ALGORITHMS_BY_SPEC, signMessage, type SigningAlgorithm } from './signing.js';
import * as v from './validation.js';
import type { JsonObject } from './validation.js';

export type Operation = (input: JsonObject, store: KeyStore) => Promise<JsonObject>;

// Enum value sets from the KMS API model; values outside them are ValidationExceptions.
const KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519', 'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2',
  'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024',
] as const;
const CUSTOMER_MASTER_KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2',
] as const;
const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'] as const;
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
const SIGNING_ALGORITHM_SPECS = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512', 'SM2DSA', 'ED25519_SHA_512', 'ED25519_PH_SHA_512', 'ML_DSA_SHAKE_256',
] as const;
const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;
const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
const DATA_KEY_SPECS = ['AES_256', 'AES_128'] as const;
const DATA_KEY_PAIR_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SM2', 'ECC_NIST_EDWARDS25519', 'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024',
] as const;

/** Asymmetric specs this endpoint can generate, with their node:crypto parameters. */
const ASYMMETRIC_KEY_PARAMS: Record<AsymmetricKeySpec, { type: 'rsa'; modulusLength: number } | { type: 'ec'; namedCurve: string }> = {
  RSA_2048: { type: 'rsa', modulusLength: 2048 },
  RSA_3072: { type: 'rsa', modulusLength: 3072 },
  RSA_4096: { type: 'rsa', modulusLength: 4096 },
  ECC_NIST_P256: { type: 'ec', namedCurve: 'P-256' },
  ECC_NIST_P384: { type: 'ec', namedCurve: 'P-384' },
  ECC_NIST_P521: { type: 'ec', namedCurve: 'P-521' },
  ECC_SECG_P256K1: { type: 'ec', namedCurve: 'secp256k1' },
};

const ALIAS_NAME_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/** KMS timestamps are epoch seconds; real responses carry a fractional part too. */
const nowSeconds = (): number => Date.now() / 1000;
const b64 = (buf: Buffer): string => buf.toString('base64');

/** KeyId members accept a key id, key ARN, alias name or alias ARN (1–2048 chars). */
const keyIdArg = (input: JsonObject): string => v.requiredString(input, 'KeyId', { min: 1, max: 2048 });

function isLocalAsymmetricSpec(spec: string): spec is AsymmetricKeySpec {
  return Object.hasOwn(ASYMMETRIC_KEY_PARAMS, spec);
}

function unsupported(message: string): KmsError {
  return new KmsError('UnsupportedOperationException', `${message} (not supported by the local KMS endpoint)`);
}

function generateAsymmetricKeyPair(spec: AsymmetricKeySpec): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const params = ASYMMETRIC_KEY_PARAMS[spec];
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      err ? reject(err) : resolve({ publicKey, privateKey });
    // Async generation keeps the server responsive while RSA-4096 keys are made.
    if (params.type === 'rsa') generateKeyPair('rsa', { modulusLength: params.modulusLength }, done);
    else generateKeyPair('ec', { namedCurve: params.namedCurve }, done);
  });
}

function keyMetadata(store: KeyStore, key: KmsKey): JsonObject {
  return {
    AWSAccountId: LOCAL_ACCOUNT_ID,
    KeyId: key.keyId,
    Arn: store.keyArn(key.keyId),
    CreationDate: key.creationDate,
    Enabled: true,
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec, // deprecated twin of KeySpec; KMS still returns both
    KeySpec: key.keySpec,
    ...algorithmsOf(key),
    MultiRegion: false,
  };
}

/** KMS lists EncryptionAlgorithms only for ENCRYPT_DECRYPT keys and SigningAlgorithms only for SIGN_VERIFY keys. */
function algorithmsOf(key: KmsKey): JsonObject {
  return key.keySpec === 'SYMMETRIC_DEFAULT'
    ? { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }
    : { SigningAlgorithms: SIGNING_ALGORITHMS_BY_SPEC[key.keySpec] };
}

function wrongUsage(store: KeyStore, key: KmsKey, operation: string): KmsError {
  return new KmsError('InvalidKeyUsageException', `${store.keyArn(key.keyId)} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
}

function requireSigningKey(store: KeyStore, key: KmsKey, operation: string): AsymmetricKey {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') throw wrongUsage(store, key, operation);
  return key;
}

function requireSymmetricKey(store: KeyStore, key: KmsKey, operation: string): SymmetricKey {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') throw wrongUsage(store, key, operation);
  return key;
}

/** Only SYMMETRIC_DEFAULT applies to symmetric keys; asking for another algorithm is a key-usage error in KMS. */
function requireSymmetricAlgorithm(algorithm: string): void {
  if (algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec SYMMETRIC_DEFAULT.`);
  }
}

/** Key usages KMS allows for each key spec (CreateKey rejects other combinations). */
function kmsAllowedUsages(spec: string): readonly string[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec.startsWith('HMAC_')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('ML_KEM_')) return ['ENCAPSULATE_DECAPSULATE'];
  if (spec === 'SM2') return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'];
  if (spec.startsWith('ECC_NIST_P')) return ['SIGN_VERIFY', 'KEY_AGREEMENT'];
  return ['SIGN_VERIFY']; // ECC_SECG_P256K1, ECC_NIST_EDWARDS25519, ML_DSA_*
}

/**
 * Sign's input. KMS caps Message at 4096 bytes and, for MessageType DIGEST, requires exactly
 * the digest length of the algorithm.
 */
function signingRequest(input: JsonObject, store: KeyStore) {
  const keyId = keyIdArg(input);
  const message = v.requiredBlob(input, 'Message', { min: 1, max: 4096 });
  const algorithm = v.requiredEnum(input, 'SigningAlgorithm', SIGNING_ALGORITHM_SPECS);
  const messageType = v.optionalEnum(input, 'MessageType', MESSAGE_TYPES) ?? 'RAW';

  const key = requireSigningKey(store, store.resolveKey(keyId), 'Sign');
  if (!(SIGNING_ALGORITHMS_BY_SPEC[key.keySpec] as readonly string[]).includes(algorithm)) {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
  const signingAlgorithm = algorithm as SigningAlgorithm;
  if (messageType === 'EXTERNAL_MU') {
    throw new KmsError('ValidationException', 'MessageType EXTERNAL_MU is only valid for ML_DSA keys.');
  }
  if (messageType === 'DIGEST' && message.length !== SIGNING_ALGORITHMS[signingAlgorithm].digestLength) {
    throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
  }
  return { key, message, messageType, signingAlgorithm };
}

/** GenerateDataKey*: exactly one of KeySpec / NumberOfBytes (1–1024). */
function dataKeyLength(input: JsonObject): number {
  const keySpec = v.optionalEnum(input, 'KeySpec', DATA_KEY_SPECS);
  const numberOfBytes = v.optionalInteger(input, 'NumberOfBytes', { min: 1, max: 1024 });
  if ((keySpec === undefined) === (numberOfBytes === undefined)) {
    throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  return numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32);
}

function rejectRecipient(input: JsonObject): void {
  if (input['Recipient'] != null) throw unsupported('Recipient (Nitro Enclaves attestation)');
}

/** AliasName: 1–256 chars of [a-zA-Z0-9:/_-], beginning with "alias/"; "alias/aws/" is reserved for AWS managed keys. */
function aliasNameArg(input: JsonObject): string {
  const name = v.requiredString(input, 'AliasName', { min: 1, max: 256 });
  if (!ALIAS_NAME_PATTERN.test(name)) {
    throw new KmsError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`,
    );
  }
  if (!name.startsWith('alias/') || name === 'alias/') {
    throw new KmsError('InvalidAliasNameException', `Alias must start with the prefix "alias/": ${name}`);
  }
  if (name.startsWith('alias/aws/')) {
    throw new KmsError('InvalidAliasNameException', `Alias names that begin with alias/aws/ are reserved for AWS managed keys: ${name}`);
  }
  return name;
}

// ---------------------------------------------------------------------------
// Key lifecycle
// ---------------------------------------------------------------------------

async function createKey(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const description = v.optionalString(input, 'Description', { max: 8192 }) ?? '';
  const keySpecArg = v.optionalEnum(input, 'KeySpec', KEY_SPECS);
  const legacySpecArg = v.optionalEnum(input, 'CustomerMasterKeySpec', CUSTOMER_MASTER_KEY_SPECS);
  // KMS defaults: a symmetric encryption key.
  const keyUsage = v.optionalEnum(input, 'KeyUsage', KEY_USAGES) ?? 'ENCRYPT_DECRYPT';
  const origin = v.optionalEnum(input, 'Origin', ORIGINS) ?? 'AWS_KMS';
  const multiRegion = v.optionalBoolean(input, 'MultiRegion') ?? false;
  v.optionalString(input, 'Policy', { min: 1, max: 131072 }); // accepted; key policies are not enforced locally

  if (keySpecArg !== undefined && legacySpecArg !== undefined) {
    throw new KmsError('ValidationException', 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const keySpec = keySpecArg ?? legacySpecArg ?? 'SYMMETRIC_DEFAULT';
  if (!kmsAllowedUsages(keySpec).includes(keyUsage)) {
    throw new KmsError('ValidationException', `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}.`);
  }
  if (origin !== 'AWS_KMS') throw unsupported(`Origin ${origin}`);
  if (multiRegion) throw unsupported('Multi-Region keys');

  const base = { keyId: store.newKeyId(), creationDate: nowSeconds(), description };
  let key: KmsKey;
  if (keySpec === 'SYMMETRIC_DEFAULT') {
    key = { ...base, keySpec, keyUsage: 'ENCRYPT_DECRYPT', material: randomBytes(32) };
  } else if (keyUsage === 'SIGN_VERIFY' && isLocalAsymmetricSpec(keySpec)) {
    key = { ...base, keySpec, keyUsage, ...(await generateAsymmetricKeyPair(keySpec)) };
  } else {
    throw unsupported(`KeySpec ${keySpec} with KeyUsage ${keyUsage}`);
  }
  store.addKey(key);
  await store.save();
  return { KeyMetadata: keyMetadata(store, key) };
}

async function describeKey(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const key = store.resolveKey(keyIdArg(input));
  return { KeyMetadata: keyMetadata(store, key) };
}

// ---------------------------------------------------------------------------
// Asymmetric signing
// ---------------------------------------------------------------------------

async function getPublicKey(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const key = store.resolveKey(keyIdArg(input));
  if (key.keySpec === 'SYMMETRIC_DEFAULT') {
    throw new KmsError('UnsupportedOperationException', `${store.keyArn(key.keyId)} is a symmetric key; GetPublicKey requires an asymmetric KMS key.`);
  }
  return {
    KeyId: store.keyArn(key.keyId),
    PublicKey: b64(key.publicKey.export({ type: 'spki', format: 'der' })),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...algorithmsOf(key),
  };
}

async function sign(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const { key, message, messageType, signingAlgorithm } = signingRequest(input, store);
  const signature = signMessage(signingAlgorithm, key.keySpec, key.privateKey, message, messageType);
  return { KeyId: store.keyArn(key.keyId), Signature: b64(signature), SigningAlgorithm: signingAlgorithm };
}

// ---------------------------------------------------------------------------
// Symmetric encryption and data keys
// ---------------------------------------------------------------------------

async function encrypt(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const keyId = keyIdArg(input);
  const plaintext = v.requiredBlob(input, 'Plaintext', { min: 1, max: 4096 });
  const context = v.optionalStringMap(input, 'EncryptionContext');
  const algorithm = v.optionalEnum(input, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const key = requireSymmetricKey(store, store.resolveKey(keyId), 'Encrypt');
  requireSymmetricAlgorithm(algorithm);
  return {
    CiphertextBlob: b64(encryptBlob(key.keyId, key.material, plaintext, context)),
    KeyId: store.keyArn(key.keyId),
    EncryptionAlgorithm: algorithm,
  };
}

/**
 * Symmetric ciphertext names its key, so KeyId is optional. If given, it must
 * identify that same key (IncorrectKeyException otherwise). A wrong or missing
 * EncryptionContext, or any tampering, is InvalidCiphertextException.
 */
async function decrypt(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const blob = v.requiredBlob(input, 'CiphertextBlob', { min: 1, max: 6144 });
  const context = v.optionalStringMap(input, 'EncryptionContext');
  const keyIdRef = v.optionalString(input, 'KeyId', { min: 1, max: 2048 });
  const algorithm = v.optionalEnum(input, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  rejectRecipient(input);

  const requestedKey = keyIdRef !== undefined ? store.resolveKey(keyIdRef) : undefined;
  const { keyId } = parseBlob(blob);
  if (requestedKey && requestedKey.keyId !== keyId) {
    throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
  }
  const found = store.getKeyById(keyId);
  if (!found) throw new KmsError('InvalidCiphertextException', 'The ciphertext refers to a KMS key that does not exist in this local KMS.');
  const key = requireSymmetricKey(store, found, 'Decrypt');
  requireSymmetricAlgorithm(algorithm);
  return {
    KeyId: store.keyArn(key.keyId),
    Plaintext: b64(decryptBlob(blob, key.material, context)),
    EncryptionAlgorithm: algorithm,
  };
}

function makeDataKey(input: JsonObject, store: KeyStore, operation: string) {
  const keyId = keyIdArg(input);
  const context = v.optionalStringMap(input, 'EncryptionContext');
  const length = dataKeyLength(input);
  rejectRecipient(input);
  const key = requireSymmetricKey(store, store.resolveKey(keyId), operation);
  const plaintext = randomBytes(length);
  return { key, plaintext, ciphertext: encryptBlob(key.keyId, key.material, plaintext, context) };
}

async function generateDataKey(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const { key, plaintext, ciphertext } = makeDataKey(input, store, 'GenerateDataKey');
  return { CiphertextBlob: b64(ciphertext), Plaintext: b64(plaintext), KeyId: store.keyArn(key.keyId) };
}

async function generateDataKeyWithoutPlaintext(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const { key, ciphertext } = makeDataKey(input, store, 'GenerateDataKeyWithoutPlaintext');
  return { CiphertextBlob: b64(ciphertext), KeyId: store.keyArn(key.keyId) };
}

/**
 * GenerateDataKeyPairWithoutPlaintext: a fresh key pair whose private key (PKCS#8 DER) is
 * encrypted under the symmetric KeyId, so Decrypt(PrivateKeyCiphertextBlob) returns the
 * PKCS#8 DER bytes (lib/signing/envelopeSigner.ts). PublicKey is DER SubjectPublicKeyInfo.
 */
async function generateDataKeyPairWithoutPlaintext(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const keyId = keyIdArg(input);
  const keyPairSpec = v.requiredEnum(input, 'KeyPairSpec', DATA_KEY_PAIR_SPECS);
  const context = v.optionalStringMap(input, 'EncryptionContext');
  rejectRecipient(input);
  const key = requireSymmetricKey(store, store.resolveKey(keyId), 'GenerateDataKeyPairWithoutPlaintext');
  if (!isLocalAsymmetricSpec(keyPairSpec)) throw unsupported(`KeyPairSpec ${keyPairSpec}`);
  const pair = await generateAsymmetricKeyPair(keyPairSpec);
  const privateKeyDer = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
  return {
    PrivateKeyCiphertextBlob: b64(encryptBlob(key.keyId, key.material, privateKeyDer, context)),
    PublicKey: b64(pair.publicKey.export({ type: 'spki', format: 'der' })),
    KeyId: store.keyArn(key.keyId),
    KeyPairSpec: keyPairSpec,
  };
}

// ---------------------------------------------------------------------------
// Aliases
// ---------------------------------------------------------------------------

/** TargetKeyId must be a key id or key ARN (KMS rejects alias names here). */
function targetKeyArg(input: JsonObject, store: KeyStore): KmsKey {
  return store.resolveKeyIdOrArn(v.requiredString(input, 'TargetKeyId', { min: 1, max: 2048 }), 'TargetKeyId');
}

async function createAlias(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const aliasName = aliasNameArg(input);
  const target = targetKeyArg(input, store);
  if (store.getAlias(aliasName)) {
    throw new KmsError('AlreadyExistsException', `An alias with the name ${store.aliasArn(aliasName)} already exists`);
  }
  const now = nowSeconds();
  store.setAlias({ aliasName, targetKeyId: target.keyId, creationDate: now, lastUpdatedDate: now });
  await store.save();
  return {};
}

// ---------------------------------------------------------------------------

/** `X-Amz-Target: TrentService.<name>` → handler. Anything else is UnknownOperationException. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['CreateKey', createKey],
  ['DescribeKey', describeKey],
  ['CreateAlias', createAlias],
  ['GetPublicKey', getPublicKey],
  ['Sign', sign],
  ['Encrypt', encrypt],
  ['Decrypt', decrypt],
  ['GenerateDataKey', generateDataKey],
  ['GenerateDataKeyWithoutPlaintext', generateDataKeyWithoutPlaintext],
  ['GenerateDataKeyPairWithoutPlaintext', generateDataKeyPairWithoutPlaintext],
]);
