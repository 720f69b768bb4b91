/** `keys …`: list, rotate or complete a realm's signing keys. */
import type { Command } from 'commander';
import { ensureKeys, listKeys, rotateKeys } from '../../../lib/admin/keys.js';
import type { SignatureAlgorithm, SigningMode } from '../../../lib/model/stored.js';
import { choice, wholeNumber } from '../arguments.js';
import { keyRows } from '../format.js';
import type { Session } from '../session.js';

export function registerKeysCommands(cli: Session): void {
  const { context, print } = cli;
  const keys = cli.group('keys', 'list, rotate or complete signing keys');

  keys
    .command('list')
    .description("list a realm's signing keys")
    .argument('<realm>')
    .action(async (realmName: string, _opts: unknown, cmd: Command) => {
      const list = await listKeys(context(cmd), realmName);
      print(cmd, list, () => keyRows(list));
    });

  keys
    .command('ensure')
    .description("give a realm the keys it lacks: an active signing key per algorithm, and the key its refresh tokens (JWTs) are signed with")
    .argument('<realm>')
    .action(async (realmName: string, _opts: unknown, cmd: Command) => {
      const result = await ensureKeys(context(cmd), realmName);
      print(cmd, result, () => [
        ...result.created.map((key) => `new ${key.alg} key ${key.kid} (${key.provider})`),
        `refresh-token key ${result.refreshKey.kid} (HS512): ${result.refreshKey.created ? 'created' : 'already there'}`,
      ]);
    });

  keys
    .command('rotate')
    .description('create new signing keys; the previous ones stay published until their tokens expire')
    .argument('<realm>')
    .option('--alg <alg>', 'RS256 or ES256 (default: both)', choice(['RS256', 'ES256'] as const))
    .option('--mode <mode>', "kms or envelope (default: the realm's signing mode, else kms)", choice(['kms', 'envelope'] as const))
    .option('--kms-key-id <arn>', 'kms mode: sign with this existing KMS key instead of creating one (needs --alg)')
    .option('--account <id>', "the AWS account for a new KMS key's policy (default: the stage secrets key's account)")
    .option('--realm-cache-ttl <seconds>', "the stage's realmCacheTtlSeconds, if changed from 60", wholeNumber)
    .action(async (realmName: string, opts: { alg?: SignatureAlgorithm; mode?: SigningMode; kmsKeyId?: string; account?: string; realmCacheTtl?: number }, cmd: Command) => {
      const result = await rotateKeys(context(cmd), realmName, {
        ...(opts.alg === undefined ? {} : { algs: [opts.alg] }),
        ...(opts.mode === undefined ? {} : { mode: opts.mode }),
        ...(opts.kmsKeyId === undefined ? {} : { kmsKeyId: opts.kmsKeyId }),
        ...(opts.account === undefined ? {} : { account: opts.account }),
        ...(opts.realmCacheTtl === undefined ? {} : { realmCacheTtlSeconds: opts.realmCacheTtl }),
      });
      print(cmd, result, () => [
        ...result.created.map((key) => `new ${key.alg} key ${key.kid} (${key.provider})`),
        `previous keys stay published for ${result.retainPreviousFor} s (realm cache time + longest access token lifetime + 60 s clock skew)`,
      ]);
    });
}
