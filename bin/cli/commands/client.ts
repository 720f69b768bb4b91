/** `client …`: register, list, show, delete, enable or disable clients; rotate secrets. */
import { Option, type Command } from 'commander';
import { createClient, deleteClient, listClients, rotateSecret, setClientEnabled, showClient, type ClientView } from '../../../lib/admin/clients.js';
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

/** `--idp`, `--subject`, `--claims`: the federated-jwt client attributes (Keycloak's names, and ours for claims). */
function federatedAttributes(cli: Session, opts: { auth?: string; idp?: string; subject?: string; claims?: string }) {
  const given = opts.idp !== undefined || opts.subject !== undefined || opts.claims !== undefined;
  if (!given) return {};
  if (opts.auth !== 'federated-jwt') cli.usage('--idp, --subject and --claims are for --auth federated-jwt');
  const attributes: Record<string, string> = {};
  if (opts.idp !== undefined) attributes[CREDENTIAL_ISSUER_ATTRIBUTE] = opts.idp;
  if (opts.subject !== undefined) attributes[CREDENTIAL_SUB_ATTRIBUTE] = opts.subject;
  if (opts.claims !== undefined) attributes[CREDENTIAL_CLAIMS_ATTRIBUTE] = opts.claims;
  return { attributes, serviceAccounts: true };
}

export function registerClientCommands(cli: Session): void {
  const { context, print } = cli;
  const client = cli.group('client', 'create, list, show, delete, enable or disable clients; rotate secrets');

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
    .action(
      async (
        realmName: string,
        clientId: string,
        opts: {
          serviceAccounts?: boolean;
          fullScope?: boolean;
          refreshTokens?: boolean;
          auth?: ClientAuthenticatorType;
          jwks?: string;
          jwksUrl?: string;
          idp?: string;
          subject?: string;
          claims?: string;
        },
        cmd: Command,
      ) => {
        const created = await createClient(context(cmd), realmName, clientId, {
          serviceAccounts: opts.serviceAccounts ?? false,
          fullScopeAllowed: opts.fullScope ?? true,
          refreshTokens: opts.refreshTokens ?? false,
          ...(opts.auth === undefined ? {} : { auth: opts.auth }),
          ...(opts.jwks === undefined ? {} : { jwks: await cli.readInput(opts.jwks) }),
          ...(opts.jwksUrl === undefined ? {} : { jwksUrl: opts.jwksUrl }),
          ...federatedAttributes(cli, opts),
        });
        print(cmd, { clientId, ...(created.secret === undefined ? {} : { secret: created.secret }) }, () => [
          `created client ${clientId} in realm ${realmName}`,
          ...(created.secret === undefined ? [] : [`secret: ${created.secret}`, '(shown once: only a hash and a KMS-encrypted copy are stored)']),
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
        '(shown once: only a hash and a KMS-encrypted copy are stored)',
      ]);
    });
}
