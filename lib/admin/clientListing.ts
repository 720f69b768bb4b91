import { clientView, listClients, type ClientView } from './clients.js';
import type { AdminContext } from './context.js';
import { requireRealm } from './lookup.js';

/**
 * A realm's clients a page at a time, by Keycloak's `first` and `max` (ClientsResource.getClients:
 * `realm.getClientsStream(first, max)`, ordered by clientId), and by `search`. Pages start from
 * where the listing's previous page ended (lib/admin/clientCursors.ts), not by reading and
 * skipping `first` clients.
 */

export interface ClientPage {
  first: number;
  /** Unset: every client from `first` on (Keycloak's `max` has no default here). */
  max?: number;
}

/** One page of the realm's clients in clientId order. */
export async function listClientsPage(ctx: AdminContext, realm: string, page: ClientPage): Promise<ClientView[]> {
  await requireRealm(ctx.table, realm);
  const cursors = ctx.clientCursors;
  // Read before the page, so that a write landing meanwhile leaves what this page remembers behind a newer version.
  const version = cursors ? await ctx.table.realmVersion(realm) : 0;
  const after = page.first > 0 ? cursors?.recall(realm, version, page.first) : undefined;
  const { clients, last } = await ctx.table.listClientsPage(realm, { after, skip: after === undefined ? page.first : 0, limit: page.max });
  if (cursors && page.max !== undefined && clients.length === page.max && last !== undefined) {
    cursors.remember(realm, version, page.first + page.max, last);
    // Also one short of it: a caller that asks for max + 1 to learn whether a next page exists (the
    // console) then asks for the next page at first + max.
    if (clients.length > 1) cursors.remember(realm, version, page.first + page.max - 1, clients.at(-2)!.clientId);
  }
  return clients.map(clientView);
}

/**
 * Clients whose clientId contains `needle` in any case (Keycloak's `search=true`), in clientId
 * order, then paged: a substring match cannot start from a remembered position, so this reads the
 * realm's clients.
 */
export async function searchClients(ctx: AdminContext, realm: string, needle: string, page: ClientPage): Promise<ClientView[]> {
  const lower = needle.toLowerCase();
  const found = (await listClients(ctx, realm)).filter((client) => client.clientId.toLowerCase().includes(lower));
  return found.slice(page.first, page.max === undefined ? undefined : page.first + page.max);
}
