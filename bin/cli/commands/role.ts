/** `role …`: create, update, list or delete realm and client roles. */
import { Option, type Command } from 'commander';
import { describeRole } from '../../../lib/admin/lookup.js';
import { createRole, deleteRole, listRoles, updateRole } from '../../../lib/admin/roles.js';
import { keyValueLists, roleName } from '../arguments.js';
import { roleLine } from '../format.js';
import type { Session } from '../session.js';

interface RoleFlags {
  client?: string;
  compositeOf?: string[];
  plain?: boolean;
  description?: string;
  rename?: string;
  attribute?: string[];
}

export function registerRoleCommands(cli: Session): void {
  const { context, print, usage } = cli;
  const role = cli.group('role', 'create, update, list or delete realm and client roles');

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
      const attributes = keyValueLists(opts.attribute, usage);
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
}
