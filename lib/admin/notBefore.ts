import { saveClient } from './itemLimit.js';
import type { AdminContext } from './context.js';
import { requireClient, requireRealm } from './lookup.js';

/**
 * Keycloak's "Push" of a not-before policy (realm or client "Revocation" tab): every token issued
 * before now becomes stale. Here that means refresh fails with `Stale token`, introspection says
 * inactive, and token responses carry the new `not-before-policy`. The token endpoint takes the
 * later of realm and client not-before (Keycloak's min was a bug, CVE-2026-8922).
 */
export async function pushNotBefore(ctx: AdminContext, realm: string, clientId?: string): Promise<{ notBefore: number; clientId?: string }> {
  const settings = await requireRealm(ctx.table, realm);
  const notBefore = ctx.now();
  if (clientId === undefined) {
    await ctx.table.putItem(realm, { kind: 'settings', ...settings, notBefore });
    return { notBefore };
  }
  const client = await requireClient(ctx.table, realm, clientId);
  await saveClient(ctx.table, { ...client, notBefore });
  return { notBefore, clientId };
}
