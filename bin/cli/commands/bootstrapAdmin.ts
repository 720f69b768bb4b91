/** `bootstrap-admin service`: a temporary admin client for the Admin REST API (Keycloak 26's kc.sh bootstrap-admin). */
import type { Command } from 'commander';
import { bootstrapAdminService } from '../../../lib/admin/bootstrap.js';
import type { Session } from '../session.js';

export function registerBootstrapAdminCommands(cli: Session): void {
  const { context, print } = cli;
  cli.group('bootstrap-admin', "create a temporary admin for the Admin REST API (Keycloak 26's kc.sh bootstrap-admin)")
    .command('service')
    .description("create the master realm if missing and a confidential client whose service account holds master's admin")
    .requiredOption('--client-id <id>', 'the admin client id (Keycloak: KC_BOOTSTRAP_ADMIN_CLIENT_ID, default temp-admin)')
    .option('--client-secret-env <var>', 'read the secret from this environment variable (Keycloak spells it --client-secret:env=VAR)', 'KC_BOOTSTRAP_ADMIN_CLIENT_SECRET')
    .option('--force-secret', 'when the client exists, set this secret instead of failing')
    .action(async (opts: { clientId: string; clientSecretEnv: string; forceSecret?: boolean }, cmd: Command) => {
      // Never from an argument: a secret on the command line lands in shell history and `ps`.
      const secret = cli.io.env[opts.clientSecretEnv];
      if (!secret) cli.usage(`the environment variable ${opts.clientSecretEnv} holds no secret`);
      const result = await bootstrapAdminService(context(cmd), opts.clientId, secret, { forceSecret: opts.forceSecret ?? false });
      print(cmd, result, () => [
        ...(result.realmCreated ? ['created realm master'] : []),
        result.secretReplaced
          ? `set a new secret for admin client ${result.clientId} (realm master)`
          : `created admin client ${result.clientId} in realm master; its service account holds master's admin role`,
      ]);
    });
}
