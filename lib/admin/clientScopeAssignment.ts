import type { ClientScope } from '../model/stored.js';
import { showClient, updateClient, type ClientView } from './clients.js';
import { listClientScopes } from './clientScopes.js';
import type { AdminContext } from './context.js';
import { AdminError } from './errors.js';

/**
 * A client's default and optional client scopes (Keycloak's ClientResource
 * `default-client-scopes` / `optional-client-scopes`, and the admin console's "Assigned type").
 * A default scope is in every token of the client; an optional one only when the request's
 * `scope` names it. A scope is one or the other, never both: assigning it moves it.
 */
export type ScopeAssignment = 'default' | 'optional';

const field = (kind: ScopeAssignment) => (kind === 'default' ? 'defaultClientScopes' : 'optionalClientScopes');

/** The client's scopes of one kind, in its order; a name whose scope no longer exists is left out. */
export async function assignedClientScopes(ctx: AdminContext, realm: string, clientId: string, kind: ScopeAssignment): Promise<ClientScope[]> {
  const client = await showClient(ctx, realm, clientId);
  const scopes = await listClientScopes(ctx, realm);
  return client[field(kind)].flatMap((name) => scopes.filter((scope) => scope.name === name));
}

/** Assigns the realm's client scope `scope` (by name) to the client as `kind`, removing it from the other list. */
export async function assignClientScope(ctx: AdminContext, realm: string, clientId: string, scope: string, kind: ScopeAssignment): Promise<ClientView> {
  const client = await showClient(ctx, realm, clientId);
  await requireScope(ctx, realm, scope);
  const other = kind === 'default' ? 'optional' : 'default';
  const target = client[field(kind)];
  return updateClient(ctx, realm, clientId, {
    [field(kind)]: target.includes(scope) ? target : [...target, scope],
    [field(other)]: client[field(other)].filter((name) => name !== scope),
  });
}

/** Removes the client scope `scope` (by name) from the client's `kind` list; absent from it, nothing changes. */
export async function unassignClientScope(ctx: AdminContext, realm: string, clientId: string, scope: string, kind: ScopeAssignment): Promise<ClientView> {
  const client = await showClient(ctx, realm, clientId);
  await requireScope(ctx, realm, scope);
  if (!client[field(kind)].includes(scope)) return client;
  return updateClient(ctx, realm, clientId, { [field(kind)]: client[field(kind)].filter((name) => name !== scope) });
}

async function requireScope(ctx: AdminContext, realm: string, name: string): Promise<void> {
  if (!(await listClientScopes(ctx, realm)).some((scope) => scope.name === name)) {
    throw new AdminError(`no client scope '${name}' in realm '${realm}'`, 'not-found');
  }
}
