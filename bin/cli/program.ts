/**
 * sa-admin's program: the global options, every command group (one module each under
 * commands/, registered in the order `--help` lists them), and one place where an error
 * becomes the one line on stderr and the exit status.
 *
 * Output: human-readable lines on stdout, or JSON with --json. Errors: one line on stderr,
 * `sa-admin: <message>`, exit 1; usage errors exit 2. A generated secret is printed once, on
 * stdout; a stored hash or ciphertext never is.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { AdminError } from '../../lib/admin/errors.js';
import { RealmImportError } from '../../lib/admin/realmImport.js';
import { registerBootstrapAdminCommands } from './commands/bootstrapAdmin.js';
import { registerClientCommands } from './commands/client.js';
import { registerClientScopeCommands } from './commands/clientScope.js';
import { registerClientScopeAssignmentCommands } from './commands/clientScopeAssignment.js';
import { registerGroupCommands } from './commands/group.js';
import { registerIdentityProviderCommands } from './commands/identityProvider.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerMapperCommands } from './commands/mapper.js';
import { registerNotBeforeCommands } from './commands/notBefore.js';
import { registerRealmCommands } from './commands/realm.js';
import { registerRealmFileCommands } from './commands/realmFile.js';
import { registerRoleCommands } from './commands/role.js';
import { registerServiceAccountCommands } from './commands/serviceAccount.js';
import { registerTokenCommands } from './commands/token.js';
import type { CliIo } from './io.js';
import { CliProblems, createSession, type GlobalOptions, type Session } from './session.js';

/** The command groups, in the order `sa-admin --help` lists them. */
const COMMAND_GROUPS: readonly ((cli: Session) => void)[] = [
  registerRealmFileCommands,
  registerRealmCommands,
  registerClientCommands,
  registerClientScopeAssignmentCommands,
  registerIdentityProviderCommands,
  registerRoleCommands,
  registerClientScopeCommands,
  registerServiceAccountCommands,
  registerMapperCommands,
  registerGroupCommands,
  registerTokenCommands,
  registerNotBeforeCommands,
  registerKeysCommands,
  registerBootstrapAdminCommands,
];

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function createProgram(io: CliIo): Command {
  const program = new Command('sa-admin')
    .description('Administer realms, clients, roles and signing keys of sa-token-service (the Keycloak-compatible service-account token service).')
    // SA_ADMIN_STAGE is read in session.ts from this run's environment (CliIo), not by commander
    // from process.env, so an in-process run sees the environment it is given.
    .addOption(new Option('--stage <stage>', 'the deployed stage whose tables and keys to use').default('dev', '"dev", env: SA_ADMIN_STAGE'))
    .option('--local', 'use the local stack that `npm start` runs (stage local; the AWS_ENDPOINT_URL_* it prints, else DYNAMODB_PORT, KMS_PORT)')
    .option('--json', 'machine-readable output')
    .version(VERSION)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (message, write) => write(`sa-admin: ${message.replace(/^error: /, '').trim()}\n`),
    })
    .addHelpText(
      'after',
      `
AWS access uses the standard SDK configuration (AWS_REGION, AWS_PROFILE, credentials,
AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_KMS). Tables: sa-token-service-<stage>-clients.
Exit status: 0 on success, 1 on an error (one line on stderr), 2 on a usage error.

Examples:
  sa-admin --local import-realm realm-export.json
  sa-admin --local client create demo billing --service-accounts
  sa-admin --local sa grant demo billing read --client product-api
  sa-admin --local mapper audience demo --client billing --audience product-api
  sa-admin --local token preview demo billing
  sa-admin --stage prod keys rotate demo
  KC_BOOTSTRAP_ADMIN_CLIENT_SECRET=… sa-admin --local bootstrap-admin service --client-id temp-admin`,
    );
  const session = createSession(program, io);
  for (const register of COMMAND_GROUPS) register(session);
  return program;
}

/** One line, never a stack trace; AWS errors by name, with a hint for the usual causes. */
function errorLine(err: unknown): string {
  if (err instanceof AdminError) return err.message;
  const e = err as { name?: string; message?: string; code?: string };
  const message = String(e.message ?? err).split('\n')[0] ?? '';
  if (e.name === 'ResourceNotFoundException') return `${message} (is the stage deployed, the --stage and region right, or is \`npm start\` running for --local?)`;
  if (e.code === 'ECONNREFUSED') return `${message} (is \`npm start\` running for --local?)`;
  if (e.name === 'CredentialsProviderError') return `${message} (configure AWS credentials as for the AWS CLI)`;
  // The SDK's own words name no way out: say both.
  if (message === 'Region is missing') {
    return 'no AWS region: give --local for the stack `npm start` runs, or --stage STAGE with AWS_REGION (or a profile with a region) for a deployed one';
  }
  return e.name && e.name !== 'Error' ? `${e.name}: ${message}` : message;
}

/**
 * Runs `sa-admin` with these arguments (without node and the script) and returns the exit status:
 * 0 success (or help), 1 an error, 2 a usage error.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  // Keycloak's spelling `--client-secret:env=VAR` (kc.sh bootstrap-admin), as this parser knows it.
  const argv = args.map((arg) => arg.replace(/^--client-secret:env(?==|$)/, '--client-secret-env'));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    // Commander already wrote its message (or the help). Help asked for is success; the rest is usage.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const problems = err instanceof RealmImportError || err instanceof CliProblems ? err.problems : undefined;
    if (problems && program.opts<GlobalOptions>().json) io.stdout(`${JSON.stringify({ problems }, null, 2)}\n`);
    if (err instanceof CliProblems) io.stderr(`sa-admin: ${err.summary}\n${err.lines.map((line) => `  ${line.replace(/\s*\n\s*/g, ' ')}\n`).join('')}`);
    else io.stderr(`sa-admin: ${errorLine(err).replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
}
