/** `not-before push`: revoke every token of a realm or a client issued before now. */
import type { Command } from 'commander';
import { pushNotBefore } from '../../../lib/admin/notBefore.js';
import { date } from '../format.js';
import type { Session } from '../session.js';

export function registerNotBeforeCommands(cli: Session): void {
  const { context, print } = cli;
  cli.group('not-before', 'revoke every token issued before now')
    .command('push')
    .description("set the realm's (or with --client a client's) not-before to now")
    .argument('<realm>')
    .option('--client <clientId>', 'only this client')
    .action(async (realmName: string, opts: { client?: string }, cmd: Command) => {
      const result = await pushNotBefore(context(cmd), realmName, opts.client);
      print(cmd, { realm: realmName, ...result }, () => [
        `not-before of ${opts.client === undefined ? `realm ${realmName}` : `client ${opts.client}`} set to ${date(result.notBefore)}: earlier tokens are stale`,
      ]);
    });
}
