import { randomUUID } from 'node:crypto';
import { ensureRealmPepper } from '../clientAuth/secretPepper.js';
import type { ClientsTableItem } from '../store/clientsTable.js';
import { type ClientScope, type RealmSettings, type Role, type SigningKeyRecord } from '../model/stored.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { ensureRealmKeys, listKeys, type KeyView } from './keys.js';
import { findRealm, requireRealm } from './lookup.js';
import { builtInClientScopes } from '../tokens/builtInScopes.js';
import { administrationItems, MASTER_REALM } from './realmManagement.js';
import { claimRealm, OPERATOR, removeUnfinishedRealm, whileClaimed } from './realmClaim.js';
import { realmNameProblem } from './realmName.js';
import { isSignatureAlgorithm, newRealmSettings } from '../model/realmDefaults.js';
import type { RealmSettingFields } from '../representation/realm.js';

/**
 * The realm settings an operator or an Admin API caller may set (`realm create`, `realm update`,
 * a RealmRepresentation), in Keycloak's field names. `extra` is merged into the stored extras.
 */
export type RealmChanges = RealmSettingFields & Partial<Pick<RealmSettings, 'signingMode' | 'extra'>>;

/**
 * What Keycloak gives a new realm, reduced to what a service-account token uses: the roles
 * `offline_access` and `uma_authorization` in the composite `default-roles-<realm>`, and the
 * built-in OpenID Connect client scopes with their protocol mappers (lib/tokens/builtInScopes.ts).
 */
function newRealmItems(settings: RealmSettings): ClientsTableItem[] {
  const scopes: ClientScope[] = builtInClientScopes();
  return [
    { kind: 'role', id: randomUUID(), name: 'offline_access', description: '${role_offline-access}', composite: false },
    { kind: 'role', id: randomUUID(), name: 'uma_authorization', description: '${role_uma_authorization}', composite: false },
    {
      kind: 'role',
      id: randomUUID(),
      name: settings.defaultRole,
      description: '${role_default-roles}',
      composite: true,
      composites: { realm: ['offline_access', 'uma_authorization'], client: {} },
    },
    ...scopes.map((scope): ClientsTableItem => ({ kind: 'clientScope', ...scope })),
    // Keycloak's admin roles: `realm-management` and its roles, or master's `admin` and `create-realm`.
    ...administrationItems(settings.realm),
  ];
}

export interface CreatedRealm {
  settings: RealmSettings;
  keys: SigningKeyRecord[];
}

/** A realm with Keycloak's defaults, the given settings, and a signing key for RS256 and ES256. */
export async function createRealm(
  ctx: AdminContext,
  realm: string,
  changes: RealmChanges = {},
  options: { id?: string; creator?: string } = {},
): Promise<CreatedRealm> {
  const problem = realmNameProblem(realm);
  if (problem !== undefined) throw new AdminError(`'${realm}' is not a valid realm name: it ${problem}`);
  const settings = checkSettings({ ...newRealmSettings(realm, options.id ?? randomUUID()), ...changes });
  // The name first, atomically; then the seconds of work (lib/admin/realmClaim.ts).
  const creator = options.creator ?? OPERATOR;
  if ((await claimRealm(ctx, realm, creator)) === 'exists') throw new AdminError(`realm '${realm}' already exists`, 'conflict');
  return whileClaimed(ctx, realm, creator, () => writeNewRealm(ctx, settings));
}

async function writeNewRealm(ctx: AdminContext, settings: RealmSettings): Promise<CreatedRealm> {
  const realm = settings.realm;
  await ctx.table.batchPut(realm, newRealmItems(settings));
  const keys = await ensureRealmKeys(ctx, realm, settings.signingMode ?? 'kms');
  // The pepper chosen secrets are hashed with exists from the start: the token functions cache a
  // realm's lack of one for a minute (lib/clientAuth/secretPepper.ts), which would refuse a secret
  // set through the Admin API right after the realm's first token.
  await ensureRealmPepper(ctx.kms, ctx.table, ctx.names.secretsKeyId, realm);
  // Last: a realm without settings does not exist for the token endpoint, so it appears complete.
  await ctx.table.putItem(realm, { kind: 'settings', ...settings });
  return { settings, keys };
}

export interface RealmView {
  settings: RealmSettings;
  counts: { clients: number; roles: number; clientScopes: number };
  keys: KeyView[];
}

export async function showRealm(ctx: AdminContext, realm: string): Promise<RealmView> {
  const settings = await requireRealm(ctx.table, realm);
  const items = await ctx.table.listRealmItems(realm);
  const count = (kind: ClientsTableItem['kind']) => items.filter((item) => item.kind === kind).length;
  return {
    settings,
    counts: { clients: count('client'), roles: count('role'), clientScopes: count('clientScope') },
    keys: await listKeys(ctx, realm),
  };
}

/** Every realm's settings (the Admin API's realm list). */
export async function listRealms(ctx: AdminContext): Promise<RealmSettings[]> {
  return ctx.table.listRealmSettings();
}

/** Keycloak's partial update: a setting not given stays as it is, and `extra` is merged into the stored extras. */
export async function updateRealm(ctx: AdminContext, realm: string, changes: RealmChanges): Promise<RealmSettings> {
  if (Object.keys(changes).length === 0) throw new AdminError('nothing to update: give at least one setting');
  const stored = await requireRealm(ctx.table, realm);
  const settings = checkSettings({ ...stored, ...changes, ...(changes.extra ? { extra: { ...stored.extra, ...changes.extra } } : {}) });
  await ctx.table.putItem(realm, { kind: 'settings', ...settings });
  return settings;
}

/** The realm's settings, or undefined when there is no such realm. */
export async function findRealmSettings(ctx: AdminContext, realm: string): Promise<RealmSettings | undefined> {
  return findRealm(ctx.table, realm);
}

/** The realm's composite default role (RealmRepresentation's `defaultRole`); undefined if it was deleted. */
export async function findDefaultRole(ctx: AdminContext, settings: RealmSettings): Promise<Role | undefined> {
  return ctx.table.getRole(settings.realm, { name: settings.defaultRole });
}

/**
 * Deletes every item of the realm (the store deletes its settings first, so the realm is gone
 * for the token endpoint at once, and its claim last); how many. Its sessions are left to expire through the sessions table's TTL: with no realm they can
 * no longer be refreshed or introspected. KMS keys stay: the stage's are shared, and one made by
 * `keys rotate` is the operator's to schedule for deletion (`keys list --json` names it).
 */
export async function deleteRealm(ctx: AdminContext, realm: string, onProgress?: (deleted: number, total: number) => void): Promise<number> {
  if (!(await findRealm(ctx.table, realm))) {
    // A creation that stopped half-way: only its claim and part of its items exist.
    if (await ctx.table.getRealmClaim(realm)) return removeUnfinishedRealm(ctx, realm);
    await requireRealm(ctx.table, realm);
  }
  // Keycloak's RealmsAdminResource: the admin realm holds every admin's rights.
  if (realm === MASTER_REALM) throw new AdminError("Can't remove master realm");
  return ctx.table.deleteRealmItems(realm, onProgress);
}

/** Keycloak's rules for the settings this service uses; each error names its RealmRepresentation field. */
function checkSettings(settings: RealmSettings): RealmSettings {
  if (!Number.isInteger(settings.accessTokenLifespan) || settings.accessTokenLifespan < 1) throw new AdminError('accessTokenLifespan must be at least 1 second');
  for (const key of ['ssoSessionIdleTimeout', 'ssoSessionMaxLifespan', 'clientSessionIdleTimeout', 'clientSessionMaxLifespan', 'refreshTokenMaxReuse', 'notBefore'] as const) {
    if (!Number.isInteger(settings[key]) || settings[key] < 0) throw new AdminError(`${key} must be a whole number, 0 or more`);
  }
  if (!isSignatureAlgorithm(settings.defaultSignatureAlgorithm)) {
    throw new AdminError(`defaultSignatureAlgorithm '${String(settings.defaultSignatureAlgorithm)}' is not supported: RS256 or ES256`);
  }
  return settings;
}
