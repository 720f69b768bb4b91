/** `group …`: groups, their service-account members, roles and attributes. */
import type { Command } from 'commander';
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
} from '../../../lib/admin/groups.js';
import { describeRole } from '../../../lib/admin/lookup.js';
import { roleName } from '../arguments.js';
import { attributesText, mappingsText, table } from '../format.js';
import type { Session } from '../session.js';

export function registerGroupCommands(cli: Session): void {
  const { context, print } = cli;
  const groups = cli.group('group', 'create, list or delete groups; add service accounts; grant roles; set attributes');

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
      print(cmd, list, () => (list.length === 0 ? ['(no groups)'] : table([['PATH', 'ROLES', 'ATTRIBUTES'], ...list.map((g) => [g.path, mappingsText(g.roles), attributesText(g.attributes)])])));
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
}
