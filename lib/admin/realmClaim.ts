import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { findRealm } from './lookup.js';

/**
 * Making a realm takes many writes and seconds of KMS work (signing keys, the pepper), and the
 * realm only appears once its settings item is written, last. Whoever makes a realm therefore
 * first takes its name with one conditional write (ClientsTable.putIfAbsent): a second creator,
 * by the Admin API, an import or the CLI, meets the claim and gets a conflict instead of writing
 * its own items into the half-made realm and so administering it (issue 17, F3).
 *
 * A creation that stopped half-way (the process died, KMS failed) leaves the claim `creating`:
 * only the same creator may take it up again and finish; anyone else still gets the conflict, and
 * `sa-admin realm delete` removes what was written.
 */

/** Who creates: `operator` for whoever reaches the table directly (sa-admin, the local stack's seed and bootstrap). */
export const OPERATOR = 'operator';

/** An Admin API caller, by the realm and client its token comes from. */
export const apiCreator = (realm: string, clientId: string) => `admin-api:${realm}/${clientId}`;

/**
 * Takes `realm` for `creator`. `'new'`: the realm is to be made (claimed now, or this creator's
 * own unfinished creation taken up again). `'exists'`: a complete realm has that name. Throws a
 * conflict while another creator is making it.
 */
export async function claimRealm(ctx: AdminContext, realm: string, creator: string): Promise<'new' | 'exists'> {
  const claim = await ctx.table.putIfAbsent(realm, { kind: 'realmClaim', creator, claimedAt: ctx.now(), state: 'creating' });
  if (!claim.stored) {
    const held = claim.existing;
    if (held.kind === 'realmClaim' && held.state === 'created') return 'exists';
    if (held.kind !== 'realmClaim' || held.creator !== creator) {
      throw new AdminError(`realm '${realm}' is being created by someone else (an unfinished creation is removed with 'sa-admin realm delete ${realm} --yes')`, 'conflict');
    }
  }
  // A realm made before names were claimed has its settings and no claim; and this creator's own
  // earlier attempt may have written the settings before it could mark the claim.
  if (await findRealm(ctx.table, realm)) {
    await markRealmCreated(ctx, realm, creator);
    return 'exists';
  }
  return 'new';
}

/** The realm is complete: its claim no longer lets even its creator write it as new. */
export async function markRealmCreated(ctx: AdminContext, realm: string, creator: string): Promise<void> {
  await ctx.table.putItem(realm, { kind: 'realmClaim', creator, claimedAt: ctx.now(), state: 'created' });
}

/**
 * Runs the creation of a claimed realm; when it fails, removes what it wrote (the claim last), so
 * the name is free again. Nobody else writes into a realm that has no settings, so everything
 * under its key is this creation's.
 */
export async function whileClaimed<T>(ctx: AdminContext, realm: string, creator: string, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    // Best effort: when even this fails, the claim stays and the creator's retry finishes the realm.
    await removeUnfinishedRealm(ctx, realm).catch(() => undefined);
    throw err;
  }
  await markRealmCreated(ctx, realm, creator);
  return result;
}

/** Deletes every item of a realm that has no settings, the claim last; how many there were. */
export async function removeUnfinishedRealm(ctx: AdminContext, realm: string): Promise<number> {
  return ctx.table.deleteRealmItems(realm);
}
