/**
 * `sa …` and `scope …`: a client's service-account roles and scope mappings; the service-account
 * user's attributes and profile.
 */
import { Option, type Command } from 'commander';
import { describeRole } from '../../../lib/admin/lookup.js';
import { addMappings, removeMappings, type MappingChange, type MappingTarget } from '../../../lib/admin/mappings.js';
import { getServiceAccount, setServiceAccountAttribute, updateServiceAccountProfile } from '../../../lib/admin/serviceAccounts.js';
import { roleName } from '../arguments.js';
import { attributesText, mappingsText } from '../format.js';
import type { Session } from '../session.js';

function mappingCommands(cli: Session, cmd: Command, target: MappingTarget, verbs: { add: string; remove: string }, what: string): void {
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
        const change: MappingChange = await (add ? addMappings : removeMappings)(cli.context(sub), realmName, clientId, target, roles);
        cli.print(sub, change, () => [
          ...(change.changed.length > 0 ? [`${verb}: ${change.changed.map(describeRole).join(', ')}`] : []),
          ...(change.unchanged.length > 0 ? [`${add ? 'already there' : 'not there'}: ${change.unchanged.map(describeRole).join(', ')}`] : []),
          `${clientId} ${target === 'scope' ? 'scope mappings' : 'service-account roles'}: ${mappingsText(change.roles)}`,
        ]);
      });
  }
}

export function registerServiceAccountCommands(cli: Session): void {
  const { context, print, usage } = cli;
  const sa = cli.group('sa', "grant or revoke a client's service-account roles");
  mappingCommands(cli, sa, 'serviceAccount', { add: 'grant', remove: 'revoke' }, 'service-account roles');
  mappingCommands(cli, cli.group('scope', "add or remove a client's scope mappings (used when full scope is off)"), 'scope', { add: 'add', remove: 'remove' }, 'scope mappings');

  sa.command('show')
    .description("show a client's service-account user: id, roles, groups, attributes, email and names")
    .argument('<realm>')
    .argument('<clientId>')
    .action(async (realmName: string, clientId: string, _opts: unknown, cmd: Command) => {
      const account = await getServiceAccount(context(cmd), realmName, clientId);
      print(cmd, account, () => [
        `username: ${account.username}`,
        `id: ${account.id}`,
        `roles: ${mappingsText(account.roles)}`,
        `groups: ${account.groups?.length ? account.groups.join(', ') : '(none)'}`,
        `attributes: ${attributesText(account.attributes)}`,
        ...(account.email === undefined ? [] : [`email: ${account.email}${account.emailVerified ? ' (verified)' : ''}`]),
        ...(account.firstName === undefined && account.lastName === undefined ? [] : [`name: ${[account.firstName, account.lastName].filter(Boolean).join(' ')}`]),
      ]);
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
}
