/**
 * In-memory key/alias store for the local KMS endpoint, persisted to
 * `<dataDir>/kms-keys.json` so keys survive restarts.
 *
 * File format (version 1):
 *   {
 *     "version": 1,
 *     "keys":    [{ keyId, creationDate, description, keySpec, keyUsage,
 *                   privateKeyPem? (PKCS#8), symmetricKey? (base64) }],
 *     "aliases": [{ aliasName, targetKeyId, creationDate, lastUpdatedDate }]
 *   }
 *
 * ARNs are not stored: they are derived from the server's region and the fixed
 * local account id, so every ARN the server hands out is consistent. Files written by the
 * earlier, larger emulator also carry keyState/deletionDate; they are read and ignored (every
 * key here is Enabled).
 *
 * One server process per data directory: writes are "last writer wins".
 */
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { KmsError } from './errors.js';

/** Account id used in every ARN (LocalStack and friends use the same value). */
export const LOCAL_ACCOUNT_ID = '000000000000';

export const KEY_FILE_NAME = 'kms-keys.json';

export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';
export type AsymmetricKeySpec =
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1';
export type KeySpec = 'SYMMETRIC_DEFAULT' | AsymmetricKeySpec;

interface KeyBase {
  keyId: string;
  /** Epoch seconds, as KMS returns CreationDate. */
  creationDate: number;
  description: string;
}

export interface SymmetricKey extends KeyBase {
  keySpec: 'SYMMETRIC_DEFAULT';
  keyUsage: 'ENCRYPT_DECRYPT';
  /** 256-bit AES key material. */
  material: Buffer;
}

export interface AsymmetricKey extends KeyBase {
  keySpec: AsymmetricKeySpec;
  keyUsage: 'SIGN_VERIFY';
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type KmsKey = SymmetricKey | AsymmetricKey;

export interface Alias {
  /** Full name including the `alias/` prefix, as KMS reports AliasName. */
  aliasName: string;
  targetKeyId: string;
  creationDate: number;
  lastUpdatedDate: number;
}

interface StoredKey {
  keyId: string;
  creationDate: number;
  description: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  privateKeyPem?: string;
  symmetricKey?: string;
}

interface StoredFile {
  version: 1;
  keys: StoredKey[];
  aliases: Alias[];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// arn:<partition>:kms:<region>:<account>:<key/uuid | alias/name>
const ARN_RE = /^arn:[^:]+:kms:([^:]*):([^:]*):(.+)$/;

export class KeyStore {
  readonly region: string;
  private readonly file: string;
  private readonly keys = new Map<string, KmsKey>();
  private readonly aliases = new Map<string, Alias>();
  private writeChain: Promise<void> = Promise.resolve();

  private constructor(dataDir: string, region: string) {
    this.file = path.join(dataDir, KEY_FILE_NAME);
    this.region = region;
  }

  /** Load (or initialise) the store in `dataDir`. Refuses to start on a corrupt file rather than silently dropping keys. */
  static async open(dataDir: string, region: string): Promise<KeyStore> {
    await mkdir(dataDir, { recursive: true });
    const store = new KeyStore(dataDir, region);
    let text: string;
    try {
      text = await readFile(store.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw err;
    }
    let parsed: StoredFile;
    try {
      parsed = JSON.parse(text) as StoredFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.keys) || !Array.isArray(parsed.aliases)) {
        throw new Error('unexpected structure');
      }
      for (const stored of parsed.keys) store.keys.set(stored.keyId, fromStored(stored));
      for (const alias of parsed.aliases) store.aliases.set(alias.aliasName, alias);
    } catch (err) {
      throw new Error(`local KMS: cannot load ${store.file}: ${(err as Error).message}`);
    }
    return store;
  }

  keyArn(keyId: string): string {
    return `arn:aws:kms:${this.region}:${LOCAL_ACCOUNT_ID}:key/${keyId}`;
  }

  aliasArn(aliasName: string): string {
    return `arn:aws:kms:${this.region}:${LOCAL_ACCOUNT_ID}:${aliasName}`;
  }

  newKeyId(): string {
    return randomUUID();
  }

  addKey(key: KmsKey): void {
    this.keys.set(key.keyId, key);
  }

  getKeyById(keyId: string): KmsKey | undefined {
    return this.keys.get(keyId);
  }

  /**
   * Resolve a KeyId argument. KMS accepts a key id, key ARN, alias name
   * (`alias/...`) or alias ARN wherever an operation takes `KeyId`.
   */
  resolveKey(ref: string): KmsKey {
    const arn = ARN_RE.exec(ref);
    let resource = ref;
    if (arn) {
      // An ARN from another region/account names a different key in real KMS.
      if (arn[1] !== this.region || arn[2] !== LOCAL_ACCOUNT_ID) {
        throw notFoundForRef(ref);
      }
      resource = arn[3]!;
      if (resource.startsWith('key/')) return this.keyByIdOrThrow(resource.slice(4), ref);
      if (!resource.startsWith('alias/')) throw new KmsError('NotFoundException', `Invalid arn ${ref}`);
    }
    if (resource.startsWith('alias/')) {
      const alias = this.aliases.get(resource);
      if (!alias) throw new KmsError('NotFoundException', `Alias ${this.aliasArn(resource)} is not found.`);
      return this.keyByIdOrThrow(alias.targetKeyId, ref);
    }
    return this.keyByIdOrThrow(resource, ref);
  }

  /** Resolve a reference that must be a key id or key ARN (CreateAlias TargetKeyId). */
  resolveKeyIdOrArn(ref: string, field: string): KmsKey {
    if (ref.startsWith('alias/') || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(ref)) {
      throw new KmsError('ValidationException', `${field} must be a key ID or key ARN, not an alias: ${ref}`);
    }
    return this.resolveKey(ref);
  }

  getAlias(aliasName: string): Alias | undefined {
    return this.aliases.get(aliasName);
  }

  setAlias(alias: Alias): void {
    this.aliases.set(alias.aliasName, alias);
  }

  /**
   * Persist the current state. Writes are serialised and each one snapshots
   * the state when it runs, so the last write on disk always reflects the
   * latest in-memory state. Atomic: write a temp file, fsync, rename.
   */
  save(): Promise<void> {
    const run = this.writeChain.then(() => this.writeNow());
    this.writeChain = run.catch(() => undefined); // a failed write must not wedge later ones
    return run;
  }

  /** Wait for queued writes (used on shutdown). */
  async flush(): Promise<void> {
    await this.writeChain;
  }

  private async writeNow(): Promise<void> {
    const data: StoredFile = {
      version: 1,
      keys: [...this.keys.values()].map(toStored),
      aliases: [...this.aliases.values()],
    };
    const tmp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      const fh = await open(tmp, 'w', 0o600); // contains private key material
      try {
        await fh.writeFile(JSON.stringify(data, null, 2) + '\n', 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  private keyByIdOrThrow(keyId: string, ref: string): KmsKey {
    if (!UUID_RE.test(keyId)) throw new KmsError('NotFoundException', `Invalid keyId '${ref}'`);
    const key = this.keys.get(keyId.toLowerCase());
    if (!key) throw notFoundForRef(ref, this.keyArn(keyId));
    return key;
  }
}

function notFoundForRef(ref: string, arn = ref): KmsError {
  return new KmsError('NotFoundException', `Key '${arn}' does not exist`);
}

function toStored(key: KmsKey): StoredKey {
  const base: StoredKey = {
    keyId: key.keyId,
    creationDate: key.creationDate,
    description: key.description,
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
  };
  if (key.keySpec === 'SYMMETRIC_DEFAULT') return { ...base, symmetricKey: key.material.toString('base64') };
  return { ...base, privateKeyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

function fromStored(stored: StoredKey): KmsKey {
  const base = {
    keyId: stored.keyId,
    creationDate: stored.creationDate,
    description: stored.description ?? '',
  };
  if (stored.keySpec === 'SYMMETRIC_DEFAULT') {
    if (typeof stored.symmetricKey !== 'string') throw new Error(`key ${stored.keyId} has no symmetricKey`);
    const material = Buffer.from(stored.symmetricKey, 'base64');
    if (material.length !== 32) throw new Error(`key ${stored.keyId} has a malformed symmetricKey`);
    return { ...base, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', material };
  }
  if (typeof stored.privateKeyPem !== 'string') throw new Error(`key ${stored.keyId} has no privateKeyPem`);
  const privateKey = createPrivateKey(stored.privateKeyPem);
  return {
    ...base,
    keySpec: stored.keySpec,
    keyUsage: 'SIGN_VERIFY',
    privateKey,
    publicKey: createPublicKey(privateKey),
  };
}
