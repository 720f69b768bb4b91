/** `mapper …`: list, add or remove protocol mappers of a client or a client scope. */
import { Option, type Command } from 'commander';
import {
  addProtocolMapper,
  describeOwner,
  listProtocolMappers,
  mapperTemplates,
  removeProtocolMapper,
  type MapperFlags,
  type MapperOwner,
  type NewProtocolMapper,
} from '../../../lib/admin/protocolMappers.js';
import type { ProtocolMapper } from '../../../lib/model/stored.js';
import { choice, configPair } from '../arguments.js';
import { table } from '../format.js';
import type { Session } from '../session.js';

interface OwnerFlags {
  client?: string;
  clientScope?: string;
}

function ownerOf(opts: OwnerFlags, usage: (message: string) => never): MapperOwner {
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

async function addMapper(cli: Session, cmd: Command, realmName: string, opts: OwnerFlags, input: NewProtocolMapper): Promise<void> {
  const owner = ownerOf(opts, cli.usage);
  const added = await addProtocolMapper(cli.context(cmd), realmName, owner, input);
  cli.print(cmd, added, () => [`added protocol mapper '${added.name}' (${added.protocolMapper}) to ${describeOwner(owner)}`]);
}

export function registerMapperCommands(cli: Session): void {
  const { context, print, usage } = cli;
  const mapper = cli.group('mapper', 'list, add or remove protocol mappers of a client or a client scope');

  ownerOptions(mapper.command('list').description('list the protocol mappers of a client or a client scope').argument('<realm>')).action(
    async (realmName: string, opts: OwnerFlags, cmd: Command) => {
      const mappers = await listProtocolMappers(context(cmd), realmName, ownerOf(opts, usage));
      print(cmd, mappers, () => (mappers.length === 0 ? ['(no protocol mappers)'] : table([['NAME', 'TYPE', 'CONFIG'], ...mappers.map(mapperRow)])));
    },
  );

  flagOptions(
    ownerOptions(mapper.command('audience').description("add an audience mapper: a client id (--audience) or any string (--custom) in 'aud'").argument('<realm>'))
      .addOption(new Option('--audience <clientId>', 'the client id to add to aud').conflicts('custom'))
      .option('--custom <audience>', 'any string to add to aud'),
  ).action(async (realmName: string, opts: OwnerFlags & FlagOptions & { audience?: string; custom?: string }, cmd: Command) => {
    if (opts.audience === undefined && opts.custom === undefined) usage('mapper audience: give --audience CLIENT_ID or --custom AUDIENCE');
    await addMapper(cli, cmd, realmName, opts, mapperTemplates.audience({
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
    await addMapper(cli, cmd, realmName, opts, mapperTemplates.hardcodedClaim({
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
    await addMapper(cli, cmd, realmName, opts, mapperTemplates.userAttribute({
      ...mapperFlags(opts),
      ...(opts.name === undefined ? {} : { name: opts.name }),
      attribute,
      ...(opts.claim === undefined ? {} : { claim: opts.claim }),
      ...(opts.type === undefined ? {} : { jsonType: opts.type }),
      multivalued: opts.multivalued ?? false,
      aggregate: opts.aggregate ?? false,
    }));
  });

  ownerOptions(
    mapper
      .command('add')
      .description("add a mapper of any supported type by Keycloak's provider id, e.g. --type oidc-group-membership-mapper --config claim.name=groups")
      .argument('<realm>')
      .requiredOption('--name <name>', 'the mapper name')
      .requiredOption('--type <providerId>', "Keycloak's protocol mapper type (oidc-…-mapper)")
      .option('--config <key=value>', 'a config entry (repeat for more)', configPair),
  ).action(async (realmName: string, opts: OwnerFlags & { name: string; type: string; config?: Record<string, string> }, cmd: Command) => {
    await addMapper(cli, cmd, realmName, opts, { name: opts.name, protocolMapper: opts.type, config: opts.config ?? {} });
  });

  ownerOptions(mapper.command('remove').description('remove a protocol mapper (by name or id)').argument('<realm>').argument('<mapper>')).action(
    async (realmName: string, name: string, opts: OwnerFlags, cmd: Command) => {
      const owner = ownerOf(opts, usage);
      const removed = await removeProtocolMapper(context(cmd), realmName, owner, name);
      print(cmd, removed, () => [`removed protocol mapper '${removed.name}' from ${describeOwner(owner)}`]);
    },
  );
}
