import { readFile } from 'node:fs/promises';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, type KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { importRealm, parseRealmExport } from '../lib/admin/realmImport.js';
import { pepperedHasher } from '../lib/clientAuth/secretPepper.js';
import { encryptClientSecret } from '../lib/clientAuth/secretCipher.js';
import type { AdminContext } from '../lib/admin/context.js';
import { secretsKeyAlias, signingKeyAliases, stageNames } from '../lib/deployment/stageNames.js';
import { ensureRealmKeys } from '../lib/admin/keys.js';
import { claimRealm, OPERATOR, whileClaimed } from '../lib/admin/realmClaim.js';
import { ensureAdministration } from '../lib/admin/realmManagement.js';
import type { ClientsTable } from '../lib/store/clientsTable.js';
import type { SigningMode } from '../lib/model/stored.js';

export { secretsKeyAlias, signingKeyAliases, stageNames } from '../lib/deployment/stageNames.js';

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
 * The demo realm's signing mode when `npm start` seeds it. `envelope`: the local stack signs in the
 * function, with a key pair KMS generated and wrapped, so a warm local grant makes no call to the
 * local KMS (a `kms`-mode grant is one `Sign` round trip to it, about 5× slower through `npm start`:
 * docs/performance.md, "The local stack"). `sa-admin keys rotate demo --mode kms` gives the demo
 * KMS signing keys instead (README, "Signing keys").
 */
export const DEMO_SIGNING_MODE: SigningMode = 'envelope';

/**
 * Imports a Keycloak realm export unless the realm already exists (so a restart keeps what an
 * operator changed), and makes sure the realm has an active key of its own for both algorithms
 * (lib/admin/keys.ts ensureRealmKeys: in kms mode, KMS keys of the realm, never the stage's; in
 * envelope mode, key pairs wrapped under the stage's secrets key). A new realm records its mode
 * in its settings, so `keys ensure`, a rotation without `--mode` and the Admin API follow it.
 */
export async function seedRealm(options: {
  table: ClientsTable;
  kms: KMSClient;
  realmFile: string;
  /** The stage whose secrets key wraps client-secret-jwt secrets and envelope keys, and names the key policies' roles. */
  stage: string;
  log?: (line: string) => void;
  /** The signing mode of a newly seeded realm (default DEMO_SIGNING_MODE); an existing realm keeps its own. */
  signingMode?: SigningMode;
}): Promise<string> {
  const signingMode = options.signingMode ?? DEMO_SIGNING_MODE;
  const json = JSON.parse(await readFile(options.realmFile, 'utf8')) as { realm?: string };
  const names = stageNames(options.stage, options.table.tableName);
  // client-secret-jwt clients keep their secret encrypted under the stage key (never in clear).
  const encryptSecret = (clientId: string, secret: string) => encryptClientSecret(options.kms, names.secretsKeyId, String(json.realm), clientId, secret);
  // Chosen secrets are hashed with the realm's pepper, which only KMS unwraps.
  const hashChosenSecret = pepperedHasher(options.kms, options.table, names.secretsKeyId, String(json.realm));
  const ctx: AdminContext = { names, table: options.table, kms: options.kms, now: () => Math.floor(Date.now() / 1000), localStage: true };
  const realm = String(json.realm);
  // The name is claimed before anything of the realm is written (lib/admin/realmClaim.ts).
  if ((await claimRealm(ctx, realm, OPERATOR)) === 'exists') {
    await ensureRealmKeys(ctx, realm, (await options.table.loadRealm(realm))?.settings.signingMode ?? 'kms');
    await completeAdministration(ctx, realm, options.log);
    return realm;
  }
  return whileClaimed(ctx, realm, OPERATOR, async () => {
    // The seed is the local stage's: its JWKS documents may be served over plain http to loopback.
    const parsed = await parseRealmExport(json, { encryptSecret, hashChosenSecret, jwksUrlPolicy: { allowLoopbackHttp: true } });
    parsed.items = parsed.items.map((item) => (item.kind === 'settings' ? { ...item, signingMode } : item));
    for (const line of [...parsed.notes, ...parsed.skipped.map((what) => `skipped ${what}`)]) options.log?.(line);
    await importRealm(options.table, parsed);
    options.log?.(`imported realm ${parsed.realm} (${parsed.counts.clients} clients)`);
    await ensureRealmKeys(ctx, parsed.realm, signingMode);
    await completeAdministration(ctx, parsed.realm, options.log);
    return parsed.realm;
  });
}

/**
 * A complete realm, as every realm the API, the CLI or an import makes: with its realm-management
 * client and roles, so a demo-realm admin can exist (what `sa-admin realm upgrade` adds; idempotent,
 * so a data directory seeded before this gets them on its next start).
 */
async function completeAdministration(ctx: AdminContext, realm: string, log?: (line: string) => void): Promise<void> {
  const added = await ensureAdministration(ctx, realm);
  if (added.length > 0) log?.(`added to realm ${realm}: ${added.length} administration items (realm-management client and roles)`);
}
