import { readFile } from 'node:fs/promises';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, type KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { importRealm, parseRealmExport } from '../lib/admin/realmImport.js';
import { registerKmsKey } from '../lib/signing/registerKey.js';
import type { ClientsTable } from '../lib/store/clientsTable.js';

/**
 * The signing keys' aliases as infra/kms.yml names them. CloudFormation creates them when
 * deployed; the local stack creates them in the local KMS.
 */
export function signingKeyAliases(stage: string, service = 'sa-token-service') {
  return { RS256: `alias/${service}-${stage}-signing-rs256`, ES256: `alias/${service}-${stage}-signing-es256` } as const;
}

/** Creates the signing keys behind the aliases when they do not exist yet (local stack only). */
export async function ensureSigningKeys(kms: KMSClient, aliases: ReturnType<typeof signingKeyAliases>): Promise<void> {
  for (const [alias, spec] of [
    [aliases.RS256, 'RSA_2048'],
    [aliases.ES256, 'ECC_NIST_P256'],
  ] as const) {
    try {
      await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    } catch (err) {
      if (!(err instanceof NotFoundException)) throw err;
      const created = await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Description: `token signing (${alias})` }));
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
  /** Import even when the realm exists (re-importing is idempotent). */
  overwrite?: boolean;
  log?: (line: string) => void;
}): Promise<string> {
  const parsed = await parseRealmExport(JSON.parse(await readFile(options.realmFile, 'utf8')));
  for (const line of [...parsed.notes, ...parsed.skipped.map((what) => `skipped ${what}`)]) options.log?.(line);
  if (options.overwrite || !(await options.table.loadRealm(parsed.realm))) {
    await importRealm(options.table, parsed);
    options.log?.(`imported realm ${parsed.realm} (${parsed.counts.clients} clients)`);
  }
  const keys = (await options.table.loadRealm(parsed.realm))?.keys ?? [];
  for (const alg of ['RS256', 'ES256'] as const) {
    if (!keys.some((key) => key.alg === alg && key.status === 'active')) {
      await registerKmsKey(options.kms, options.table, parsed.realm, options.aliases[alg]);
    }
  }
  return parsed.realm;
}
