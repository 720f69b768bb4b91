/**
 * The local KMS endpoint (tools/local-kms) driven only through the real
 * @aws-sdk/client-kms, plus a few raw HTTP requests for protocol edge cases.
 *
 *   node --import tsx --test test/integration/localKms.test.ts
 */
import assert from 'node:assert/strict';
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GetPublicKeyCommand,
  KMSClient,
  NotFoundException,
  SignCommand,
  type KeySpec,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';

import { startKmsServer, type KmsServer } from '../../tools/local-kms/server.js';

const REGION = 'eu-west-1';
const ACCOUNT = '000000000000';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };

function clientFor(url: string): KMSClient {
  // maxAttempts 1: a retry must never hide a wrong status code.
  return new KMSClient({ endpoint: url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
}

/** Assert that `promise` rejects with an SDK exception of the given KMS error name (HTTP 400). */
async function rejectsWith(promise: Promise<unknown>, name: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    return true;
  });
}

function sha(hash: 'sha256' | 'sha384' | 'sha512', data: Buffer): Buffer {
  return createHash(hash).update(data).digest();
}

describe('local KMS endpoint', () => {
  let dataDir: string;
  let server: KmsServer;
  let kms: KMSClient;

  // Filled in by the tests below and re-checked after a restart.
  let rsaKeyId: string;
  let rsaPublicKey: KeyObject;
  let symmetricKeyId: string;
  let persistedCiphertext: Uint8Array;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-kms-test-'));
    server = await startKmsServer({ port: 0, dataDir, region: REGION });
    kms = clientFor(server.url);
  });

  after(async () => {
    kms?.destroy();
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on an ephemeral port and reports its URL', () => {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  });

  it('creates an RSA signing key with KMS-shaped KeyMetadata', async () => {
    const before = Date.now();
    const { KeyMetadata: md } = await kms.send(
      new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Description: 'jwt signing' }),
    );
    assert.ok(md?.KeyId && UUID_RE.test(md.KeyId));
    rsaKeyId = md.KeyId;
    assert.equal(md.Arn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${md.KeyId}`);
    assert.equal(md.AWSAccountId, ACCOUNT);
    assert.equal(md.KeySpec, 'RSA_2048');
    assert.equal(md.CustomerMasterKeySpec, 'RSA_2048');
    assert.equal(md.KeyUsage, 'SIGN_VERIFY');
    assert.equal(md.KeyState, 'Enabled');
    assert.equal(md.Enabled, true);
    assert.equal(md.Description, 'jwt signing');
    assert.equal(md.KeyManager, 'CUSTOMER');
    assert.equal(md.Origin, 'AWS_KMS');
    assert.ok(md.CreationDate instanceof Date);
    assert.ok(Math.abs(md.CreationDate.getTime() - before) < 60_000);
    assert.deepEqual(md.SigningAlgorithms, [
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
    ]);
    assert.equal(md.EncryptionAlgorithms, undefined);
  });

  it('GetPublicKey returns a DER SPKI that node:crypto imports', async () => {
    const out = await kms.send(new GetPublicKeyCommand({ KeyId: rsaKeyId }));
    assert.equal(out.KeyId, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${rsaKeyId}`);
    assert.equal(out.KeySpec, 'RSA_2048');
    assert.equal(out.KeyUsage, 'SIGN_VERIFY');
    assert.ok(out.SigningAlgorithms?.includes('RSASSA_PSS_SHA_256'));
    rsaPublicKey = createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' });
    assert.equal(rsaPublicKey.asymmetricKeyType, 'rsa');
    assert.equal(rsaPublicKey.asymmetricKeyDetails?.modulusLength, 2048);
  });

  it('signs RSASSA_PKCS1_V1_5 (RAW and DIGEST) verifiably with node:crypto', async () => {
    const message = Buffer.from('header.payload');
    for (const [algorithm, hash] of [
      ['RSASSA_PKCS1_V1_5_SHA_256', 'sha256'],
      ['RSASSA_PKCS1_V1_5_SHA_384', 'sha384'],
      ['RSASSA_PKCS1_V1_5_SHA_512', 'sha512'],
    ] as const) {
      const raw = await kms.send(new SignCommand({ KeyId: rsaKeyId, Message: message, SigningAlgorithm: algorithm }));
      assert.equal(raw.SigningAlgorithm, algorithm);
      assert.equal(raw.KeyId, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${rsaKeyId}`);
      assert.ok(nodeVerify(hash, message, rsaPublicKey, Buffer.from(raw.Signature!)), `${algorithm} RAW`);

      const digest = await kms.send(
        new SignCommand({ KeyId: rsaKeyId, Message: sha(hash, message), MessageType: 'DIGEST', SigningAlgorithm: algorithm }),
      );
      // PKCS#1 v1.5 is deterministic: signing the digest must equal signing the message.
      assert.deepEqual(Buffer.from(digest.Signature!), Buffer.from(raw.Signature!), `${algorithm} DIGEST`);
    }
  });

  it('signs RSASSA_PSS with salt length = digest length (RAW; DIGEST is not offered)', async () => {
    const message = Buffer.from('pss message');
    for (const [algorithm, hash, saltLength] of [
      ['RSASSA_PSS_SHA_256', 'sha256', 32],
      ['RSASSA_PSS_SHA_384', 'sha384', 48],
      ['RSASSA_PSS_SHA_512', 'sha512', 64],
    ] as const) {
      const out = await kms.send(new SignCommand({ KeyId: rsaKeyId, Message: message, SigningAlgorithm: algorithm }));
      const signature = Buffer.from(out.Signature!);
      const pss = { key: rsaPublicKey, padding: constants.RSA_PKCS1_PSS_PADDING };
      assert.ok(nodeVerify(hash, message, { ...pss, saltLength }, signature), algorithm);
      // ...and specifically that exact salt length, not just "some" PSS signature.
      assert.equal(nodeVerify(hash, message, { ...pss, saltLength: saltLength - 1 }, signature), false);
      await rejectsWith(
        kms.send(new SignCommand({ KeyId: rsaKeyId, Message: sha(hash, message), MessageType: 'DIGEST', SigningAlgorithm: algorithm })),
        'UnsupportedOperationException',
      );
    }
  });

  for (const [keySpec, algorithm, hash, curve] of [
    ['ECC_NIST_P256', 'ECDSA_SHA_256', 'sha256', 'prime256v1'],
    ['ECC_NIST_P384', 'ECDSA_SHA_384', 'sha384', 'secp384r1'],
    ['ECC_NIST_P521', 'ECDSA_SHA_512', 'sha512', 'secp521r1'],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'sha256', 'secp256k1'],
  ] as const satisfies ReadonlyArray<readonly [KeySpec, SigningAlgorithmSpec, string, string]>) {
    it(`${keySpec}: DER ECDSA signatures (RAW and DIGEST) verify with node:crypto`, async () => {
      const { KeyMetadata: md } = await kms.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' }));
      assert.deepEqual(md?.SigningAlgorithms, [algorithm]);
      const keyId = md!.KeyId!;
      const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
      const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
      assert.equal(publicKey.asymmetricKeyDetails?.namedCurve, curve);

      const message = Buffer.from(`ecdsa over ${keySpec}`);
      for (const messageType of ['RAW', 'DIGEST'] as const) {
        const input = messageType === 'RAW' ? message : sha(hash, message);
        const out = await kms.send(new SignCommand({ KeyId: keyId, Message: input, MessageType: messageType, SigningAlgorithm: algorithm }));
        const signature = Buffer.from(out.Signature!);
        assert.equal(signature[0], 0x30, 'DER SEQUENCE');
        assert.ok(nodeVerify(hash, message, { key: publicKey, dsaEncoding: 'der' }, signature), `${messageType} signature`);
        assert.equal(nodeVerify(hash, Buffer.from('other'), { key: publicKey, dsaEncoding: 'der' }, signature), false);
      }

      // KMS pairs each curve with a single hash; anything else is a key-usage error.
      const wrong = algorithm === 'ECDSA_SHA_384' ? 'ECDSA_SHA_256' : 'ECDSA_SHA_384';
      await rejectsWith(kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: wrong })), 'InvalidKeyUsageException');
      await rejectsWith(
        kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
        'InvalidKeyUsageException',
      );
    });
  }

  it('validates Sign input like KMS', async () => {
    await rejectsWith(
      kms.send(new SignCommand({ KeyId: rsaKeyId, Message: Buffer.alloc(4097, 1), SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
      'ValidationException',
    );
    // 4096 bytes is still fine.
    await kms.send(new SignCommand({ KeyId: rsaKeyId, Message: Buffer.alloc(4096, 1), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    await rejectsWith(
      kms.send(new SignCommand({ KeyId: rsaKeyId, Message: Buffer.alloc(20), MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
      'ValidationException',
    );
    await rejectsWith(
      kms.send(new SignCommand({ Message: Buffer.from('x'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' } as never)),
      'ValidationException',
    );
    await rejectsWith(
      kms.send(new SignCommand({ KeyId: rsaKeyId, Message: Buffer.from('x'), SigningAlgorithm: 'NOPE' as SigningAlgorithmSpec })),
      'ValidationException',
    );
  });

  it('creates a symmetric key by default and round-trips Encrypt/Decrypt without KeyId', async () => {
    const { KeyMetadata: md } = await kms.send(new CreateKeyCommand({}));
    assert.equal(md?.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(md?.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.deepEqual(md?.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
    assert.equal(md?.SigningAlgorithms, undefined);
    symmetricKeyId = md!.KeyId!;

    const plaintext = Buffer.from('the data key');
    const enc = await kms.send(new EncryptCommand({ KeyId: symmetricKeyId, Plaintext: plaintext }));
    assert.equal(enc.KeyId, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${symmetricKeyId}`);
    assert.equal(enc.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.ok(!Buffer.from(enc.CiphertextBlob!).includes(plaintext), 'ciphertext must not contain the plaintext');
    persistedCiphertext = enc.CiphertextBlob!;

    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    assert.deepEqual(Buffer.from(dec.Plaintext!), plaintext);
    assert.equal(dec.KeyId, enc.KeyId);
    assert.equal(dec.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');

    // Same plaintext twice gives different ciphertexts (random IV).
    const enc2 = await kms.send(new EncryptCommand({ KeyId: symmetricKeyId, Plaintext: plaintext }));
    assert.notDeepEqual(Buffer.from(enc2.CiphertextBlob!), Buffer.from(enc.CiphertextBlob!));
  });

  it('enforces EncryptionContext on Decrypt (InvalidCiphertextException on mismatch)', async () => {
    const context = { tenant: 'acme', purpose: 'test' };
    const enc = await kms.send(new EncryptCommand({ KeyId: symmetricKeyId, Plaintext: Buffer.from('secret'), EncryptionContext: context }));
    // Key order does not matter; KMS treats the context as a map.
    const dec = await kms.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'test', tenant: 'acme' } }),
    );
    assert.equal(Buffer.from(dec.Plaintext!).toString(), 'secret');

    await rejectsWith(
      kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: 'other', purpose: 'test' } })),
      'InvalidCiphertextException',
    );
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), 'InvalidCiphertextException');

    const noContext = await kms.send(new EncryptCommand({ KeyId: symmetricKeyId, Plaintext: Buffer.from('x') }));
    await rejectsWith(
      kms.send(new DecryptCommand({ CiphertextBlob: noContext.CiphertextBlob, EncryptionContext: { a: 'b' } })),
      'InvalidCiphertextException',
    );

    const tampered = Buffer.from(noContext.CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 0x01;
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: tampered })), 'InvalidCiphertextException');
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('garbage') })), 'InvalidCiphertextException');
  });

  it('Decrypt with a KeyId for a different key fails with IncorrectKeyException', async () => {
    const { KeyMetadata: other } = await kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT' }));
    const enc = await kms.send(new EncryptCommand({ KeyId: symmetricKeyId, Plaintext: Buffer.from('x') }));
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other!.KeyId })), 'IncorrectKeyException');
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: symmetricKeyId }));
    assert.equal(Buffer.from(ok.Plaintext!).toString(), 'x');
  });

  for (const keyPairSpec of ['ECC_NIST_P256', 'RSA_2048'] as const) {
    it(`GenerateDataKeyPairWithoutPlaintext (${keyPairSpec}): Decrypt of the private blob yields the matching PKCS#8 key`, async () => {
      const context = { purpose: 'realm-key' };
      const out = await kms.send(
        new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: symmetricKeyId, KeyPairSpec: keyPairSpec, EncryptionContext: context }),
      );
      assert.equal(out.KeyPairSpec, keyPairSpec);
      assert.equal(out.KeyId, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${symmetricKeyId}`);
      assert.equal('PrivateKeyPlaintext' in out, false);

      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: context }));
      const privateKey = createPrivateKey({ key: Buffer.from(dec.Plaintext!), format: 'der', type: 'pkcs8' });
      const derivedPublic = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      assert.deepEqual(derivedPublic, Buffer.from(out.PublicKey!));

      await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob })), 'InvalidCiphertextException');
    });
  }

  it('GenerateDataKey returns a data key and its ciphertext', async () => {
    const out = await kms.send(new GenerateDataKeyCommand({ KeyId: symmetricKeyId, KeySpec: 'AES_256' }));
    assert.equal(out.Plaintext?.length, 32);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }));
    assert.deepEqual(Buffer.from(dec.Plaintext!), Buffer.from(out.Plaintext!));
    const seven = await kms.send(new GenerateDataKeyCommand({ KeyId: symmetricKeyId, NumberOfBytes: 7 }));
    assert.equal(seven.Plaintext?.length, 7);
    await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: symmetricKeyId })), 'ValidationException');
  });

  it('aliases: create, resolve (name, alias ARN, key ARN)', async () => {
    const aliasName = 'alias/jwt-signing';
    const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:${aliasName}`;
    await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: rsaKeyId }));
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: rsaKeyId })), 'AlreadyExistsException');

    for (const ref of [aliasName, aliasArn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${rsaKeyId}`, rsaKeyId]) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: ref }));
      assert.equal(KeyMetadata?.KeyId, rsaKeyId, ref);
    }
    const signed = await kms.send(new SignCommand({ KeyId: aliasName, Message: Buffer.from('m'), SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));
    assert.ok(nodeVerify('sha256', Buffer.from('m'), rsaPublicKey, Buffer.from(signed.Signature!)));

    // TargetKeyId takes a key id or ARN, never an alias.
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: aliasName })), 'ValidationException');
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/reserved', TargetKeyId: rsaKeyId })), 'InvalidAliasNameException');
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: rsaKeyId })), 'InvalidAliasNameException');
  });

  it('unknown keys are NotFoundException (an instance of the SDK class)', async () => {
    await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: '11111111-2222-3333-4444-555555555555' })), NotFoundException);
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'alias/does-not-exist' })), 'NotFoundException');
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'not-a-key-id' })), 'NotFoundException');
    // An ARN from another region is another key.
    await rejectsWith(
      kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${rsaKeyId}` })),
      'NotFoundException',
    );
    await rejectsWith(kms.send(new DescribeKeyCommand({} as never)), 'ValidationException');
  });

  it('using a key for the wrong purpose is InvalidKeyUsageException', async () => {
    await rejectsWith(
      kms.send(new SignCommand({ KeyId: symmetricKeyId, Message: Buffer.from('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
      'InvalidKeyUsageException',
    );
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: rsaKeyId, Plaintext: Buffer.from('m') })), 'InvalidKeyUsageException');
    await rejectsWith(kms.send(new GetPublicKeyCommand({ KeyId: symmetricKeyId })), 'UnsupportedOperationException');
  });

  it('works through AWS_ENDPOINT_URL_KMS with no endpoint option', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_KMS;
    process.env.AWS_ENDPOINT_URL_KMS = server.url;
    try {
      const envClient = new KMSClient({ region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
      const { KeyMetadata } = await envClient.send(new DescribeKeyCommand({ KeyId: 'alias/jwt-signing' }));
      assert.equal(KeyMetadata?.KeyId, rsaKeyId);
      envClient.destroy();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_KMS;
      else process.env.AWS_ENDPOINT_URL_KMS = saved;
    }
  });

  it('answers protocol errors over raw HTTP without crashing', async () => {
    const post = (target: string | undefined, body: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', ...(target ? { 'X-Amz-Target': target } : {}) },
        body,
      });

    const malformed = await post('TrentService.DescribeKey', '{"KeyId": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get('x-amzn-errortype'), 'SerializationException');
    assert.ok(malformed.headers.get('x-amzn-requestid'));
    assert.match(malformed.headers.get('content-type') ?? '', /application\/x-amz-json-1\.1/);
    assert.equal(((await malformed.json()) as { __type: string }).__type, 'SerializationException');

    const notObject = await post('TrentService.DescribeKey', '[1,2]');
    assert.equal(((await notObject.json()) as { __type: string }).__type, 'SerializationException');

    const wrongType = await post('TrentService.DescribeKey', '{"KeyId": 42}');
    assert.equal(((await wrongType.json()) as { __type: string }).__type, 'SerializationException');

    const badBase64 = await post('TrentService.Decrypt', '{"CiphertextBlob": "***"}');
    assert.equal(((await badBase64.json()) as { __type: string }).__type, 'SerializationException');

    // Operations the product never calls are not there, as an unknown one is not.
    for (const target of ['TrentService.NoSuchOperation', 'TrentService.constructor', 'TrentService.Verify', 'TrentService.ListKeys', 'SomethingElse.DescribeKey', undefined]) {
      const unknown = await post(target, '{}');
      assert.equal(unknown.status, 400);
      assert.equal(((await unknown.json()) as { __type: string }).__type, 'UnknownOperationException', String(target));
    }

    // Success responses carry a request id too, and the server is still healthy.
    const ok = await post('TrentService.DescribeKey', JSON.stringify({ KeyId: rsaKeyId }));
    assert.equal(ok.status, 200);
    assert.ok(ok.headers.get('x-amzn-requestid'));
    const body = (await ok.json()) as { KeyMetadata: { KeyId: string; CreationDate: unknown } };
    assert.equal(body.KeyMetadata.KeyId, rsaKeyId);
    assert.equal(typeof body.KeyMetadata.CreationDate, 'number'); // epoch seconds on the wire
  });

  it('persists keys and aliases across a restart with the same data dir', async () => {
    const file = JSON.parse(await readFile(join(dataDir, 'kms-keys.json'), 'utf8')) as {
      keys: Array<{ keyId: string; privateKeyPem?: string; symmetricKey?: string }>;
    };
    assert.match(file.keys.find((k) => k.keyId === rsaKeyId)?.privateKeyPem ?? '', /^-----BEGIN PRIVATE KEY-----/);
    assert.ok(file.keys.find((k) => k.keyId === symmetricKeyId)?.symmetricKey);

    kms.destroy();
    await server.close();
    server = await startKmsServer({ port: 0, dataDir, region: REGION });
    kms = clientFor(server.url);

    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/jwt-signing' }));
    assert.equal(KeyMetadata?.KeyId, rsaKeyId);
    assert.equal(KeyMetadata?.Description, 'jwt signing');

    const message = Buffer.from('after restart');
    const signed = await kms.send(new SignCommand({ KeyId: 'alias/jwt-signing', Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    assert.ok(
      nodeVerify('sha256', message, { key: rsaPublicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(signed.Signature!)),
      'restored private key matches the public key fetched before the restart',
    );
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: persistedCiphertext }));
    assert.equal(Buffer.from(dec.Plaintext!).toString(), 'the data key');
  });
});
