/**
 * sa-admin: the operator's command line (GitHub issue 5), shaped like Keycloak's kcadm.sh and the
 * AWS CLI. This file only parses arguments, calls lib/admin and prints; every rule lives there.
 *
 * Output: human-readable lines on stdout, or JSON with --json. Errors: one line on stderr,
 * `sa-admin: <message>`, exit 1; usage errors exit 2. A generated secret is printed once, on
 * stdout; a stored hash or ciphertext never is.
 */
import { secretsKeyAlias, signingKeyAliases, tableNames } from '../lib/stageNames.js';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { addMappings, removeMappings, type MappingChange, type MappingTarget } from '../lib/admin/mappings.js';
import { createClient, deleteClient, listClients, rotateSecret, setClientEnabled, showClient, type ClientView } from '../lib/admin/clients.js';
import { createAdminContext, type AdminContext } from '../lib/admin/context.js';
import { bootstrapAdminService } from '../lib/admin/bootstrap.js';
import { isLoopbackUrl } from '../lib/clientAuth/jwksUrl.js';
import { AdminError } from '../lib/admin/errors.js';
import { ensureKeys, listKeys, rotateKeys, type KeyView } from '../lib/admin/keys.js';
import { describeRole, type RoleName } from '../lib/admin/lookup.js';
import { pushNotBefore } from '../lib/admin/notBefore.js';
import { exportRealm } from '../lib/admin/realmExport.js';
import { importRealmExport, RealmImportError } from '../lib/admin/realmImport.js';
import { ensureAdministration } from '../lib/admin/realmManagement.js';
import { createRealm, deleteRealm, showRealm, updateRealm, type RealmChanges } from '../lib/admin/realms.js';
import { createClientScope, deleteClientScope, findClientScopeByName, listClientScopes, updateClientScope } from '../lib/admin/clientScopes.js';
import { createRole, deleteRole, listRoles, updateRole } from '../lib/admin/roles.js';
import {
  addServiceAccountToGroup,
  createGroup,
  deleteGroup,
  grantGroupRoles,
  listGroupMembers,
  listGroups,
  removeServiceAccountFromGroup,
  revokeGroupRoles,
  setGroupAttribute,
  type GroupRoleChange,
} from '../lib/admin/groups.js';
import {
  addProtocolMapper,
  describeOwner,
  listProtocolMappers,
  mapperTemplates,
  removeProtocolMapper,
  type MapperFlags,
  type MapperOwner,
  type NewProtocolMapper,
} from '../lib/admin/protocolMappers.js';
import { getServiceAccount, setServiceAccountAttribute, updateServiceAccountProfile } from '../lib/admin/serviceAccounts.js';
import { previewToken } from '../lib/admin/tokenPreview.js';
import type { ClientAuthenticatorType, ProtocolMapper, Role, RoleMappings, SignatureAlgorithm, SigningMode } from '../lib/store/model.js';

const SERVICE = 'sa-token-service';

// The SDK's notice that its 2027 releases need Node 22 is for the maintainers (package.json
// engines), not an operator's terminal, where it would bury the one-line result or error.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `sa-admin --help | head -1`: once the reader has gone, the rest of the output has nowhere to go.
// End quietly, as Unix filters do, rather than die on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

interface GlobalOptions {
  stage: string;
  local?: boolean;
  json?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Target, output, errors

function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/**
 * `--local`: the stack `npm start` runs (stage `local`, its ports). Otherwise the stage's tables
 * and keys through the standard AWS SDK configuration. SA_ADMIN_CLIENTS_TABLE overrides the table
 * name (tests use it for their throw-away tables).
 */
function context(cmd: Command): AdminContext {
  const options = globals(cmd);
  if (options.local && program.getOptionValueSource('stage') === 'cli') usage('give --local or --stage, not both');
  const stage = options.local ? 'local' : options.stage;
  const env = process.env;
  return createAdminContext({
    names: {
      stage,
      service: SERVICE,
      clientsTable: env.SA_ADMIN_CLIENTS_TABLE || tableNames(stage, SERVICE).clients,
      signingKeyAliases: signingKeyAliases(stage, SERVICE),
      secretsKeyId: secretsKeyAlias(stage, SERVICE),
    },
    ...(options.local
      ? { local: { dynamodb: `http://127.0.0.1:${env.DYNAMODB_PORT || 8000}`, kms: `http://127.0.0.1:${env.KMS_PORT || 4599}` } }
      : {}),
    // Tables reached on this machine (DynamoDB Local through AWS_ENDPOINT_URL_DYNAMODB) are a local stage.
    localStage: isLoopbackUrl(env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL),
  });
}

function print(cmd: Command, json: unknown, text: () => string[]): void {
  const out = globals(cmd).json ? [JSON.stringify(json, null, 2)] : text();
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
}

/** A progress line on a terminal, nothing otherwise (pipes and CI logs stay clean). */
function progress(label: string): ((done: number, total: number) => void) & { end(): void } {
  let shown = false;
  const update = (done: number, total: number) => {
    if (!process.stderr.isTTY) return;
    shown = true;
    process.stderr.write(`\r${label}: ${done}/${total}`);
  };
  return Object.assign(update, {
    end: () => {
      if (shown) process.stderr.write('\n');
      shown = false;
    },
  });
}

function usage(message: string): never {
  return program.error(message, { exitCode: 2, code: 'sa-admin.usage' });
}

/** One line, never a stack trace; AWS errors by name, with a hint for the usual causes. */
function errorLine(err: unknown): string {
  if (err instanceof AdminError) return err.message;
  const e = err as { name?: string; message?: string; code?: string };
  const message = String(e.message ?? err).split('\n')[0] ?? '';
  if (e.name === 'ResourceNotFoundException') return `${message} (is the stage deployed, the --stage and region right, or is \`npm start\` running for --local?)`;
  if (e.code === 'ECONNREFUSED') return `${message} (is \`npm start\` running for --local?)`;
  if (e.name === 'CredentialsProviderError') return `${message} (configure AWS credentials as for the AWS CLI)`;
  return e.name && e.name !== 'Error' ? `${e.name}: ${message}` : message;
}

// ---------------------------------------------------------------------------------------------
// Argument parsers and formatting

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

function choice<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!values.includes(value as T)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return value as T;
  };
}

const date = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');

const roleName = (name: string, owner: string | undefined): RoleName => (owner === undefined ? { name } : { client: owner, name });

function mappingsText(mappings: RoleMappings): string {
  const names = [...mappings.realm, ...Object.entries(mappings.client).flatMap(([owner, roles]) => roles.map((role) => `${owner}:${role}`))];
  return names.length > 0 ? names.join(', ') : '(none)';
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** `key: value` lines; nested values as compact JSON. */
function fields(obj: object): string[] {
  return Object.entries(obj).map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
}

function keyRows(keys: KeyView[]): string[] {
  return table([
    ['KID', 'ALG', 'PROVIDER', 'STATUS', 'CREATED', 'RETIRE_AT'],
    ...keys.map((key) => [key.kid, key.alg, key.provider, key.status, date(key.createdAt), key.retireAt === undefined ? '-' : date(key.retireAt)]),
  ]);
}

function roleLine(role: Role): string {
  const composite = role.composite ? ` (composite of ${mappingsText(role.composites ?? { realm: [], client: {} })})` : '';
  return `${describeRole(role)}${composite}`;
}

async function readInput(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new AdminError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

async function readJson(file: string): Promise<unknown> {
  const text = await readInput(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AdminError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The program

const program = new Command('sa-admin')
  .description('Administer realms, clients, roles and signing keys of sa-token-service (the Keycloak-compatible service-account token service).')
  .addOption(new Option('--stage <stage>', "the deployed stage whose tables and keys to use").env('SA_ADMIN_STAGE').default('dev'))
  .option('--local', 'use the local stack that `npm start` runs (stage local, DYNAMODB_PORT, KMS_PORT)')
  .option('--json', 'machine-readable output')
  .version((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version)
  .showSuggestionAfterError()
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(`sa-admin: ${message.replace(/^error: /, '').trim()}\n`) })
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

/** A command group (`realm`, `client`, …): a missing or unknown subcommand is a one-line usage error. */
function group(name: string, description: string): Command {
  const cmd = program.command(name).description(description).usage('<command> [options]');
  cmd.argument('[command...]').action(([sub]: string[]) => {
    const names = cmd.commands.map((c) => c.name()).join(', ');
    usage(sub === undefined ? `${name}: missing command (one of ${names})` : `${name}: unknown command '${sub}' (one of ${names})`);
  });
  return cmd;
}

program
  .command('import-realm')
  .description('import a Keycloak realm export (kc.sh export, or the admin console partial export); idempotent')
  .argument('<file>', 'the realm export JSON, or - for stdin')
  .option('--dry-run', 'validate and report what would be imported; write nothing')
  .option('--generate-secrets', 'give confidential clients without a secret (in the file or stored here) a new one, printed once')
  .action(async (file: string, opts: { dryRun?: boolean; generateSecrets?: boolean }, cmd: Command) => {
    const json = await readJson(file);
    const show = { secrets: progress('hashing secrets'), items: progress('writing items') };
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
      process.stdout.write(text);
      return;
    }
    await writeFile(opts.out, text, { mode: 0o600 });
    const clients = (exported.clients as unknown[]).length;
    print(cmd, { realm, out: opts.out, clients }, () => [`exported realm ${realm} (${clients} clients) to ${opts.out}`]);
  });

// realm ------------------------------------------------------------------------------------------

const realm = group('realm', 'create, show, update or delete a realm');

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
    const show = progress('deleting items');
    const deleted = await deleteRealm(context(cmd), name, show).finally(show.end);
    print(cmd, { realm: name, deleted }, () => [`deleted realm ${name} (${deleted} items)`]);
  });

// client -----------------------------------------------------------------------------------------

const client = group('client', 'create, list, show, delete, enable or disable clients; rotate secrets');

const clientRow = (c: ClientView) => [
  c.clientId,
  c.enabled ? 'enabled' : 'disabled',
  c.publicClient ? 'public' : c.bearerOnly ? 'bearer-only' : c.clientAuthenticatorType,
  c.serviceAccountsEnabled ? 'service-account' : '-',
];

client
  .command('create')
  .description('register a confidential client; prints its generated secret once')
  .argument('<realm>')
  .argument('<clientId>')
  .option('--service-accounts', 'enable service accounts (client credentials grant); the account gets the realm default role')
  .option('--full-scope', 'tokens may carry every role of the service account (the default)')
  .option('--no-full-scope', 'tokens carry only roles in the client scope mappings')
  .option('--refresh-tokens', 'issue refresh tokens with client credentials (client_credentials.use_refresh_token)')
  .option('--auth <type>', 'client authentication: client-secret (default), client-jwt or client-secret-jwt', choice(['client-secret', 'client-jwt', 'client-secret-jwt'] as const))
  .addOption(new Option('--jwks <file>', 'client-jwt: a file with the public JWKS (or JWK)').conflicts('jwksUrl'))
  .option('--jwks-url <url>', "client-jwt: the URL of the client's JWKS")
  .action(
    async (
      realmName: string,
      clientId: string,
      opts: { serviceAccounts?: boolean; fullScope?: boolean; refreshTokens?: boolean; auth?: ClientAuthenticatorType; jwks?: string; jwksUrl?: string },
      cmd: Command,
    ) => {
      const created = await createClient(context(cmd), realmName, clientId, {
        serviceAccounts: opts.serviceAccounts ?? false,
        fullScopeAllowed: opts.fullScope ?? true,
        refreshTokens: opts.refreshTokens ?? false,
        ...(opts.auth === undefined ? {} : { auth: opts.auth }),
        ...(opts.jwks === undefined ? {} : { jwks: await readInput(opts.jwks) }),
        ...(opts.jwksUrl === undefined ? {} : { jwksUrl: opts.jwksUrl }),
      });
      print(cmd, { clientId, ...(created.secret === undefined ? {} : { secret: created.secret }) }, () => [
        `created client ${clientId} in realm ${realmName}`,
        ...(created.secret === undefined ? [] : [`secret: ${created.secret}`, '(shown once: only its hash is stored)']),
      ]);
    },
  );

client
  .command('list')
  .description("list a realm's clients")
  .argument('<realm>')
  .action(async (realmName: string, _opts: unknown, cmd: Command) => {
    const clients = await listClients(context(cmd), realmName);
    print(cmd, clients, () => (clients.length === 0 ? ['(no clients)'] : table([['CLIENT_ID', 'STATE', 'AUTH', 'SERVICE_ACCOUNT'], ...clients.map(clientRow)])));
  });

client
  .command('show')
  .description('show a client (never its secret)')
  .argument('<realm>')
  .argument('<clientId>')
  .action(async (realmName: string, clientId: string, _opts: unknown, cmd: Command) => {
    const view = await showClient(context(cmd), realmName, clientId);
    print(cmd, view, () => fields(view));
  });

client
  .command('delete')
  .description('delete a client, its roles, and every mapping of its roles')
  .argument('<realm>')
  .argument('<clientId>')
  .action(async (realmName: string, clientId: string, _opts: unknown, cmd: Command) => {
    const result = await deleteClient(context(cmd), realmName, clientId);
    print(cmd, { clientId, ...result }, () => [
      `deleted client ${clientId} (${result.rolesDeleted} roles, ${result.referencesRemoved} items that mapped its roles updated)`,
    ]);
  });

for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
  client
    .command(name)
    .description(`${name} a client (takes effect on its next request)`)
    .argument('<realm>')
    .argument('<clientId>')
    .action(async (realmName: string, clientId: string, _opts: unknown, cmd: Command) => {
      const view = await setClientEnabled(context(cmd), realmName, clientId, enabled);
      print(cmd, { clientId, enabled: view.enabled }, () => [`client ${clientId} ${enabled ? 'enabled' : 'disabled'}`]);
    });
}

client
  .command('rotate-secret')
  .description("generate a new client secret, printed once; the old one works for --grace seconds")
  .argument('<realm>')
  .argument('<clientId>')
  .option('--grace <seconds>', 'how long the previous secret keeps working (default 0: stops at once)', wholeNumber)
  .action(async (realmName: string, clientId: string, opts: { grace?: number }, cmd: Command) => {
    const issued = await rotateSecret(context(cmd), realmName, clientId, opts.grace ?? 0);
    print(cmd, issued, () => [
      `new secret for ${clientId}: ${issued.secret}`,
      issued.previousSecretExpiresAt === undefined
        ? 'the previous secret no longer works'
        : `the previous secret works until ${date(issued.previousSecretExpiresAt)}`,
      '(shown once: only its hash is stored)',
    ]);
  });

// role -------------------------------------------------------------------------------------------

const role = group('role', 'create, update, list or delete realm and client roles');

interface RoleFlags {
  client?: string;
  compositeOf?: string[];
  plain?: boolean;
  description?: string;
  rename?: string;
  attribute?: string[];
}

/** `KEY=VALUE` pairs, a key given twice holding several values (Keycloak role attributes are lists). */
function roleAttributes(pairs: string[] | undefined): Record<string, string[]> | undefined {
  if (pairs === undefined) return undefined;
  const attributes: Record<string, string[]> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) usage(`--attribute ${pair}: expected KEY=VALUE`);
    (attributes[pair.slice(0, at)] ??= []).push(pair.slice(at + 1));
  }
  return attributes;
}

role
  .command('create')
  .description('create a realm role, or a client role with --client')
  .argument('<realm>')
  .argument('<role>')
  .option('--client <owner>', 'the clientId owning the role (a client role)')
  .option('--composite-of <roles...>', 'make it a composite of these roles: ROLE (realm) or CLIENT:ROLE')
  .option('--description <text>')
  .action(async (realmName: string, name: string, opts: RoleFlags, cmd: Command) => {
    const created = await createRole(context(cmd), realmName, roleName(name, opts.client), {
      ...(opts.compositeOf === undefined ? {} : { compositeOf: opts.compositeOf }),
      ...(opts.description === undefined ? {} : { description: opts.description }),
    });
    print(cmd, created, () => [`created ${roleLine(created)}`]);
  });

role
  .command('update')
  .description("change a role's composites or description")
  .argument('<realm>')
  .argument('<role>')
  .option('--client <owner>', 'the clientId owning the role')
  .addOption(new Option('--composite-of <roles...>', 'replace its composites: ROLE (realm) or CLIENT:ROLE').conflicts('plain'))
  .option('--plain', 'remove all its composites')
  .option('--description <text>')
  .option('--rename <name>', 'a new name; every mapping, composite and scope mapping of the role follows')
  .option('--attribute <KEY=VALUE...>', "replace the role's attributes (a key given twice holds both values)")
  .action(async (realmName: string, name: string, opts: RoleFlags, cmd: Command) => {
    const compositeOf = opts.plain ? [] : opts.compositeOf;
    const attributes = roleAttributes(opts.attribute);
    if (compositeOf === undefined && opts.description === undefined && opts.rename === undefined && attributes === undefined) {
      usage('role update: give --composite-of, --plain, --description, --rename or --attribute');
    }
    const updated = await updateRole(context(cmd), realmName, roleName(name, opts.client), {
      ...(compositeOf === undefined ? {} : { compositeOf }),
      ...(opts.description === undefined ? {} : { description: opts.description }),
      ...(opts.rename === undefined ? {} : { name: opts.rename }),
      ...(attributes === undefined ? {} : { attributes }),
    });
    print(cmd, updated, () => [`updated ${roleLine(updated)}`]);
  });

role
  .command('list')
  .description("list a realm's roles")
  .argument('<realm>')
  .option('--client <owner>', "only this client's roles")
  .action(async (realmName: string, opts: RoleFlags, cmd: Command) => {
    const roles = await listRoles(context(cmd), realmName, opts.client);
    print(cmd, roles, () => roles.map(roleLine));
  });

role
  .command('delete')
  .description('delete a role and every mapping and composite that names it')
  .argument('<realm>')
  .argument('<role>')
  .option('--client <owner>', 'the clientId owning the role')
  .action(async (realmName: string, name: string, opts: RoleFlags, cmd: Command) => {
    const target = roleName(name, opts.client);
    const result = await deleteRole(context(cmd), realmName, target);
    print(cmd, { ...target, ...result }, () => [`deleted ${describeRole(target)} (${result.referencesRemoved} items that named it updated)`]);
  });

// client-scope -----------------------------------------------------------------------------------

const clientScope = group('client-scope', 'create, update, list or delete client scopes');

/** Keycloak's attribute that puts a scope's name in the `scope` claim. */
const scopeAttributes = (opts: { inTokenScope?: boolean; attribute?: string[] }): Record<string, string> | undefined => {
  const pairs = roleAttributes(opts.attribute);
  if (pairs === undefined && opts.inTokenScope === undefined) return undefined;
  const attributes = Object.fromEntries(Object.entries(pairs ?? {}).map(([key, values]) => [key, values.at(-1)!]));
  return { ...attributes, ...(opts.inTokenScope === undefined ? {} : { 'include.in.token.scope': String(opts.inTokenScope) }) };
};

clientScope
  .command('list')
  .description("list a realm's client scopes with their ids")
  .argument('<realm>')
  .action(async (realmName: string, _opts: object, cmd: Command) => {
    const scopes = await listClientScopes(context(cmd), realmName);
    print(cmd, scopes, () => scopes.map((scope) => `${scope.name} (${scope.id})${scope.includeInTokenScope ? '' : ', not in the scope claim'}`));
  });

clientScope
  .command('create')
  .description('create a client scope (OpenID Connect)')
  .argument('<realm>')
  .argument('<name>')
  .option('--description <text>')
  .option('--no-in-token-scope', "leave the scope's name out of the scope claim")
  .option('--attribute <KEY=VALUE...>', 'other Keycloak client scope attributes')
  .action(async (realmName: string, name: string, opts: { description?: string; inTokenScope?: boolean; attribute?: string[] }, cmd: Command) => {
    const created = await createClientScope(context(cmd), realmName, {
      name,
      ...(opts.description === undefined ? {} : { description: opts.description }),
      attributes: scopeAttributes(opts) ?? { 'include.in.token.scope': 'true' },
    });
    print(cmd, created, () => [`created client scope ${created.name} (${created.id})`]);
  });

clientScope
  .command('update')
  .description("change a client scope's name, description or attributes; clients and realm defaults follow a rename")
  .argument('<realm>')
  .argument('<name>')
  .option('--rename <name>')
  .option('--description <text>')
  .option('--in-token-scope <yes>', 'true or false: whether the name goes in the scope claim', (value) => value === 'true')
  .option('--attribute <KEY=VALUE...>', 'replace the attributes')
  .action(async (realmName: string, name: string, opts: { rename?: string; description?: string; inTokenScope?: boolean; attribute?: string[] }, cmd: Command) => {
    const ctx = context(cmd);
    const scope = await findClientScopeByName(ctx, realmName, name);
    if (!scope) throw new AdminError(`client scope '${name}' does not exist in realm '${realmName}'`, 'not-found');
    const given = scopeAttributes(opts);
    const updated = await updateClientScope(ctx, realmName, scope.id!, {
      ...(opts.rename === undefined ? {} : { name: opts.rename }),
      ...(opts.description === undefined ? {} : { description: opts.description }),
      ...(given === undefined ? {} : { attributes: opts.attribute === undefined ? { ...scope.attributes, ...given } : given }),
    });
    print(cmd, updated, () => [`updated client scope ${updated.name} (${updated.id})`]);
  });

clientScope
  .command('delete')
  .description('delete a client scope that no client and no realm default list names')
  .argument('<realm>')
  .argument('<name>')
  .action(async (realmName: string, name: string, _opts: object, cmd: Command) => {
    const ctx = context(cmd);
    const scope = await findClientScopeByName(ctx, realmName, name);
    if (!scope) throw new AdminError(`client scope '${name}' does not exist in realm '${realmName}'`, 'not-found');
    await deleteClientScope(ctx, realmName, scope.id!);
    print(cmd, { name, id: scope.id }, () => [`deleted client scope ${name}`]);
  });

// sa, scope --------------------------------------------------------------------------------------

function mappingCommands(cmd: Command, target: MappingTarget, verbs: { add: string; remove: string }, what: string): void {
  for (const [verb, add] of [[verbs.add, true], [verbs.remove, false]] as const) {
    cmd
      .command(verb)
      .description(`${verb} ${what} (realm roles, or roles of the client given with --client)`)
      .argument('<realm>')
      .argument('<clientId>')
      .argument('<roles...>')
      .option('--client <owner>', 'the roles are client roles of this clientId')
      .action(async (realmName: string, clientId: string, names: string[], opts: { client?: string }, sub: Command) => {
        const roles = names.map((name) => roleName(name, opts.client));
        const change: MappingChange = await (add ? addMappings : removeMappings)(context(sub), realmName, clientId, target, roles);
        print(sub, change, () => [
          ...(change.changed.length > 0 ? [`${verb}: ${change.changed.map(describeRole).join(', ')}`] : []),
          ...(change.unchanged.length > 0 ? [`${add ? 'already there' : 'not there'}: ${change.unchanged.map(describeRole).join(', ')}`] : []),
          `${clientId} ${target === 'scope' ? 'scope mappings' : 'service-account roles'}: ${mappingsText(change.roles)}`,
        ]);
      });
  }
}

mappingCommands(group('sa', "grant or revoke a client's service-account roles"), 'serviceAccount', { add: 'grant', remove: 'revoke' }, 'service-account roles');
mappingCommands(group('scope', "add or remove a client's scope mappings (used when full scope is off)"), 'scope', { add: 'add', remove: 'remove' }, 'scope mappings');

// sa attributes and profile ----------------------------------------------------------------------

const sa = program.commands.find((c) => c.name() === 'sa')!;

sa.command('show')
  .description("show a client's service-account user: id, roles, groups, attributes, email and names")
  .argument('<realm>')
  .argument('<clientId>')
  .action(async (realmName: string, clientId: string, _opts: unknown, cmd: Command) => {
    const account = await getServiceAccount(context(cmd), realmName, clientId);
    print(cmd, account, () => fields(account));
  });

sa.command('set-attribute')
  .description('set a service-account attribute (mappers can put it in tokens); no value removes it')
  .argument('<realm>')
  .argument('<clientId>')
  .argument('<name>')
  .argument('[values...]')
  .action(async (realmName: string, clientId: string, name: string, values: string[], _opts: unknown, cmd: Command) => {
    const account = await setServiceAccountAttribute(context(cmd), realmName, clientId, name, values);
    print(cmd, account, () => [values.length === 0 ? `removed attribute ${name} of ${account.username}` : `${account.username}: ${name} = ${values.join(', ')}`]);
  });

sa.command('set-profile')
  .description("set the service account's email or names (an empty value clears one)")
  .argument('<realm>')
  .argument('<clientId>')
  .option('--email <email>')
  .option('--first-name <name>')
  .option('--last-name <name>')
  .addOption(new Option('--email-verified', 'mark the email verified').conflicts('emailNotVerified'))
  .option('--email-not-verified', 'mark the email not verified')
  .action(async (realmName: string, clientId: string, opts: { email?: string; firstName?: string; lastName?: string; emailVerified?: boolean; emailNotVerified?: boolean }, cmd: Command) => {
    const emailVerified = opts.emailVerified ? true : opts.emailNotVerified ? false : undefined;
    if ([opts.email, opts.firstName, opts.lastName, emailVerified].every((v) => v === undefined)) usage('sa set-profile: give --email, --first-name, --last-name or --email-verified');
    const account = await updateServiceAccountProfile(context(cmd), realmName, clientId, {
      ...(opts.email === undefined ? {} : { email: opts.email }),
      ...(opts.firstName === undefined ? {} : { firstName: opts.firstName }),
      ...(opts.lastName === undefined ? {} : { lastName: opts.lastName }),
      ...(emailVerified === undefined ? {} : { emailVerified }),
    });
    print(cmd, account, () => [`updated ${account.username}`]);
  });

// mapper -----------------------------------------------------------------------------------------

const mapper = group('mapper', 'list, add or remove protocol mappers of a client or a client scope');

interface OwnerFlags {
  client?: string;
  clientScope?: string;
}

function ownerOf(opts: OwnerFlags): MapperOwner {
  if ((opts.client === undefined) === (opts.clientScope === undefined)) usage('give --client CLIENT_ID or --client-scope SCOPE (one of them)');
  return opts.client !== undefined ? { client: opts.client } : { clientScope: opts.clientScope! };
}

function ownerOptions(cmd: Command): Command {
  return cmd.option('--client <clientId>', "the client's own (dedicated) mappers").option('--client-scope <scope>', 'the mappers of a client scope');
}

interface FlagOptions {
  accessToken?: boolean;
  idToken?: boolean;
  introspection?: boolean;
  lightweight?: boolean;
  name?: string;
}

/** --[no-]access-token, --[no-]id-token, --[no-]introspection, --[no-]lightweight: override the type's defaults. */
function flagOptions(cmd: Command): Command {
  for (const [flag, what] of [['access-token', 'the access token'], ['id-token', 'the ID token'], ['introspection', 'the introspection response'], ['lightweight', 'lightweight access tokens']]) {
    cmd.option(`--${flag}`, `add the claim to ${what}`).option(`--no-${flag}`, `leave it out of ${what}`);
  }
  return cmd.option('--name <name>', 'the mapper name (default from the claim)');
}

function mapperFlags(opts: FlagOptions): MapperFlags {
  return Object.fromEntries(
    (['accessToken', 'idToken', 'introspection', 'lightweight'] as const).filter((key) => opts[key] !== undefined).map((key) => [key, opts[key]]),
  ) as MapperFlags;
}

const mapperRow = (m: ProtocolMapper) => [m.name, m.protocolMapper, Object.entries(m.config).map(([k, v]) => `${k}=${v}`).join(' ')];

async function addMapper(cmd: Command, realmName: string, opts: OwnerFlags, input: NewProtocolMapper): Promise<void> {
  const owner = ownerOf(opts);
  const added = await addProtocolMapper(context(cmd), realmName, owner, input);
  print(cmd, added, () => [`added protocol mapper '${added.name}' (${added.protocolMapper}) to ${describeOwner(owner)}`]);
}

ownerOptions(mapper.command('list').description('list the protocol mappers of a client or a client scope').argument('<realm>')).action(
  async (realmName: string, opts: OwnerFlags, cmd: Command) => {
    const mappers = await listProtocolMappers(context(cmd), realmName, ownerOf(opts));
    print(cmd, mappers, () => (mappers.length === 0 ? ['(no protocol mappers)'] : table([['NAME', 'TYPE', 'CONFIG'], ...mappers.map(mapperRow)])));
  },
);

flagOptions(
  ownerOptions(mapper.command('audience').description("add an audience mapper: a client id (--audience) or any string (--custom) in 'aud'").argument('<realm>'))
    .addOption(new Option('--audience <clientId>', 'the client id to add to aud').conflicts('custom'))
    .option('--custom <audience>', 'any string to add to aud'),
).action(async (realmName: string, opts: OwnerFlags & FlagOptions & { audience?: string; custom?: string }, cmd: Command) => {
  if (opts.audience === undefined && opts.custom === undefined) usage('mapper audience: give --audience CLIENT_ID or --custom AUDIENCE');
  await addMapper(cmd, realmName, opts, mapperTemplates.audience({
    ...mapperFlags(opts),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.audience === undefined ? {} : { clientAudience: opts.audience }),
    ...(opts.custom === undefined ? {} : { customAudience: opts.custom }),
  }));
});

flagOptions(
  ownerOptions(mapper.command('hardcoded-claim').description('add a hardcoded claim').argument('<realm>').argument('<claim>', 'the claim name (dots nest, \\. escapes)').argument('<value>'))
    .option('--type <jsonType>', 'String (default), long, int, boolean or JSON', choice(['String', 'long', 'int', 'boolean', 'JSON'] as const)),
).action(async (realmName: string, claim: string, value: string, opts: OwnerFlags & FlagOptions & { type?: string }, cmd: Command) => {
  await addMapper(cmd, realmName, opts, mapperTemplates.hardcodedClaim({
    ...mapperFlags(opts),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    claim,
    value,
    ...(opts.type === undefined ? {} : { jsonType: opts.type }),
  }));
});

flagOptions(
  ownerOptions(mapper.command('user-attribute').description("add a claim from a service-account attribute (or its groups')").argument('<realm>').argument('<attribute>'))
    .option('--claim <name>', 'the claim name (default: the attribute name)')
    .option('--type <jsonType>', 'String (default), long, int, boolean or JSON', choice(['String', 'long', 'int', 'boolean', 'JSON'] as const))
    .option('--multivalued', 'every value, as an array')
    .option('--aggregate', "with the groups' values too"),
).action(async (realmName: string, attribute: string, opts: OwnerFlags & FlagOptions & { claim?: string; type?: string; multivalued?: boolean; aggregate?: boolean }, cmd: Command) => {
  await addMapper(cmd, realmName, opts, mapperTemplates.userAttribute({
    ...mapperFlags(opts),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    attribute,
    ...(opts.claim === undefined ? {} : { claim: opts.claim }),
    ...(opts.type === undefined ? {} : { jsonType: opts.type }),
    multivalued: opts.multivalued ?? false,
    aggregate: opts.aggregate ?? false,
  }));
});

function configPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}

ownerOptions(
  mapper
    .command('add')
    .description("add a mapper of any supported type by Keycloak's provider id, e.g. --type oidc-group-membership-mapper --config claim.name=groups")
    .argument('<realm>')
    .requiredOption('--name <name>', 'the mapper name')
    .requiredOption('--type <providerId>', "Keycloak's protocol mapper type (oidc-…-mapper)")
    .option('--config <key=value>', 'a config entry (repeat for more)', configPair),
).action(async (realmName: string, opts: OwnerFlags & { name: string; type: string; config?: Record<string, string> }, cmd: Command) => {
  await addMapper(cmd, realmName, opts, { name: opts.name, protocolMapper: opts.type, config: opts.config ?? {} });
});

ownerOptions(mapper.command('remove').description('remove a protocol mapper (by name or id)').argument('<realm>').argument('<mapper>')).action(
  async (realmName: string, name: string, opts: OwnerFlags, cmd: Command) => {
    const owner = ownerOf(opts);
    const removed = await removeProtocolMapper(context(cmd), realmName, owner, name);
    print(cmd, removed, () => [`removed protocol mapper '${removed.name}' from ${describeOwner(owner)}`]);
  },
);

// group ------------------------------------------------------------------------------------------

const groups = group('group', 'create, list or delete groups; add service accounts; grant roles; set attributes');

groups
  .command('create')
  .description('create a group; a path like /parent/child makes a subgroup')
  .argument('<realm>')
  .argument('<path>')
  .action(async (realmName: string, path: string, _opts: unknown, cmd: Command) => {
    const created = await createGroup(context(cmd), realmName, path);
    print(cmd, created, () => [`created group ${created.path}`]);
  });

groups
  .command('list')
  .description("list a realm's groups with their roles")
  .argument('<realm>')
  .action(async (realmName: string, _opts: unknown, cmd: Command) => {
    const list = await listGroups(context(cmd), realmName);
    print(cmd, list, () => (list.length === 0 ? ['(no groups)'] : table([['PATH', 'ROLES', 'ATTRIBUTES'], ...list.map((g) => [g.path, mappingsText(g.roles), JSON.stringify(g.attributes)])])));
  });

groups
  .command('delete')
  .description('delete a group, its subgroups and their memberships')
  .argument('<realm>')
  .argument('<path>')
  .action(async (realmName: string, path: string, _opts: unknown, cmd: Command) => {
    const result = await deleteGroup(context(cmd), realmName, path);
    print(cmd, { path, ...result }, () => [`deleted ${result.groupsDeleted} groups (${result.membershipsRemoved} service accounts left them)`]);
  });

groups
  .command('members')
  .description('list the clients whose service accounts are members of a group')
  .argument('<realm>')
  .argument('<path>')
  .action(async (realmName: string, path: string, _opts: unknown, cmd: Command) => {
    const members = await listGroupMembers(context(cmd), realmName, path);
    print(cmd, members, () => (members.length === 0 ? ['(no members)'] : members));
  });

for (const [verb, add] of [['add-member', true], ['remove-member', false]] as const) {
  groups
    .command(verb)
    .description(`${add ? 'make' : 'stop'} a client's service account ${add ? 'a member' : 'being a member'} of a group`)
    .argument('<realm>')
    .argument('<path>')
    .argument('<clientId>')
    .action(async (realmName: string, path: string, clientId: string, _opts: unknown, cmd: Command) => {
      const result = await (add ? addServiceAccountToGroup : removeServiceAccountFromGroup)(context(cmd), realmName, clientId, path);
      print(cmd, result, () => [`${clientId} groups: ${result.groups.length === 0 ? '(none)' : result.groups.join(', ')}${result.changed ? '' : ' (unchanged)'}`]);
    });
}

for (const [verb, add] of [['grant', true], ['revoke', false]] as const) {
  groups
    .command(verb)
    .description(`${verb} roles ${add ? 'to' : 'from'} a group (realm roles, or roles of the client given with --client)`)
    .argument('<realm>')
    .argument('<path>')
    .argument('<roles...>')
    .option('--client <owner>', 'the roles are client roles of this clientId')
    .action(async (realmName: string, path: string, names: string[], opts: { client?: string }, cmd: Command) => {
      const change: GroupRoleChange = await (add ? grantGroupRoles : revokeGroupRoles)(context(cmd), realmName, path, names.map((name) => roleName(name, opts.client)));
      print(cmd, change, () => [
        ...(change.changed.length > 0 ? [`${verb}: ${change.changed.map(describeRole).join(', ')}`] : []),
        ...(change.unchanged.length > 0 ? [`${add ? 'already there' : 'not there'}: ${change.unchanged.map(describeRole).join(', ')}`] : []),
        `${change.path} roles: ${mappingsText(change.roles)}`,
      ]);
    });
}

groups
  .command('set-attribute')
  .description("set a group attribute (members' attribute mappers fall back to it); no value removes it")
  .argument('<realm>')
  .argument('<path>')
  .argument('<name>')
  .argument('[values...]')
  .action(async (realmName: string, path: string, name: string, values: string[], _opts: unknown, cmd: Command) => {
    const updated = await setGroupAttribute(context(cmd), realmName, path, name, values);
    print(cmd, updated, () => [`${updated.path}: ${name} = ${values.length === 0 ? '(removed)' : values.join(', ')}`]);
  });

// token preview ----------------------------------------------------------------------------------

group('token', "show what a client's tokens would contain")
  .command('preview')
  .description("print the claims a client's client-credentials grant would get, without signing anything (Keycloak's Evaluate tab)")
  .argument('<realm>')
  .argument('<clientId>')
  .option('--scope <scope>', "the scope parameter, e.g. 'openid phone'")
  .option('--issuer <url>', 'the issuer to show (default: the local stack, http://localhost:3000/realms/<realm>)')
  .action(async (realmName: string, clientId: string, opts: { scope?: string; issuer?: string }, cmd: Command) => {
    const preview = await previewToken(context(cmd), realmName, clientId, {
      ...(opts.scope === undefined ? {} : { scope: opts.scope }),
      ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
    });
    print(cmd, preview, () => [
      `access token of ${clientId} (scope "${preview.scope}"; not signed, jti/iat/exp illustrative):`,
      JSON.stringify(preview.accessToken, null, 2),
      ...(preview.idToken ? ['ID token:', JSON.stringify(preview.idToken, null, 2)] : []),
      ...(Object.keys(preview.tokenResponse).length > 0 ? ['token response adds:', JSON.stringify(preview.tokenResponse, null, 2)] : []),
    ]);
  });

// not-before, keys -------------------------------------------------------------------------------

group('not-before', 'revoke every token issued before now')
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

const keys = group('keys', 'list, rotate or complete signing keys');

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

// bootstrap-admin, upgrade ----------------------------------------------------------------------

group('bootstrap-admin', "create a temporary admin for the Admin REST API (Keycloak 26's kc.sh bootstrap-admin)")
  .command('service')
  .description("create the master realm if missing and a confidential client whose service account holds master's admin")
  .requiredOption('--client-id <id>', 'the admin client id (Keycloak: KC_BOOTSTRAP_ADMIN_CLIENT_ID, default temp-admin)')
  .option('--client-secret-env <var>', 'read the secret from this environment variable (Keycloak spells it --client-secret:env=VAR)', 'KC_BOOTSTRAP_ADMIN_CLIENT_SECRET')
  .option('--force-secret', 'when the client exists, set this secret instead of failing')
  .action(async (opts: { clientId: string; clientSecretEnv: string; forceSecret?: boolean }, cmd: Command) => {
    // Never from an argument: a secret on the command line lands in shell history and `ps`.
    const secret = process.env[opts.clientSecretEnv];
    if (!secret) usage(`the environment variable ${opts.clientSecretEnv} holds no secret`);
    const result = await bootstrapAdminService(context(cmd), opts.clientId, secret, { forceSecret: opts.forceSecret ?? false });
    print(cmd, result, () => [
      ...(result.realmCreated ? ['created realm master'] : []),
      result.secretReplaced
        ? `set a new secret for admin client ${result.clientId} (realm master)`
        : `created admin client ${result.clientId} in realm master; its service account holds master's admin role`,
    ]);
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

// ---------------------------------------------------------------------------------------------

// Keycloak's spelling `--client-secret:env=VAR` (kc.sh bootstrap-admin), as this parser knows it.
const argv = process.argv.map((arg) => arg.replace(/^--client-secret:env(?==|$)/, '--client-secret-env'));

try {
  await program.parseAsync(argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already wrote its message (or the help). Help asked for is success; the rest is usage.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    const problems = err instanceof RealmImportError ? err.problems : undefined;
    if (problems && program.opts<GlobalOptions>().json) process.stdout.write(`${JSON.stringify({ problems }, null, 2)}\n`);
    process.stderr.write(`sa-admin: ${errorLine(err).replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = 1;
  }
}
