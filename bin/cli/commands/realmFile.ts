/** `import-realm` and `export-realm`: a realm as Keycloak's realm-export JSON. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { exportRealm } from '../../../lib/admin/realmExport.js';
import { importRealmExport, RealmImportError, type ImportProblem } from '../../../lib/admin/realmImport.js';
import { CliProblems, type Session } from '../session.js';

/** A problem as an operator finds it in the file: a client by its clientId rather than its index. */
function problemLine(problem: ImportProblem, json: unknown): string {
  const at = /^clients\[(\d+)\]\.?/.exec(problem.path);
  const clients = (json as { clients?: unknown } | null)?.clients;
  const clientId = at && Array.isArray(clients) ? (clients[Number(at[1])] as { clientId?: unknown } | undefined)?.clientId : undefined;
  if (!at || typeof clientId !== 'string' || clientId === '') return `${problem.path}: ${problem.message}`;
  const rest = problem.path.slice(at[0].length);
  return `client '${clientId}'${rest === '' ? '' : ` ${rest}`}: ${problem.message}`;
}

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
      })
        .catch((err: unknown) => {
          if (!(err instanceof RealmImportError)) throw err;
          const count = err.problems.length;
          throw new CliProblems(`the realm export has ${count} ${count === 1 ? 'problem' : 'problems'}:`, err.problems.map((p) => problemLine(p, json)), err.problems);
        })
        .finally(() => (show.secrets.end(), show.items.end()));
      const { clients, roles, clientScopes, serviceAccounts, groups, protocolMappers } = report.counts;
      print(cmd, report, () => [
        `${report.dryRun ? 'dry run, nothing written: would import' : 'imported'} realm ${report.realm}: ${clients} clients, ${roles} roles, ` +
          `${clientScopes} client scopes, ${groups} groups, ${protocolMappers} protocol mappers, ${serviceAccounts} service accounts (${report.items} items)`,
        ...report.notes.map((note) => `note: ${note}`),
        ...report.skipped.map((what) => `skipped: ${what}`),
        ...report.keysCreated.map((key) => `created signing key ${key.kid} (${key.alg})`),
        ...report.newSecrets.map((s) => (s.secret === undefined ? `would generate a secret for ${s.clientId}` : `secret for ${s.clientId}: ${s.secret}`)),
        ...(report.newSecrets.some((s) => s.secret !== undefined) ? ['(secrets are shown once: only hashes and KMS-encrypted copies are stored)'] : []),
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
