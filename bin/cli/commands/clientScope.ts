/** `client-scope …`: create, update, list or delete client scopes. */
import type { Command } from 'commander';
import { createClientScope, deleteClientScope, findClientScopeByName, listClientScopes, updateClientScope } from '../../../lib/admin/clientScopes.js';
import { AdminError } from '../../../lib/admin/errors.js';
import { keyValueLists } from '../arguments.js';
import type { Session } from '../session.js';

export function registerClientScopeCommands(cli: Session): void {
  const { context, print } = cli;
  const clientScope = cli.group('client-scope', 'create, update, list or delete client scopes');

  /** Keycloak's attribute that puts a scope's name in the `scope` claim. */
  const scopeAttributes = (opts: { inTokenScope?: boolean; attribute?: string[] }): Record<string, string> | undefined => {
    const pairs = keyValueLists(opts.attribute, cli.usage);
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
}
