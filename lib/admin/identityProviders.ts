import { jwksUrlProblem } from '../clientAuth/jwksUrl.js';
import { identityProviderProblem, type IdentityProvider } from '../model/identityProvider.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';
import { requireRealm } from './lookup.js';

/**
 * A realm's identity providers (Keycloak's IdentityProvidersResource / IdentityProviderResource),
 * for federated client authentication: list, read, create, replace, delete. The CLI and the Admin
 * REST API call these; both hand in the model (lib/representation/identityProvider.ts reads it).
 */

export async function listIdentityProviders(ctx: AdminContext, realm: string): Promise<IdentityProvider[]> {
  await requireRealm(ctx.table, realm);
  return (await ctx.table.listIdentityProviders(realm)).sort((a, b) => a.alias.localeCompare(b.alias));
}

/** By alias, or by internal id as Keycloak also accepts (IdentityProvidersResource.getIdentityProvider). */
export async function findIdentityProvider(ctx: AdminContext, realm: string, aliasOrId: string): Promise<IdentityProvider | undefined> {
  const all = await listIdentityProviders(ctx, realm);
  return all.find((idp) => idp.alias === aliasOrId) ?? all.find((idp) => idp.internalId === aliasOrId);
}

export async function requireIdentityProvider(ctx: AdminContext, realm: string, aliasOrId: string): Promise<IdentityProvider> {
  const idp = await findIdentityProvider(ctx, realm, aliasOrId);
  if (!idp) throw new AdminError(`no identity provider '${aliasOrId}' in realm '${realm}'`, 'not-found');
  return idp;
}

/** The stage's URL rules (lib/clientAuth/jwksUrl.ts) for an issuer, a JWKS URL or a bundle endpoint. */
export const urlRule = (ctx: AdminContext) => (value: string) => jwksUrlProblem(value, { allowLoopbackHttp: ctx.localStage === true });

export async function createIdentityProvider(ctx: AdminContext, realm: string, idp: IdentityProvider): Promise<IdentityProvider> {
  const others = await listIdentityProviders(ctx, realm);
  if (others.some((other) => other.alias === idp.alias)) throw new AdminError(`Identity Provider ${idp.alias} already exists`, 'conflict');
  check(ctx, idp, others);
  await ctx.table.putItem(realm, { kind: 'identityProvider', ...idp });
  return idp;
}

/** Replaces the IdP `alias` names; a new alias renames it (Keycloak allows it; clients naming the old alias then name nothing). */
export async function updateIdentityProvider(ctx: AdminContext, realm: string, alias: string, idp: IdentityProvider): Promise<IdentityProvider> {
  const others = await listIdentityProviders(ctx, realm);
  const stored = others.find((other) => other.alias === alias);
  if (!stored) throw new AdminError(`no identity provider '${alias}' in realm '${realm}'`, 'not-found');
  if (idp.alias !== alias && others.some((other) => other.alias === idp.alias)) throw new AdminError(`Identity Provider ${idp.alias} already exists`, 'conflict');
  const next = { ...idp, internalId: stored.internalId };
  check(ctx, next, others.filter((other) => other.alias !== alias));
  await ctx.table.putItem(realm, { kind: 'identityProvider', ...next });
  if (idp.alias !== alias) await ctx.table.deleteItem(realm, { kind: 'identityProvider', alias });
  return next;
}

export async function deleteIdentityProvider(ctx: AdminContext, realm: string, aliasOrId: string): Promise<void> {
  const idp = await requireIdentityProvider(ctx, realm, aliasOrId);
  await ctx.table.deleteItem(realm, { kind: 'identityProvider', alias: idp.alias });
}

function check(ctx: AdminContext, idp: IdentityProvider, others: IdentityProvider[]): void {
  const problem = identityProviderProblem(idp, others, urlRule(ctx));
  if (problem) throw new AdminError(problem);
}
