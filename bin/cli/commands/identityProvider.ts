/** `idp …`: the realm's identity providers for federated client authentication (secretless clients). */
import type { Command } from 'commander';
import {
  createIdentityProvider,
  deleteIdentityProvider,
  listIdentityProviders,
  requireIdentityProvider,
  updateIdentityProvider,
} from '../../../lib/admin/identityProviders.js';
import { AdminError } from '../../../lib/admin/errors.js';
import { AWS_PARTITIONS, capabilitiesOf, IDENTITY_PROVIDER_TYPES, type IdentityProvider } from '../../../lib/model/identityProvider.js';
import { IDENTITY_PROVIDER_PRESETS, identityProviderPreset } from '../../../lib/model/identityProviderPresets.js';
import { identityProviderRepresentation, parseIdentityProvider } from '../../../lib/representation/identityProvider.js';
import { choice, configPair, wholeNumber } from '../arguments.js';
import { fields, table } from '../format.js';
import type { Session } from '../session.js';

interface IdpOptions {
  type?: string;
  preset?: string;
  issuer?: string;
  jwksUrl?: string;
  trustDomain?: string;
  bundleEndpoint?: string;
  partition?: string;
  maxAge?: number;
  clockSkew?: number;
  reuse?: boolean;
  config?: Record<string, string>;
  enabled?: boolean;
}

/** The config keys the options set, in Keycloak's names. */
function configFromOptions(opts: IdpOptions): Record<string, string> {
  return Object.fromEntries(
    Object.entries({
      issuer: opts.issuer,
      ...(opts.jwksUrl === undefined ? {} : { useJwksUrl: 'true', jwksUrl: opts.jwksUrl }),
      trustDomain: opts.trustDomain,
      bundleEndpoint: opts.bundleEndpoint,
      partition: opts.partition,
      federatedClientAssertionMaxExpiration: opts.maxAge?.toString(),
      allowedClockSkew: opts.clockSkew?.toString(),
      supportsClientAssertionReuse: opts.reuse === undefined ? undefined : String(opts.reuse),
      ...opts.config,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

const row = (idp: IdentityProvider) => [idp.alias, idp.providerId, idp.enabled ? 'enabled' : 'disabled', idp.config.issuer ?? idp.config.trustDomain ?? (idp.config.partition ? `sts (${idp.config.partition})` : '-'), capabilitiesOf(idp).join(',') || '-'];

function withOptions(command: Command): Command {
  return command
    .option('--issuer <url>', 'the issuer (`iss`) its tokens carry; Kubernetes keys are found through <issuer>/.well-known/openid-configuration')
    .option('--jwks-url <url>', "oidc: where the issuer's public keys are")
    .option('--trust-domain <spiffe://domain>', 'spiffe: the trust domain')
    .option('--bundle-endpoint <url>', 'spiffe: the SPIFFE bundle endpoint')
    .option('--partition <name>', `aws-iam: the AWS partition whose STS vouches for callers (${[...AWS_PARTITIONS].join(', ')}; default aws)`, choice([...AWS_PARTITIONS]))
    .option('--max-age <seconds>', 'how old an assertion (aws-iam: a signature) may be (federatedClientAssertionMaxExpiration; default 300, Kubernetes 3600)', wholeNumber)
    .option('--clock-skew <seconds>', 'allowed clock skew for nbf and iat (allowedClockSkew, default 0)', wholeNumber)
    .option('--reuse', 'oidc: accept one assertion more than once (supportsClientAssertionReuse)')
    .option('--config <key=value>', 'any other config key, repeatable', configPair);
}

export function registerIdentityProviderCommands(cli: Session): void {
  const { context, print } = cli;
  const idp = cli.group('idp', 'identity providers whose tokens authenticate federated-jwt clients (no client secret)');

  withOptions(
    idp
      .command('create')
      .description(`add an identity provider; --preset ${IDENTITY_PROVIDER_PRESETS.map((preset) => preset.name).join('|')} fills the rest from the issuer`)
      .argument('<realm>')
      .argument('<alias>')
      .option('--type <type>', [...IDENTITY_PROVIDER_TYPES.keys()].join(', '), choice([...IDENTITY_PROVIDER_TYPES.keys()]))
      .option('--preset <name>', IDENTITY_PROVIDER_PRESETS.map((preset) => `${preset.name}: ${preset.description}`).join('; '), choice(IDENTITY_PROVIDER_PRESETS.map((preset) => preset.name))),
  ).action(async (realmName: string, alias: string, opts: IdpOptions, cmd: Command) => {
    const preset = opts.preset === undefined ? undefined : identityProviderPreset(opts.preset)!;
    if (preset && opts.type) throw new AdminError('give --preset or --type, not both');
    const issuer = opts.issuer ?? preset?.issuer;
    if (preset && !issuer) throw new AdminError(`--preset ${preset.name} needs --issuer: ${preset.issuerHint}`);
    const base = preset ? preset.build(issuer!) : { providerId: opts.type ?? 'oidc', config: opts.type === 'oidc' || !opts.type ? { supportsClientAssertions: 'true' } : {} };
    const config = { ...base.config, ...configFromOptions({ ...opts, issuer }) };
    const created = await createIdentityProvider(context(cmd), realmName, parseIdentityProvider({ alias, providerId: base.providerId, config }));
    print(cmd, identityProviderRepresentation(created), () => [`created identity provider ${alias} (${created.providerId}) in realm ${realmName}`]);
  });

  idp
    .command('list')
    .description("list a realm's identity providers")
    .argument('<realm>')
    .action(async (realmName: string, _opts: unknown, cmd: Command) => {
      const all = await listIdentityProviders(context(cmd), realmName);
      print(cmd, all.map(identityProviderRepresentation), () =>
        all.length === 0 ? ['(no identity providers)'] : table([['ALIAS', 'TYPE', 'STATE', 'ISSUER', 'TYPES'], ...all.map(row)]),
      );
    });

  idp
    .command('show')
    .description('show an identity provider')
    .argument('<realm>')
    .argument('<alias>')
    .action(async (realmName: string, alias: string, _opts: unknown, cmd: Command) => {
      const json = identityProviderRepresentation(await requireIdentityProvider(context(cmd), realmName, alias));
      print(cmd, json, () => fields(json));
    });

  withOptions(
    idp
      .command('update')
      .description('change an identity provider: the options given replace those config keys')
      .argument('<realm>')
      .argument('<alias>')
      .option('--enable', 'trust it again')
      .option('--disable', 'stop trusting its tokens at once (its clients fail until enabled)'),
  ).action(async (realmName: string, alias: string, opts: IdpOptions & { enable?: boolean; disable?: boolean }, cmd: Command) => {
    if (opts.enable && opts.disable) throw new AdminError('give --enable or --disable, not both');
    const ctx = context(cmd);
    const stored = await requireIdentityProvider(ctx, realmName, alias);
    const enabled = opts.enable ? true : opts.disable ? false : stored.enabled;
    const next = parseIdentityProvider({ alias: stored.alias, providerId: stored.providerId, enabled, config: { ...stored.config, ...configFromOptions(opts) } }, stored);
    const updated = await updateIdentityProvider(ctx, realmName, stored.alias, next);
    print(cmd, identityProviderRepresentation(updated), () => [`updated identity provider ${alias}`]);
  });

  idp
    .command('delete')
    .description('delete an identity provider (clients naming it can no longer authenticate)')
    .argument('<realm>')
    .argument('<alias>')
    .action(async (realmName: string, alias: string, _opts: unknown, cmd: Command) => {
      await deleteIdentityProvider(context(cmd), realmName, alias);
      print(cmd, { alias, deleted: true }, () => [`deleted identity provider ${alias}`]);
    });
}
