/** `import-realm` and `export-realm`: a realm as Keycloak's realm-export JSON. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { exportRealm } from '../../../lib/admin/realmExport.js';
import { importRealmExport } from '../../../lib/admin/realmImport.js';
import type { Session } from '../session.js';

export function registerRealmFileCommands(cli: Session): void {
  const { program, context, print } = cli;

  program
    .command('import-realm')
    .description('import a Keycloak realm export (kc.sh export, or the admin console partial export); idempotent')
    .argument('<file>', 'the realm export JSON, or - for stdin')
    .option('--dry-run', 'validate and report what would be imported; write nothing')
    .option('--generate-secrets', 'give confidential clients without a secret (in the file or stored here) a new one, printed once')
    .action(async (file: string, opts: { dryRun?: boolean; generateSecrets?: boolean }, cmd: Command) => {
      const json = await cli.readJson(file);
      const show = { secrets: cli.progress('hashing secrets'), items: cli.progress('writing items') };
      const report = await importRealmExport(context(cmd), json, {
        dryRun: opts.dryRun ?? false,
        generateSecrets: opts.generateSecrets ?? false,
        onProgress: (phase, done, total) => {
          if (phase === 'items') show.secrets.end();
          show[phase](done, total);
        },
      }).finally(() => (show.secrets.end(), show.items.end()));
      const { clients, roles, clientScopes, serviceAccounts, groups, protocolMappers } = report.counts;
      print(cmd, report, () => [
        `${report.dryRun ? 'dry run, nothing written: would import' : 'imported'} realm ${report.realm}: ${clients} clients, ${roles} roles, ` +
          `${clientScopes} client scopes, ${groups} groups, ${protocolMappers} protocol mappers, ${serviceAccounts} service accounts (${report.items} items)`,
        ...report.notes.map((note) => `note: ${note}`),
        ...report.skipped.map((what) => `skipped: ${what}`),
        ...report.keysCreated.map((key) => `created signing key ${key.kid} (${key.alg})`),
        ...report.newSecrets.map((s) => (s.secret === undefined ? `would generate a secret for ${s.clientId}` : `secret for ${s.clientId}: ${s.secret}`)),
        ...(report.newSecrets.some((s) => s.secret !== undefined) ? ['(secrets are shown once: only their hashes are stored)'] : []),
      ]);
    });

  program
    .command('export-realm')
    .description('write the realm as Keycloak realm-export JSON (never any secret)')
    .argument('<realm>')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (realm: string, opts: { out?: string }, cmd: Command) => {
      const exported = await exportRealm(context(cmd).table, realm);
      const text = `${JSON.stringify(exported, null, 2)}\n`;
      if (opts.out === undefined) {
        cli.io.stdout(text);
        return;
      }
      await writeFile(opts.out, text, { mode: 0o600 });
      const clients = (exported.clients as unknown[]).length;
      print(cmd, { realm, out: opts.out, clients }, () => [`exported realm ${realm} (${clients} clients) to ${opts.out}`]);
    });
}
