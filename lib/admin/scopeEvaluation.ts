import type { ClientRecord, ClientScope, ProtocolMapper, Role } from '../model/stored.js';
import { mapperPlan } from '../tokens/mapperPlan.js';
import type { MapperType } from '../tokens/mappers/types.js';
import { scopeAllows } from '../tokens/roles.js';
import { scopesNamed } from '../tokens/scope.js';
import { tokenRealm } from '../tokens/tokenContext.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';

/**
 * What a client's tokens would be made of for a `scope` parameter: the mappers that would run and
 * the roles the client may carry (Keycloak's ClientScopeEvaluateResource, the console's Client
 * scopes › Evaluate tab). Worked out by the token endpoint's own functions (scopesNamed,
 * mapperPlan, scopeAllows), so what Evaluate lists and what a token holds cannot drift apart.
 *
 * As Keycloak (TokenManager.getRequestedClientScopes with no user), the scopes in effect are the
 * client's default scopes and the optional ones named; other names are ignored, and no scope is
 * left out for lack of its role: that filter depends on the user, and these lists do not.
 */
export interface ScopeEvaluation {
  /** The mappers a token would run, in the order they run, each with its owner (none: the client's own). */
  mappers: { mapper: ProtocolMapper; type: MapperType; scope?: ClientScope }[];
  /** Whether the client may carry a role in its tokens (Keycloak's `hasScope` over the client and the scopes in effect). */
  allows(role: Pick<Role, 'client' | 'name'>): boolean;
}

export async function evaluateScopes(ctx: AdminContext, realm: string, client: ClientRecord, scope: string | undefined): Promise<ScopeEvaluation> {
  const data = await ctx.table.loadRealm(realm);
  if (!data) throw new AdminError(`realm '${realm}' does not exist`, 'not-found');
  const model = tokenRealm(data);
  const { clientScopes } = scopesNamed((scope ?? '').split(' ').filter((name) => name !== ''), client, model.clientScopes);
  const dedicated = new Set((client.protocolMappers ?? []).map((mapper) => mapper.id));
  const owners = new Map(clientScopes.flatMap((owner) => (owner.protocolMappers ?? []).map((mapper) => [mapper.id, owner] as const)));
  const mappers = mapperPlan(client, clientScopes, model.scopeMappers).map(({ mapper, type }) => {
    const owner = dedicated.has(mapper.id) ? undefined : owners.get(mapper.id);
    return { mapper, type, ...(owner ? { scope: owner } : {}) };
  });
  return { mappers, allows: scopeAllows(model.roles, client, clientScopes) };
}

/** A role container's roles split by whether the client may carry them (Keycloak's `granted` and `not-granted`). */
export async function grantedRoles(ctx: AdminContext, realm: string, evaluation: ScopeEvaluation, container: { client?: string }): Promise<{ granted: Role[]; notGranted: Role[] }> {
  const roles = (await ctx.table.listRoles(realm, container)).filter((role) => role.client === container.client).sort((a, b) => a.name.localeCompare(b.name));
  return { granted: roles.filter(evaluation.allows), notGranted: roles.filter((role) => !evaluation.allows(role)) };
}
