/** `client …`: register, list, show, delete, enable or disable clients; rotate secrets. */
import { Option, type Command } from 'commander';
import { createClient, deleteClient, listClients, rotateSecret, setClientEnabled, showClient, type ClientView } from '../../../lib/admin/clients.js';
import { listClientsPage } from '../../../lib/admin/clientListing.js';
import { AdminError } from '../../../lib/admin/errors.js';
import { USE_REFRESH_TOKEN_ATTRIBUTE } from '../../../lib/model/clientDefaults.js';
import type { ClientFields } from '../../../lib/representation/client.js';
import { CLIENT_AUTHENTICATOR_TYPES, type ClientAuthenticatorType } from '../../../lib/model/clientAuthenticator.js';
import { CREDENTIAL_CLAIMS_ATTRIBUTE, CREDENTIAL_ISSUER_ATTRIBUTE, CREDENTIAL_SUB_ATTRIBUTE } from '../../../lib/model/identityProvider.js';
import { choice, wholeNumber } from '../arguments.js';
import { date, fields, table } from '../format.js';
import type { Session } from '../session.js';

const clientRow = (c: ClientView) => [
  c.clientId,
  c.enabled ? 'enabled' : 'disabled',
  c.publicClient ? 'public' : c.bearerOnly ? 'bearer-only' : c.clientAuthenticatorType,
  c.serviceAccountsEnabled ? 'service-account' : '-',
];

interface CreateFlags {
  serviceAccounts?: boolean;
  fullScope?: boolean;
  refreshTokens?: boolean;
  auth?: ClientAuthenticatorType;
  jwks?: string;
  jwksUrl?: string;
  idp?: string;
  subject?: string;
  claims?: string;
}

/**
 * `client create`'s flags as the ClientRepresentation fields lib/admin takes: the refresh-token,
 * key and federated-identity flags are Keycloak's client attributes (client_credentials.use_refresh_token,
 * use.jwks.string/jwks.string, use.jwks.url/jwks.url, jwt.credential.*).
 */
async function createFields(cli: Session, opts: CreateFlags): Promise<ClientFields> {
  const attributes: Record<string, string> = {};
  if (opts.refreshTokens) attributes[USE_REFRESH_TOKEN_ATTRIBUTE] = 'true';
  if ((opts.jwks !== undefined || opts.jwksUrl !== undefined) && opts.auth !== 'client-jwt') throw new AdminError('--jwks and --jwks-url are for --auth client-jwt');
  if (opts.jwksUrl !== undefined) {
    attributes['use.jwks.url'] = 'true';
    attributes['jwks.url'] = URL.canParse(opts.jwksUrl) ? new URL(opts.jwksUrl).href : opts.jwksUrl;
  }
  if (opts.jwks !== undefined) {
    attributes['use.jwks.string'] = 'true';
    attributes['jwks.string'] = asJwks(await cli.readInput(opts.jwks));
  }
  const federated = opts.idp !== undefined || opts.subject !== undefined || opts.claims !== undefined;
  if (federated && opts.auth !== 'federated-jwt') cli.usage('--idp, --subject and --claims are for --auth federated-jwt');
  if (opts.idp !== undefined) attributes[CREDENTIAL_ISSUER_ATTRIBUTE] = opts.idp;
  if (opts.subject !== undefined) attributes[CREDENTIAL_SUB_ATTRIBUTE] = opts.subject;
  if (opts.claims !== undefined) attributes[CREDENTIAL_CLAIMS_ATTRIBUTE] = opts.claims;
  return {
    // A federated-jwt client exists to get tokens for its service account.
    serviceAccountsEnabled: (opts.serviceAccounts ?? false) || federated,
    fullScopeAllowed: opts.fullScope ?? true,
    ...(opts.auth === undefined ? {} : { clientAuthenticatorType: opts.auth }),
    attributes,
  };
}

/** `--jwks FILE` may hold one JWK: Keycloak's jwks.string is a JWKS. Text that is not JSON goes as is (lib/admin refuses it). */
function asJwks(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    const oneKey = typeof parsed === 'object' && parsed !== null && 'kty' in parsed && !('keys' in parsed);
    return JSON.stringify(oneKey ? { keys: [parsed] } : parsed);
  } catch {
    return text;
  }
}

/** lib/admin names the attributes; an operator gave flags. */
const FLAG_OF: readonly [RegExp, string][] = [
  [/^jwks\.string:? /, '--jwks: '],
  [/^jwks\.url /, '--jwks-url '],
  [/the attribute jwks\.string or jwks\.url$/, '--jwks FILE or --jwks-url URL'],
];

function inFlags(err: unknown): never {
  if (err instanceof AdminError) {
    const rule = FLAG_OF.find(([pattern]) => pattern.test(err.message));
    if (rule) throw new AdminError(err.message.replace(rule[0], rule[1]), err.kind);
  }
  throw err;
}

export function registerClientCommands(cli: Session): void {
  const { context, print } = cli;
  const client = cli.group('client', 'create, list, show, delete, enable or disable clients; rotate secrets; their client scopes');

  client
    .command('create')
    .description('register a confidential client; prints its generated secret once')
    .argument('<realm>')
    .argument('<clientId>')
    .option('--service-accounts', 'enable service accounts (client credentials grant); the account gets the realm default role')
    .option('--full-scope', 'tokens may carry every role of the service account (the default)')
    .option('--no-full-scope', 'tokens carry only roles in the client scope mappings')
    .option('--refresh-tokens', 'issue refresh tokens with client credentials (client_credentials.use_refresh_token)')
    .option('--auth <type>', `client authentication: ${CLIENT_AUTHENTICATOR_TYPES.join(', ')} (default client-secret)`, choice(CLIENT_AUTHENTICATOR_TYPES))
    .addOption(new Option('--jwks <file>', 'client-jwt: a file with the public JWKS (or JWK)').conflicts('jwksUrl'))
    .option('--jwks-url <url>', "client-jwt: the URL of the client's JWKS")
    .option('--idp <alias>', 'federated-jwt: the identity provider whose tokens the client presents (jwt.credential.issuer)')
    .option('--subject <sub>', "federated-jwt: the tokens' `sub` (jwt.credential.sub), e.g. system:serviceaccount:ns:sa or an IAM role ARN")
    .option('--claims <json>', 'federated-jwt: claim conditions (jwt.credential.claims), e.g. \'{"repository_owner":"my-org"}\'')
    .action(async (realmName: string, clientId: string, opts: CreateFlags, cmd: Command) => {
      const created = await createClient(context(cmd), realmName, clientId, await createFields(cli, opts)).catch(inFlags);
      print(cmd, { clientId, ...(created.secret === undefined ? {} : { secret: created.secret }) }, () => [
        `created client ${clientId} in realm ${realmName}`,
        ...(created.secret === undefined ? [] : [`secret: ${created.secret}`, '(shown once: only a hash and a KMS-encrypted copy are stored)']),
      ]);
    });

  client
    .command('list')
    .description("list a realm's clients, by clientId")
    .argument('<realm>')
    // kcadm's --offset and --limit (Keycloak's first and max): a page without reading the clients before it in full.
    .option('--offset <n>', 'skip this many clients', wholeNumber)
    .option('--limit <n>', 'list at most this many', wholeNumber)
    .action(async (realmName: string, opts: { offset?: number; limit?: number }, cmd: Command) => {
      const clients =
        opts.offset === undefined && opts.limit === undefined
          ? await listClients(context(cmd), realmName)
          : await listClientsPage(context(cmd), realmName, { first: opts.offset ?? 0, max: opts.limit });
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
        '(shown once: only a hash and a KMS-encrypted copy are stored)',
      ]);
    });
}
