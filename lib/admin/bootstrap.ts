import { defaultRoleName } from '../model/realmDefaults.js';
import { createClient, updateClient } from './clients.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { findRealm } from './lookup.js';
import { createRealm } from './realms.js';
import { ensureAdministration, MASTER_ADMIN_ROLE, MASTER_REALM } from './realmManagement.js';

export interface BootstrapResult {
  realmCreated: boolean;
  clientId: string;
  /** `--force-secret` on an existing client: its secret was replaced. */
  secretReplaced: boolean;
}

/**
 * Keycloak 26's `kc.sh bootstrap-admin service`: creates the `master` realm when missing (with
 * `admin`, `create-realm` and Keycloak's defaults), then a confidential client with a service
 * account holding master's `admin`, whose tokens administer every realm through the Admin REST
 * API. An existing client is an error unless `forceSecret`, which sets the new secret (and
 * nothing else). Any number of such clients may coexist.
 */
export async function bootstrapAdminService(ctx: AdminContext, clientId: string, secret: string, options: { forceSecret?: boolean } = {}): Promise<BootstrapResult> {
  if (secret === '') throw new AdminError('the bootstrap client secret is empty');
  const realmCreated = !(await findRealm(ctx.table, MASTER_REALM)) && (await createMaster(ctx));
  if (!realmCreated) await ensureAdministration(ctx, MASTER_REALM);
  if (await ctx.table.getClient(MASTER_REALM, clientId)) {
    if (!options.forceSecret) throw new AdminError(`client '${clientId}' already exists in realm 'master' (--force-secret sets its secret)`, 'conflict');
    await updateClient(ctx, MASTER_REALM, clientId, { secret });
    return { realmCreated, clientId, secretReplaced: true };
  }
  await createClient(
    ctx,
    MASTER_REALM,
    clientId,
    {
      serviceAccountsEnabled: true,
      secret,
      // Keycloak marks the bootstrap client temporary (attribute is_temporary_admin).
      attributes: { is_temporary_admin: 'true' },
      extra: { name: 'Bootstrap admin service account', standardFlowEnabled: false },
    },
    { serviceAccountRoles: { realm: [MASTER_ADMIN_ROLE, defaultRoleName(MASTER_REALM)], client: {} } },
  );
  return { realmCreated, clientId, secretReplaced: false };
}

/** False when another bootstrap created `master` meanwhile (both claim it as the operator, lib/admin/realmClaim.ts). */
async function createMaster(ctx: AdminContext): Promise<boolean> {
  try {
    await createRealm(ctx, MASTER_REALM);
    return true;
  } catch (err) {
    if (err instanceof AdminError && err.kind === 'conflict') return false;
    throw err;
  }
}
