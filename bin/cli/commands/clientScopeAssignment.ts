/** `client scope …`: a client's default and optional client scopes (the admin console's client "Client scopes" tab). */
import { Option, type Command } from 'commander';
import { assignClientScope, assignedClientScopes, unassignClientScope, type ScopeAssignment } from '../../../lib/admin/clientScopeAssignment.js';
import type { Session } from '../session.js';

interface KindFlags {
  default?: boolean;
  optional?: boolean;
}

export function registerClientScopeAssignmentCommands(cli: Session): void {
  const { context, print } = cli;
  const scope = cli.group('scope', "list, add or remove a client's default and optional client scopes", 'client');

  const kindOf = (opts: KindFlags, verb: string): ScopeAssignment => {
    if (!opts.default && !opts.optional) cli.usage(`client scope ${verb}: give --default or --optional`);
    return opts.default ? 'default' : 'optional';
  };
  const withKind = (cmd: Command) =>
    cmd
      .addOption(new Option('--default', 'a default scope: in every token of the client').conflicts('optional'))
      .addOption(new Option('--optional', 'an optional scope: in a token when the request asks for it (scope=…)'));

  scope
    .command('list')
    .description("a client's default and optional client scopes")
    .argument('<realm>')
    .argument('<clientId>')
    .action(async (realmName: string, clientId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const names = async (kind: ScopeAssignment) => (await assignedClientScopes(ctx, realmName, clientId, kind)).map((s) => s.name);
      const listed = { defaultClientScopes: await names('default'), optionalClientScopes: await names('optional') };
      print(cmd, listed, () => [`default: ${listed.defaultClientScopes.join(' ') || '-'}`, `optional: ${listed.optionalClientScopes.join(' ') || '-'}`]);
    });

  withKind(scope.command('add').description("assign a realm client scope to the client (moving it from the other list)").argument('<realm>').argument('<clientId>').argument('<scope>')).action(
    async (realmName: string, clientId: string, name: string, opts: KindFlags, cmd: Command) => {
      const kind = kindOf(opts, 'add');
      const client = await assignClientScope(context(cmd), realmName, clientId, name, kind);
      print(cmd, { clientId, defaultClientScopes: client.defaultClientScopes, optionalClientScopes: client.optionalClientScopes }, () => [
        `client ${clientId}: ${name} is a ${kind} client scope`,
      ]);
    },
  );

  withKind(scope.command('remove').description('remove a client scope from the client').argument('<realm>').argument('<clientId>').argument('<scope>')).action(
    async (realmName: string, clientId: string, name: string, opts: KindFlags, cmd: Command) => {
      const kind = kindOf(opts, 'remove');
      const client = await unassignClientScope(context(cmd), realmName, clientId, name, kind);
      print(cmd, { clientId, defaultClientScopes: client.defaultClientScopes, optionalClientScopes: client.optionalClientScopes }, () => [
        `client ${clientId}: ${name} is no longer a ${kind} client scope`,
      ]);
    },
  );
}
