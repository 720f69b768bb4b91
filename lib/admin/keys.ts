import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { createSigningKey } from '../signing/keys.js';
import { ensureRefreshKey } from '../signing/refreshKey.js';
import { DEFAULT_REALM_CACHE_TTL_SECONDS } from '../config.js';
import type { ClientRecord, RealmSettings, SignatureAlgorithm, SigningKeyRecord, SigningMode } from '../store/model.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { requireRealm } from './lookup.js';

/**
 * A realm's signing keys: listing, the keys a new realm starts with, and rotation. Rotation makes
 * a new active key per algorithm; the previous one turns passive and stays in the JWKS until every
 * token it signed has expired (Keycloak keeps a rotated key "passive": published, not signing).
 */

export const ALGORITHMS: readonly SignatureAlgorithm[] = ['RS256', 'ES256'];

/** Keycloak's default allowed clock skew for token checks is 0; resource servers commonly allow a minute. */
const CLOCK_SKEW_SECONDS = 60;

export interface KeyView {
  kid: string;
  alg: SignatureAlgorithm;
  provider: SigningMode;
  /** `retired`: passive and past retireAt, so no longer published. */
  status: 'active' | 'passive' | 'retired';
  createdAt: number;
  retireAt?: number;
  /** `kms` keys: the KMS key that signs (to schedule its deletion once the key is retired). */
  kmsKeyId?: string;
}

export async function listKeys(ctx: AdminContext, realm: string): Promise<KeyView[]> {
  await requireRealm(ctx.table, realm);
  const now = ctx.now();
  return (await realmKeys(ctx, realm))
    .sort((a, b) => a.alg.localeCompare(b.alg) || b.createdAt - a.createdAt)
    .map((key) => ({
      kid: key.kid,
      alg: key.alg,
      provider: key.provider,
      status: key.status === 'passive' && key.retireAt !== undefined && key.retireAt <= now ? 'retired' : key.status,
      createdAt: key.createdAt,
      ...(key.retireAt === undefined ? {} : { retireAt: key.retireAt }),
      ...(key.kmsKeyId === undefined ? {} : { kmsKeyId: key.kmsKeyId }),
    }));
}

/**
 * Gives a realm an active key for every algorithm it lacks one for: in `kms` mode the stage's own
 * signing keys (the aliases CloudFormation creates, which the Lambda roles may already sign with),
 * in `envelope` mode a new key pair wrapped under the stage's secrets key. Also gives it its
 * refresh-token key if it has none (the token functions only read the clients table, so they
 * cannot make one themselves). Returns the signing keys it made.
 */
export async function ensureRealmKeys(ctx: AdminContext, realm: string, mode: SigningMode): Promise<SigningKeyRecord[]> {
  await ensureRefreshKey(ctx.kms, ctx.table, realm, ctx.names.secretsKeyId, ctx.now());
  const keys = await realmKeys(ctx, realm);
  const created: SigningKeyRecord[] = [];
  for (const alg of ALGORITHMS) {
    if (keys.some((key) => key.alg === alg && key.status === 'active')) continue;
    created.push(
      await createSigningKey(ctx.kms, ctx.table, realm, {
        alg,
        mode,
        ...(mode === 'kms' ? { kmsKeyId: ctx.names.signingKeyAliases[alg] } : { wrappingKeyId: ctx.names.secretsKeyId }),
        retainPreviousFor: 0,
        now: ctx.now(),
      }),
    );
  }
  return created;
}

export interface EnsureResult {
  /** Signing keys made because the realm had no active key for an algorithm. */
  created: KeyView[];
  refreshKey: { kid: string; alg: 'HS512'; created: boolean };
}

/**
 * `keys ensure`: gives a realm every key it lacks. A realm made before refresh tokens were JWTs
 * has no refresh-token key, and its refresh tokens stay opaque until it gets one.
 */
export async function ensureKeys(ctx: AdminContext, realm: string): Promise<EnsureResult> {
  const settings = await requireRealm(ctx.table, realm);
  const refresh = await ensureRefreshKey(ctx.kms, ctx.table, realm, ctx.names.secretsKeyId, ctx.now());
  const signing = await ensureRealmKeys(ctx, realm, settings.signingMode ?? 'kms');
  const views = await listKeys(ctx, realm);
  return {
    created: views.filter((view) => signing.some((key) => key.kid === view.kid && key.alg === view.alg)),
    refreshKey: { kid: refresh.record.kid, alg: 'HS512', created: refresh.created },
  };
}

export interface RotateOptions {
  /** Default: both. */
  algs?: SignatureAlgorithm[];
  /** Default: the realm's signingMode, else `kms`. */
  mode?: SigningMode;
  /** `kms` mode: sign with this existing key instead of creating one (needs a single algorithm). */
  kmsKeyId?: string;
  /** The AWS account named in a new key's policy; default: the account of the stage's signing key. */
  account?: string;
  /** The stage's REALM_CACHE_TTL_SECONDS (serverless param realmCacheTtlSeconds); default 60. */
  realmCacheTtlSeconds?: number;
}

export interface RotateResult {
  created: KeyView[];
  /** Seconds the replaced keys stay published. */
  retainPreviousFor: number;
}

/**
 * How long a replaced key must stay published: a container that loaded the realm just before the
 * rotation keeps signing with it for up to the realm cache time, each such token lives up to the
 * longest access-token lifetime, and verifiers' clocks may lag.
 */
export function retention(settings: RealmSettings, clients: ClientRecord[], realmCacheTtlSeconds = DEFAULT_REALM_CACHE_TTL_SECONDS): number {
  return realmCacheTtlSeconds + longestAccessTokenLifespan(settings, clients) + CLOCK_SKEW_SECONDS;
}

export async function rotateKeys(ctx: AdminContext, realm: string, options: RotateOptions = {}): Promise<RotateResult> {
  const settings = await requireRealm(ctx.table, realm);
  const algs = options.algs ?? [...ALGORITHMS];
  const mode = options.mode ?? settings.signingMode ?? 'kms';
  if (options.kmsKeyId !== undefined && mode !== 'kms') throw new AdminError('--kms-key-id is for kms signing mode only');
  if (options.kmsKeyId !== undefined && algs.length !== 1) throw new AdminError('--kms-key-id names one key: give --alg RS256 or --alg ES256');

  const clients = (await ctx.table.listRealmItems(realm, 'CLIENT#')).flatMap((item) => (item.kind === 'client' ? [item] : []));
  const retainPreviousFor = retention(settings, clients, options.realmCacheTtlSeconds);
  const keyPolicy = mode === 'kms' && options.kmsKeyId === undefined ? await signingKeyPolicyFor(ctx, options.account) : undefined;

  const created: SigningKeyRecord[] = [];
  for (const alg of algs) {
    let kmsKeyId = options.kmsKeyId;
    if (keyPolicy !== undefined) {
      const key = await ctx.kms.send(
        new CreateKeyCommand({
          KeySpec: alg === 'RS256' ? 'RSA_2048' : 'ECC_NIST_P256',
          KeyUsage: 'SIGN_VERIFY',
          Policy: keyPolicy,
          Description: `${ctx.names.service}-${ctx.names.stage} realm ${realm} token signing key (${alg})`,
        }),
      );
      kmsKeyId = key.KeyMetadata!.Arn!;
    }
    created.push(
      await createSigningKey(ctx.kms, ctx.table, realm, {
        alg,
        mode,
        ...(mode === 'kms' ? { kmsKeyId } : { wrappingKeyId: ctx.names.secretsKeyId }),
        retainPreviousFor,
        now: ctx.now(),
      }),
    );
  }
  const views = await listKeys(ctx, realm);
  return { created: views.filter((view) => created.some((key) => key.kid === view.kid && key.alg === view.alg)), retainPreviousFor };
}

/**
 * The longest lifetime an access token of this realm can have: the realm's, or a client's
 * `access.token.lifespan` attribute, which overrides it (Keycloak's client "Access Token Lifespan").
 */
export function longestAccessTokenLifespan(settings: RealmSettings, clients: ClientRecord[]): number {
  let longest = settings.accessTokenLifespan;
  for (const client of clients) {
    const lifespan = Number(client.attributes['access.token.lifespan']);
    if (Number.isInteger(lifespan) && lifespan > longest) longest = lifespan;
  }
  return longest;
}

/**
 * A KMS key policy for a new signing key: the account administers it (AWS's default key policy
 * statement, so IAM policies keep working), and the stage's token and refresh functions, the only
 * ones that sign, may call kms:Sign. Their role names are infra/iam.yml's
 * `${service}-${stage}-${region}-token` and `-refresh`. A key policy that names a principal grants
 * it access on its own, so the roles' IAM policies, which name only the stage's keys, need no change.
 */
export function signingKeyPolicy(target: { partition: string; account: string; region: string; stage: string; service: string }): string {
  const role = (fn: string) => `arn:${target.partition}:iam::${target.account}:role/${target.service}-${target.stage}-${target.region}-${fn}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `${target.service}-${target.stage}-signing`,
    Statement: [
      {
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:${target.partition}:iam::${target.account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'TokenFunctionsSign',
        Effect: 'Allow',
        Principal: { AWS: [role('token'), role('refresh')] },
        Action: 'kms:Sign',
        Resource: '*',
      },
    ],
  });
}

/** The policy for a new key in this stage; account and partition from the stage's own signing key unless given. */
async function signingKeyPolicyFor(ctx: AdminContext, account: string | undefined): Promise<string> {
  const target = { region: await ctx.kms.config.region(), stage: ctx.names.stage, service: ctx.names.service };
  if (account !== undefined) return signingKeyPolicy({ ...target, partition: 'aws', account });
  const alias = ctx.names.signingKeyAliases.RS256;
  try {
    const { KeyMetadata: key } = await ctx.kms.send(new DescribeKeyCommand({ KeyId: alias }));
    const arn = key?.Arn?.split(':') ?? [];
    const found = key?.AWSAccountId ?? arn[4];
    if (found) return signingKeyPolicy({ ...target, partition: arn[1] ?? 'aws', account: found });
  } catch (err) {
    throw new AdminError(`cannot tell the account for the new key's policy from ${alias} (${(err as Error).name}): give --account or --kms-key-id`);
  }
  throw new AdminError(`cannot tell the account for the new key's policy from ${alias}: give --account or --kms-key-id`);
}

async function realmKeys(ctx: AdminContext, realm: string): Promise<SigningKeyRecord[]> {
  return (await ctx.table.listRealmItems(realm, 'META#KEY#')).flatMap((item) => {
    if (item.kind !== 'key') return [];
    const { kind: _kind, ...key } = item;
    return [key];
  });
}
