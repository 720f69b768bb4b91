/**
 * KMS operations implemented by the local emulator, as a dispatch table
 * `X-Amz-Target: TrentService.<Operation>` → handler.
 *
 * Request/response member names follow the KMS API reference exactly. Binary
 * members travel as base64 strings; timestamps are epoch seconds (numbers).
 * Handlers validate all input members first (ValidationException /
 * SerializationException), then resolve the key (NotFoundException), then
 * check key state (DisabledException / KMSInvalidStateException) and key
 * usage (InvalidKeyUsageException), which is the order KMS reports them in.
 */
import { generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';

import { decryptBlob, encryptBlob, parseBlob } from './ciphertext.js';
import { KmsError } from './errors.js';
import {
  LOCAL_ACCOUNT_ID,
  type Alias,
  type AsymmetricKey,
  type AsymmetricKeySpec,
  type KeyStore,
  type KmsKey,
  type SymmetricKey,
} from './keystore.js';
import { SIGNING_ALGORITHMS, SIGNING_ALGORITHMS_BY_SPEC, signMessage, verifyMessage, type SigningAlgorithm } from './signing.js';
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

/** Asymmetric specs this emulator can generate, with their node:crypto parameters. */
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
  return new KmsError('UnsupportedOperationException', `${message} (not supported by the local KMS emulator)`);
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
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    ...(key.deletionDate !== undefined ? { DeletionDate: key.deletionDate } : {}),
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

/** Cryptographic operations require an Enabled key. */
function requireEnabled(store: KeyStore, key: KmsKey): void {
  const arn = store.keyArn(key.keyId);
  if (key.keyState === 'Disabled') throw new KmsError('DisabledException', `${arn} is disabled.`);
  if (key.keyState === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${arn} is pending deletion.`);
}

function requireNotPendingDeletion(store: KeyStore, key: KmsKey): void {
  if (key.keyState === 'PendingDeletion') {
    throw new KmsError('KMSInvalidStateException', `${store.keyArn(key.keyId)} is pending deletion.`);
  }
}

function wrongUsage(store: KeyStore, key: KmsKey, operation: string): KmsError {
  return new KmsError('InvalidKeyUsageException', `${store.keyArn(key.keyId)} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
}

function requireSigningKey(store: KeyStore, key: KmsKey, operation: string): AsymmetricKey {
  requireEnabled(store, key);
  if (key.keySpec === 'SYMMETRIC_DEFAULT') throw wrongUsage(store, key, operation);
  return key;
}

function requireSymmetricKey(store: KeyStore, key: KmsKey, operation: string): SymmetricKey {
  requireEnabled(store, key);
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
 * Shared Sign/Verify input handling. KMS caps Message at 4096 bytes and, for
 * MessageType DIGEST, requires exactly the digest length of the algorithm.
 */
function signingRequest(input: JsonObject, store: KeyStore, operation: 'Sign' | 'Verify') {
  const keyId = keyIdArg(input);
  const message = v.requiredBlob(input, 'Message', { min: 1, max: 4096 });
  const algorithm = v.requiredEnum(input, 'SigningAlgorithm', SIGNING_ALGORITHM_SPECS);
  const messageType = v.optionalEnum(input, 'MessageType', MESSAGE_TYPES) ?? 'RAW';
  const signature = operation === 'Verify' ? v.requiredBlob(input, 'Signature', { min: 1, max: 6144 }) : undefined;

  const key = requireSigningKey(store, store.resolveKey(keyId), operation);
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
  return { key, message, messageType, signingAlgorithm, signature };
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

function aliasNotFound(store: KeyStore, aliasName: string): KmsError {
  return new KmsError('NotFoundException', `Alias ${store.aliasArn(aliasName)} is not found.`);
}

/**
 * List pagination: Marker is the (opaque to clients) index of the next item.
 * Good enough locally; items created between pages may shift the window.
 */
function paginate<T>(items: T[], limit: number, marker: string | undefined, listName: string, toJson: (item: T) => JsonObject): JsonObject {
  let start = 0;
  if (marker !== undefined) {
    if (!/^\d+$/.test(marker) || Number(marker) > items.length) throw new KmsError('InvalidMarkerException', 'The marker is invalid.');
    start = Number(marker);
  }
  const page = items.slice(start, start + limit);
  const next = start + page.length;
  return next < items.length
    ? { [listName]: page.map(toJson), NextMarker: String(next), Truncated: true }
    : { [listName]: page.map(toJson), Truncated: false };
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

  const base = { keyId: store.newKeyId(), creationDate: nowSeconds(), description, keyState: 'Enabled' as const };
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
  // DescribeKey works in every key state (Disabled, PendingDeletion, ...).
  const key = store.resolveKey(keyIdArg(input));
  return { KeyMetadata: keyMetadata(store, key) };
}

async function listKeys(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const limit = v.optionalInteger(input, 'Limit', { min: 1, max: 1000 }) ?? 100;
  const marker = v.optionalString(input, 'Marker', { min: 1, max: 1024 });
  return paginate(store.listKeys(), limit, marker, 'Keys', (key) => ({ KeyId: key.keyId, KeyArn: store.keyArn(key.keyId) }));
}

async function enableKey(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const key = store.resolveKey(keyIdArg(input));
  requireNotPendingDeletion(store, key); // KMS: cancel the deletion first
  key.keyState = 'Enabled';
  await store.save();
  return {};
}

async function disableKey(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const key = store.resolveKey(keyIdArg(input));
  requireNotPendingDeletion(store, key);
  key.keyState = 'Disabled';
  await store.save();
  return {};
}

/**
 * KMS never deletes immediately: the key becomes PendingDeletion (unusable,
 * Enabled=false) for a 7–30 day window (default 30). The emulator only marks
 * the key; it never actually removes key material.
 */
async function scheduleKeyDeletion(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const keyId = keyIdArg(input);
  const days = v.optionalInteger(input, 'PendingWindowInDays', { min: 1, max: 365 }) ?? 30;
  if (days < 7 || days > 30) {
    throw new KmsError('ValidationException', `PendingWindowInDays must be between 7 and 30 days, got ${days}.`);
  }
  const key = store.resolveKey(keyId);
  requireNotPendingDeletion(store, key);
  key.keyState = 'PendingDeletion';
  key.deletionDate = nowSeconds() + days * 24 * 60 * 60;
  await store.save();
  return { KeyId: store.keyArn(key.keyId), DeletionDate: key.deletionDate, KeyState: key.keyState, PendingWindowInDays: days };
}

/** A cancelled deletion leaves the key Disabled, as in KMS. */
async function cancelKeyDeletion(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const key = store.resolveKey(keyIdArg(input));
  if (key.keyState !== 'PendingDeletion') {
    throw new KmsError('KMSInvalidStateException', `${store.keyArn(key.keyId)} is not pending deletion.`);
  }
  key.keyState = 'Disabled';
  delete key.deletionDate;
  await store.save();
  return { KeyId: store.keyArn(key.keyId) };
}

// ---------------------------------------------------------------------------
// Asymmetric signing
// ---------------------------------------------------------------------------

async function getPublicKey(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const key = store.resolveKey(keyIdArg(input));
  requireEnabled(store, key);
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
  const { key, message, messageType, signingAlgorithm } = signingRequest(input, store, 'Sign');
  const signature = signMessage(signingAlgorithm, key.privateKey, message, messageType);
  return { KeyId: store.keyArn(key.keyId), Signature: b64(signature), SigningAlgorithm: signingAlgorithm };
}

/** KMS does not answer SignatureValid=false: an invalid signature is a KMSInvalidSignatureException. */
async function verify(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const { key, message, messageType, signingAlgorithm, signature } = signingRequest(input, store, 'Verify');
  if (!verifyMessage(signingAlgorithm, key.publicKey, message, messageType, signature!)) {
    throw new KmsError('KMSInvalidSignatureException', 'The signature verification failed.');
  }
  return { KeyId: store.keyArn(key.keyId), SignatureValid: true, SigningAlgorithm: signingAlgorithm };
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
 * GenerateDataKeyPair*: a fresh key pair whose private key (PKCS#8 DER) is
 * encrypted under the symmetric KeyId, so Decrypt(PrivateKeyCiphertextBlob)
 * returns the PKCS#8 DER bytes. PublicKey is DER SubjectPublicKeyInfo.
 */
async function makeDataKeyPair(input: JsonObject, store: KeyStore, operation: string) {
  const keyId = keyIdArg(input);
  const keyPairSpec = v.requiredEnum(input, 'KeyPairSpec', DATA_KEY_PAIR_SPECS);
  const context = v.optionalStringMap(input, 'EncryptionContext');
  rejectRecipient(input);
  const key = requireSymmetricKey(store, store.resolveKey(keyId), operation);
  if (!isLocalAsymmetricSpec(keyPairSpec)) throw unsupported(`KeyPairSpec ${keyPairSpec}`);
  const pair = await generateAsymmetricKeyPair(keyPairSpec);
  const privateKeyDer = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
  return {
    privateKeyDer,
    response: {
      PrivateKeyCiphertextBlob: b64(encryptBlob(key.keyId, key.material, privateKeyDer, context)),
      PublicKey: b64(pair.publicKey.export({ type: 'spki', format: 'der' })),
      KeyId: store.keyArn(key.keyId),
      KeyPairSpec: keyPairSpec,
    },
  };
}

async function generateDataKeyPair(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const { privateKeyDer, response } = await makeDataKeyPair(input, store, 'GenerateDataKeyPair');
  return { ...response, PrivateKeyPlaintext: b64(privateKeyDer) };
}

async function generateDataKeyPairWithoutPlaintext(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  return (await makeDataKeyPair(input, store, 'GenerateDataKeyPairWithoutPlaintext')).response;
}

// ---------------------------------------------------------------------------
// Aliases
// ---------------------------------------------------------------------------

/** TargetKeyId must be a key id or key ARN (KMS rejects alias names here). */
function targetKeyArg(input: JsonObject, store: KeyStore): KmsKey {
  const ref = v.requiredString(input, 'TargetKeyId', { min: 1, max: 2048 });
  const key = store.resolveKeyIdOrArn(ref, 'TargetKeyId');
  requireNotPendingDeletion(store, key);
  return key;
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

/**
 * KMS only lets an alias move between keys of the same type (symmetric vs
 * asymmetric) and the same key usage.
 */
async function updateAlias(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const aliasName = aliasNameArg(input);
  const target = targetKeyArg(input, store);
  const alias = store.getAlias(aliasName);
  if (!alias) throw aliasNotFound(store, aliasName);
  const current = store.getKeyById(alias.targetKeyId);
  if (
    current &&
    (current.keyUsage !== target.keyUsage || (current.keySpec === 'SYMMETRIC_DEFAULT') !== (target.keySpec === 'SYMMETRIC_DEFAULT'))
  ) {
    throw new KmsError(
      'ValidationException',
      `${store.aliasArn(aliasName)} cannot be moved to a key of a different type or key usage (${current.keySpec}/${current.keyUsage} -> ${target.keySpec}/${target.keyUsage}).`,
    );
  }
  store.setAlias({ ...alias, targetKeyId: target.keyId, lastUpdatedDate: nowSeconds() });
  await store.save();
  return {};
}

async function deleteAlias(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const aliasName = aliasNameArg(input);
  if (!store.deleteAlias(aliasName)) throw aliasNotFound(store, aliasName);
  await store.save();
  return {};
}

async function listAliases(input: JsonObject, store: KeyStore): Promise<JsonObject> {
  const keyIdRef = v.optionalString(input, 'KeyId', { min: 1, max: 2048 });
  const limit = v.optionalInteger(input, 'Limit', { min: 1, max: 100 }) ?? 50;
  const marker = v.optionalString(input, 'Marker', { min: 1, max: 1024 });
  let aliases: Alias[] = store.listAliases();
  if (keyIdRef !== undefined) {
    const key = store.resolveKeyIdOrArn(keyIdRef, 'KeyId');
    aliases = aliases.filter((alias) => alias.targetKeyId === key.keyId);
  }
  return paginate(aliases, limit, marker, 'Aliases', (alias) => ({
    AliasName: alias.aliasName,
    AliasArn: store.aliasArn(alias.aliasName),
    TargetKeyId: alias.targetKeyId,
    CreationDate: alias.creationDate,
    LastUpdatedDate: alias.lastUpdatedDate,
  }));
}

// ---------------------------------------------------------------------------

/** `X-Amz-Target: TrentService.<name>` → handler. Anything else is UnknownOperationException. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['CreateKey', createKey],
  ['DescribeKey', describeKey],
  ['ListKeys', listKeys],
  ['EnableKey', enableKey],
  ['DisableKey', disableKey],
  ['ScheduleKeyDeletion', scheduleKeyDeletion],
  ['CancelKeyDeletion', cancelKeyDeletion],
  ['GetPublicKey', getPublicKey],
  ['Sign', sign],
  ['Verify', verify],
  ['Encrypt', encrypt],
  ['Decrypt', decrypt],
  ['GenerateDataKey', generateDataKey],
  ['GenerateDataKeyWithoutPlaintext', generateDataKeyWithoutPlaintext],
  ['GenerateDataKeyPair', generateDataKeyPair],
  ['GenerateDataKeyPairWithoutPlaintext', generateDataKeyPairWithoutPlaintext],
  ['CreateAlias', createAlias],
  ['UpdateAlias', updateAlias],
  ['DeleteAlias', deleteAlias],
  ['ListAliases', listAliases],
]);
