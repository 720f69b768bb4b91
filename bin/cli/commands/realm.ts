/** `realm …`: create, show, update, delete and upgrade a realm. */
import { Option, type Command } from 'commander';
import { ensureAdministration } from '../../../lib/admin/realmManagement.js';
import { createRealm, deleteRealm, showRealm, updateRealm, type RealmChanges } from '../../../lib/admin/realms.js';
import type { SignatureAlgorithm, SigningMode } from '../../../lib/model/stored.js';
import { choice, wholeNumber } from '../arguments.js';
import { fields, keyRows } from '../format.js';
import type { Session } from '../session.js';

function realmSettingOptions(cmd: Command): Command {
  return cmd
    .option('--access-token-lifespan <seconds>', 'access token lifetime (Keycloak default 300)', wholeNumber)
    .option('--sso-session-idle-timeout <seconds>', 'session idle timeout (default 1800)', wholeNumber)
    .option('--sso-session-max-lifespan <seconds>', 'session max lifespan (default 36000)', wholeNumber)
    .option('--client-session-idle-timeout <seconds>', 'client session idle timeout (0: the SSO setting)', wholeNumber)
    .option('--client-session-max-lifespan <seconds>', 'client session max lifespan (0: the SSO setting)', wholeNumber)
    .option('--revoke-refresh-token', 'rotate refresh tokens: each refresh issues a new one')
    .option('--no-revoke-refresh-token', 'do not rotate refresh tokens')
    .option('--refresh-token-max-reuse <n>', 'extra uses of the last refresh token allowed', wholeNumber)
    .option('--signature-algorithm <alg>', 'default token signature: RS256 or ES256', choice(['RS256', 'ES256'] as const))
    .option('--signing-mode <mode>', 'how new signing keys are made: kms or envelope', choice(['kms', 'envelope'] as const))
    .addOption(new Option('--enabled', 'enable the realm').conflicts('disabled'))
    .addOption(new Option('--disabled', 'disable the realm: its endpoints answer 404'));
}

interface RealmSettingFlags {
  accessTokenLifespan?: number;
  ssoSessionIdleTimeout?: number;
  ssoSessionMaxLifespan?: number;
  clientSessionIdleTimeout?: number;
  clientSessionMaxLifespan?: number;
  revokeRefreshToken?: boolean;
  refreshTokenMaxReuse?: number;
  signatureAlgorithm?: SignatureAlgorithm;
  signingMode?: SigningMode;
  enabled?: boolean;
  disabled?: boolean;
}

function realmChanges(opts: RealmSettingFlags): RealmChanges {
  const { signatureAlgorithm, enabled, disabled, ...rest } = opts;
  const changes: RealmChanges = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  if (signatureAlgorithm !== undefined) changes.defaultSignatureAlgorithm = signatureAlgorithm;
  if (enabled || disabled) changes.enabled = enabled === true;
  return changes;
}

export function registerRealmCommands(cli: Session): void {
  const { context, print, usage } = cli;
  const realm = cli.group('realm', 'create, show, update or delete a realm');

  realmSettingOptions(realm.command('create').description("create a realm with Keycloak's defaults and signing keys (RS256, ES256)").argument('<realm>')).action(
    async (name: string, opts: RealmSettingFlags, cmd: Command) => {
      const created = await createRealm(context(cmd), name, realmChanges(opts));
      const keys = created.keys.map(({ kid, alg, provider }) => ({ kid, alg, provider }));
      print(cmd, { ...created.settings, keys }, () => [
        `created realm ${name}`,
        ...keys.map((key) => `signing key ${key.kid} (${key.alg}, ${key.provider})`),
      ]);
    },
  );

  realm
    .command('show')
    .description('show a realm: settings, counts and signing keys')
    .argument('<realm>')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const view = await showRealm(context(cmd), name);
      print(cmd, view, () => [...fields(view.settings), ...fields(view.counts), '', ...keyRows(view.keys)]);
    });

  realmSettingOptions(realm.command('update').description('change realm settings (new tokens use them within the realm cache time)').argument('<realm>')).action(
    async (name: string, opts: RealmSettingFlags, cmd: Command) => {
      const changes = realmChanges(opts);
      if (Object.keys(changes).length === 0) usage('realm update: nothing to update (see sa-admin realm update --help)');
      const settings = await updateRealm(context(cmd), name, changes);
      print(cmd, settings, () => [`updated realm ${name}: ${Object.keys(changes).map((key) => `${key}=${String(settings[key as keyof RealmChanges])}`).join(', ')}`]);
    },
  );

  realm
    .command('delete')
    .description('delete a realm and everything in it')
    .argument('<realm>')
    .option('--yes', 'confirm the deletion')
    .action(async (name: string, opts: { yes?: boolean }, cmd: Command) => {
      if (!opts.yes) usage(`realm delete: deleting realm ${name} and all its clients needs --yes`);
      const show = cli.progress('deleting items');
      const deleted = await deleteRealm(context(cmd), name, show).finally(show.end);
      print(cmd, { realm: name, deleted }, () => [`deleted realm ${name} (${deleted} items)`]);
    });

  realm
    .command('upgrade')
    .description("add what the Admin REST API needs to a realm made before it (realm-management client and roles); idempotent")
    .argument('<realm>')
    .action(async (realmName: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      await showRealm(ctx, realmName);
      const added = await ensureAdministration(ctx, realmName);
      print(cmd, { realm: realmName, added }, () => (added.length === 0 ? [`realm ${realmName} is up to date`] : added.map((what) => `added ${what}`)));
    });
}
