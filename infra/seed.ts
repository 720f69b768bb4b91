import { readFile } from 'node:fs/promises';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, type KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { importRealm, parseRealmExport } from '../lib/admin/realmImport.js';
import { encryptClientSecret } from '../lib/clientAuth/secretCipher.js';
import { createSigningKey } from '../lib/signing/keys.js';
import { ensureRefreshKey } from '../lib/signing/refreshKey.js';
import type { ClientsTable } from '../lib/store/clientsTable.js';

/**
 * The signing keys' aliases as infra/kms.yml names them. CloudFormation creates them when
 * deployed; the local stack creates them in the local KMS.
 */
export function signingKeyAliases(stage: string, service = 'sa-token-service') {
  return { RS256: `alias/${service}-${stage}-signing-rs256`, ES256: `alias/${service}-${stage}-signing-es256` } as const;
}

/** The stage's symmetric wrapping key, as infra/kms.yml names it. */
export function secretsKeyAlias(stage: string, service = 'sa-token-service'): string {
  return `alias/${service}-${stage}-secrets`;
}

/** Creates the keys infra/kms.yml declares when they do not exist yet (local stack only). */
export async function ensureStageKeys(kms: KMSClient, stage: string): Promise<void> {
  const aliases = signingKeyAliases(stage);
  for (const [alias, spec, usage] of [
    [aliases.RS256, 'RSA_2048', 'SIGN_VERIFY'],
    [aliases.ES256, 'ECC_NIST_P256', 'SIGN_VERIFY'],
    [secretsKeyAlias(stage), 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
  ] as const) {
    try {
      await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    } catch (err) {
      if (!(err instanceof NotFoundException)) throw err;
      const created = await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage, Description: alias }));
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: created.KeyMetadata!.KeyId! }));
    }
  }
}

/**
 * Imports a Keycloak realm export unless the realm already exists (so a restart keeps what an
 * operator changed), and makes sure the realm has an active key for both algorithms.
 */
export async function seedRealm(options: {
  table: ClientsTable;
  kms: KMSClient;
  realmFile: string;
  aliases: ReturnType<typeof signingKeyAliases>;
  /** The stage's wrapping key, for client-secret-jwt secrets and the realm's refresh-token key. */
  secretsKeyId?: string;
  log?: (line: string) => void;
}): Promise<string> {
  const json = JSON.parse(await readFile(options.realmFile, 'utf8')) as { realm?: string };
  // client-secret-jwt clients keep their secret encrypted under the stage key (never in clear).
  const encryptSecret = options.secretsKeyId
    ? (clientId: string, secret: string) => encryptClientSecret(options.kms, options.secretsKeyId!, String(json.realm), clientId, secret)
    : undefined;
  const parsed = await parseRealmExport(json, { encryptSecret });
  for (const line of [...parsed.notes, ...parsed.skipped.map((what) => `skipped ${what}`)]) options.log?.(line);
  if (!(await options.table.loadRealm(parsed.realm))) {
    await importRealm(options.table, parsed);
    options.log?.(`imported realm ${parsed.realm} (${parsed.counts.clients} clients)`);
  }
  const keys = (await options.table.loadRealm(parsed.realm))?.keys ?? [];
  for (const alg of ['RS256', 'ES256'] as const) {
    if (!keys.some((key) => key.alg === alg && key.status === 'active')) {
      await createSigningKey(options.kms, options.table, parsed.realm, {
        alg,
        mode: 'kms',
        kmsKeyId: options.aliases[alg],
        retainPreviousFor: 0,
        now: Math.floor(Date.now() / 1000),
      });
    }
  }
  // The key refresh tokens are signed with, wrapped under the stage key (lib/signing/refreshKey.ts).
  if (options.secretsKeyId) await ensureRefreshKey(options.kms, options.table, parsed.realm, options.secretsKeyId, Math.floor(Date.now() / 1000));
  return parsed.realm;
}
