import { randomUUID } from 'node:crypto';
import { emptyRoleMappings, type ClientScope, type ProtocolMapper } from '../model/stored.js';
import type { AdminContext } from './context.js';
import { AdminError, refuseForbiddenKeys } from './errors.js';
import { clientScopeId } from './ids.js';
import { saveClient, saveItem } from './itemLimit.js';
import { requireRealm } from './lookup.js';
import { newProtocolMappers } from './protocolMappers.js';

/**
 * Client scopes (Keycloak's ClientScopesResource / ClientScopeResource): the realm's named sets of
 * scope mappings and protocol mappers that clients take as default or optional scopes. Clients and
 * the realm's default lists name a scope by its name here (Keycloak refers to it by id), so a rename
 * rewrites those lists.
 */

export interface ClientScopeFields {
  name?: string;
  description?: string;
  protocol?: string;
  /** All attributes as sent; given, they replace the stored ones. */
  attributes?: Record<string, string>;
}

/** Keycloak's ClientScopeModel.isIncludeInTokenScope: absent means yes, else Boolean.parseBoolean. */
export function includeInTokenScope(attributes: Record<string, string> | undefined): boolean {
  const value = attributes?.['include.in.token.scope'];
  return value === undefined || value.toLowerCase() === 'true';
}

/** RFC 6749 §3.3 scope-token characters, as Keycloak checks a client scope's name (ClientScopeResource.validateClientScopeName). */
const SCOPE_NAME = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export async function listClientScopes(ctx: AdminContext, realm: string): Promise<ClientScope[]> {
  await requireRealm(ctx.table, realm);
  return (await ctx.table.listClientScopes(realm)).map((scope) => ({ ...scope, id: clientScopeId(realm, scope) }));
}

export async function findClientScopeById(ctx: AdminContext, realm: string, id: string): Promise<ClientScope | undefined> {
  return (await listClientScopes(ctx, realm)).find((scope) => scope.id === id);
}

export async function findClientScopeByName(ctx: AdminContext, realm: string, name: string): Promise<ClientScope | undefined> {
  return (await listClientScopes(ctx, realm)).find((scope) => scope.name === name);
}

export async function requireClientScopeById(ctx: AdminContext, realm: string, id: string): Promise<ClientScope> {
  const scope = await findClientScopeById(ctx, realm, id);
  if (!scope) throw new AdminError(`no client scope with id '${id}' in realm '${realm}'`, 'not-found');
  return scope;
}

/** A new client scope, with a random UUID as Keycloak gives, and the protocol mappers sent with it. */
export async function createClientScope(
  ctx: AdminContext,
  realm: string,
  fields: ClientScopeFields & { name: string },
  protocolMappers: (Omit<ProtocolMapper, 'id'> & { id?: string })[] = [],
): Promise<ClientScope> {
  checkName(fields.name);
  refuseForbiddenKeys({ fields, protocolMappers });
  if (await findClientScopeByName(ctx, realm, fields.name)) throw new AdminError(`client scope '${fields.name}' already exists in realm '${realm}'`, 'conflict');
  const attributes = fields.attributes ?? {};
  const scope: ClientScope = {
    id: randomUUID(),
    name: fields.name,
    ...(fields.description === undefined ? {} : { description: fields.description }),
    protocol: fields.protocol ?? 'openid-connect',
    includeInTokenScope: includeInTokenScope(attributes),
    scopeMappings: emptyRoleMappings(),
    attributes,
    // Checked as a mapper added later is (lib/admin/protocolMappers.ts).
    ...(protocolMappers.length > 0 ? { protocolMappers: newProtocolMappers({ clientScope: fields.name }, [], protocolMappers) } : {}),
  };
  await saveItem(ctx.table, realm, { kind: 'clientScope', ...scope }, `client scope '${scope.name}'`);
  return scope;
}

/**
 * Changes a client scope's fields (Keycloak's RepresentationToModel.updateClientScope: what is
 * sent replaces what is stored, absent fields stay). A new name moves the item and rewrites every
 * client's default and optional scope lists and the realm's default lists.
 */
export async function updateClientScope(ctx: AdminContext, realm: string, id: string, fields: ClientScopeFields): Promise<ClientScope> {
  const stored = await requireClientScopeById(ctx, realm, id);
  refuseForbiddenKeys(fields);
  const renamed = fields.name !== undefined && fields.name !== stored.name;
  if (renamed) {
    checkName(fields.name!);
    if (await findClientScopeByName(ctx, realm, fields.name!)) throw new AdminError(`client scope '${fields.name}' already exists in realm '${realm}'`, 'conflict');
  }
  const attributes = fields.attributes ?? stored.attributes;
  const updated: ClientScope = {
    ...stored,
    ...(fields.name === undefined ? {} : { name: fields.name }),
    ...(fields.description === undefined ? {} : { description: fields.description }),
    ...(fields.protocol === undefined ? {} : { protocol: fields.protocol }),
    ...(attributes === undefined ? {} : { attributes }),
    includeInTokenScope: attributes === undefined ? stored.includeInTokenScope : includeInTokenScope(attributes),
  };
  await saveItem(ctx.table, realm, { kind: 'clientScope', ...updated }, `client scope '${updated.name}'`);
  if (renamed) {
    await renameReferences(ctx, realm, stored.name, updated.name);
    await ctx.table.deleteItem(realm, { kind: 'clientScope', name: stored.name });
  }
  return updated;
}

/**
 * Deletes a client scope that no client and no realm default list names: Keycloak's
 * `Cannot remove client scope, it is currently in use` (the reference's choice, §6).
 */
export async function deleteClientScope(ctx: AdminContext, realm: string, id: string): Promise<ClientScope> {
  const settings = await requireRealm(ctx.table, realm);
  const scope = await requireClientScopeById(ctx, realm, id);
  const inRealmDefaults = settings.defaultDefaultClientScopes.includes(scope.name) || settings.defaultOptionalClientScopes.includes(scope.name);
  const clients = (await ctx.table.listClients(realm)).filter(
    (client) => client.defaultClientScopes.includes(scope.name) || client.optionalClientScopes.includes(scope.name),
  );
  if (inRealmDefaults || clients.length > 0) {
    const users = [...(inRealmDefaults ? ['the realm defaults'] : []), ...(clients.length > 0 ? [`${clients.length} client(s)`] : [])];
    throw new AdminError(`client scope '${scope.name}' is in use by ${users.join(' and ')}`, 'invalid');
  }
  await ctx.table.deleteItem(realm, { kind: 'clientScope', name: scope.name });
  return scope;
}

async function renameReferences(ctx: AdminContext, realm: string, from: string, to: string): Promise<void> {
  const rename = (names: string[]) => names.map((name) => (name === from ? to : name));
  const settings = await requireRealm(ctx.table, realm);
  if (settings.defaultDefaultClientScopes.includes(from) || settings.defaultOptionalClientScopes.includes(from)) {
    await ctx.table.putItem(realm, {
      kind: 'settings',
      ...settings,
      defaultDefaultClientScopes: rename(settings.defaultDefaultClientScopes),
      defaultOptionalClientScopes: rename(settings.defaultOptionalClientScopes),
    });
  }
  for (const client of await ctx.table.listClients(realm)) {
    if (!(client.defaultClientScopes.includes(from) || client.optionalClientScopes.includes(from))) continue;
    await saveClient(ctx.table, { ...client, defaultClientScopes: rename(client.defaultClientScopes), optionalClientScopes: rename(client.optionalClientScopes) });
  }
}

function checkName(name: string): void {
  if (!SCOPE_NAME.test(name)) throw new AdminError(`'${name}' is not a valid client scope name (RFC 6749 scope-token characters only)`);
}

/** Which realm list a scope is on: Keycloak's realm "default" and "optional" client scopes, given to every client created afterwards. */
export type RealmScopeType = 'default' | 'optional';

export async function realmDefaultScopes(ctx: AdminContext, realm: string, type: RealmScopeType): Promise<ClientScope[]> {
  const settings = await requireRealm(ctx.table, realm);
  const names = type === 'default' ? settings.defaultDefaultClientScopes : settings.defaultOptionalClientScopes;
  const scopes = await listClientScopes(ctx, realm);
  return names.flatMap((name) => scopes.filter((scope) => scope.name === name));
}

/**
 * Puts a scope on one realm list (`type`) or takes it off both (`undefined`). Keycloak keeps one
 * row per scope (RealmModel.addDefaultClientScope), so adding to one list takes it off the other.
 */
export async function setRealmDefaultScope(ctx: AdminContext, realm: string, id: string, type: RealmScopeType | undefined): Promise<ClientScope> {
  const settings = await requireRealm(ctx.table, realm);
  const scope = await requireClientScopeById(ctx, realm, id);
  const without = (names: string[]) => names.filter((name) => name !== scope.name);
  await ctx.table.putItem(realm, {
    kind: 'settings',
    ...settings,
    defaultDefaultClientScopes: [...without(settings.defaultDefaultClientScopes), ...(type === 'default' ? [scope.name] : [])],
    defaultOptionalClientScopes: [...without(settings.defaultOptionalClientScopes), ...(type === 'optional' ? [scope.name] : [])],
  });
  return scope;
}
