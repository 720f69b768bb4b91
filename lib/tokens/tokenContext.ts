import { BoundedMap } from '../cache.js';
import type { ClientRecord, ClientScope, RealmData, RealmSettings } from '../model/stored.js';
import { ClaimWriter } from './claimWriter.js';
import { compileScopeMappers, mapperPlan, type CompiledMapper, type ScopeMappers } from './mapperPlan.js';
import type { MapperInput, MapperSubject, ResolvedRoles, TokenKind } from './mappers/types.js';
import { RoleGraph, roleKey, rolesInScope, type RoleRef } from './roles.js';
import { mayWrite } from './reservedClaims.js';
import { scopeClaim, type ResolvedScope } from './scope.js';
import { GroupIndex, roleMappingsWithGroups } from '../model/groupRoles.js';
import { serviceAccountOf } from './serviceAccount.js';

/** What building a token needs of a realm, indexed once per realm load (the realm context adds its keys). */
export interface TokenRealm {
  settings: RealmSettings;
  roles: RoleGraph;
  clientScopes: Map<string, ClientScope>;
  groups: GroupIndex;
  /** Every client scope's protocol mappers, compiled when the realm was loaded. */
  scopeMappers: ScopeMappers;
}

export function tokenRealm(data: Omit<RealmData, 'keys'>): TokenRealm {
  return {
    settings: data.settings,
    roles: new RoleGraph(data.compositeRoles),
    clientScopes: new Map(data.clientScopes.map((scope) => [scope.name, scope])),
    groups: new GroupIndex(data.groups ?? []),
    scopeMappers: compileScopeMappers(data.clientScopes),
  };
}

/** Everything one token request's tokens are built from, worked out once and shared by access token, ID token and response. */
export interface TokenContext extends MapperSubject {
  /** The client scopes in effect after the permission filter. */
  scopes: ClientScope[];
  /** The `scope` claim and response member. */
  scope: string;
  openid: boolean;
  /** The roles in scope (Keycloak's TokenManager.getAccess), before role-editing mappers. */
  roles: RoleRef[];
  mappers: CompiledMapper[];
  /** Client attribute `client.use.lightweight.access.token.enabled`. */
  lightweight: boolean;
  /**
   * What is derived from this shape alone, kept with it (lib/tokens/mappedClaims.ts keeps the
   * mappers' claims here): it is dropped with the shape when the realm or the client record changes.
   */
  memo: Map<string, unknown>;
}

/** The user-session notes Keycloak's ClientCredentialsGrantType sets. */
export function clientCredentialsNotes(clientId: string, sourceIp: string): Record<string, string> {
  return { client_id: clientId, clientId, clientHost: sourceIp, clientAddress: sourceIp };
}

export function tokenContext(realm: TokenRealm, client: ClientRecord, resolved: ResolvedScope, notes: Record<string, string>): TokenContext {
  const shape = clientShape(realm, client, resolved);
  // Field by field: V8 profiled an object spread here at several microseconds.
  return {
    user: shape.user,
    memberships: shape.memberships,
    client,
    realm: realm.settings,
    notes,
    scopes: shape.scopes,
    scope: shape.scope,
    openid: shape.openid,
    roles: shape.roles,
    mappers: shape.mappers,
    lightweight: shape.lightweight,
    memo: shape.memo,
  };
}

/** What a token context holds that depends only on the realm as loaded, the client record and the scopes asked for. */
type ClientShape = Omit<TokenContext, 'client' | 'realm' | 'notes'>;

/**
 * Each client's shapes, keyed by the realm context and the client record objects: both are
 * replaced, never changed, when their data changes (a realm reload, a client read afresh), so a
 * shape is worked out once per container for a cached client instead of once per grant — role
 * expansion, the scope permission filter and the mapper plan were a fifth of a warm grant's CPU.
 * At most 64 scope selections per client are kept, like the mapper plans (lib/tokens/mapperPlan.ts).
 */
const shapes = new WeakMap<TokenRealm, WeakMap<ClientRecord, Map<string, ClientShape>>>();

function clientShape(realm: TokenRealm, client: ClientRecord, resolved: ResolvedScope): ClientShape {
  // A resolved scope kept by resolveScope (lib/tokens/scope.ts) is the same object grant after grant.
  const known = byResolved.get(resolved);
  if (known && known.realm === realm && known.client === client) return known.shape;
  const shape = shapeFor(realm, client, resolved);
  if (Object.isFrozen(resolved)) byResolved.set(resolved, { realm, client, shape });
  return shape;
}

const byResolved = new WeakMap<ResolvedScope, { realm: TokenRealm; client: ClientRecord; shape: ClientShape }>();

function shapeFor(realm: TokenRealm, client: ClientRecord, resolved: ResolvedScope): ClientShape {
  let byClient = shapes.get(realm);
  if (!byClient) shapes.set(realm, (byClient = new WeakMap()));
  let bySelection = byClient.get(client);
  if (!bySelection) byClient.set(client, (bySelection = new Map()));
  const key = `${resolved.openid ? 'openid' : ''}\u0000${resolved.clientScopes.map((scope) => scope.name).join('\u0000')}`;
  let shape = bySelection.get(key);
  if (!shape) {
    shape = workOutShape(realm, client, resolved);
    if (bySelection.size < 64) bySelection.set(key, shape);
  }
  return shape;
}

function workOutShape(realm: TokenRealm, client: ClientRecord, resolved: ResolvedScope): ClientShape {
  const user = serviceAccountOf(client);
  const memberships = realm.groups.memberships(user);
  const held = realm.roles.expand(roleMappingsWithGroups(user, memberships));
  const scopes = resolved.clientScopes.filter((scope) => permitted(scope, held));
  return {
    user,
    memberships,
    scopes,
    scope: scopeClaim(resolved.openid, scopes),
    openid: resolved.openid,
    roles: rolesInScope(realm.roles, client, scopes, held),
    mappers: mapperPlan(client, scopes, realm.scopeMappers),
    lightweight: client.attributes['client.use.lightweight.access.token.enabled'] === 'true',
    memo: new BoundedMap(MAX_MEMO_ENTRIES),
  };
}

/** Bounds a shape's memo: its entries are keyed by session notes, which carry the caller's source address. */
const MAX_MEMO_ENTRIES = 32;

/**
 * Keycloak's isClientScopePermittedForUser: a client scope with role scope mappings is used only
 * when the service account holds (composites and groups expanded) one of those roles.
 */
function permitted(scope: ClientScope, held: Map<string, RoleRef>): boolean {
  const { realm, client } = scope.scopeMappings ?? { realm: [], client: {} };
  const roles: RoleRef[] = [...realm.map((name) => ({ name })), ...Object.entries(client).flatMap(([owner, names]) => names.map((name) => ({ client: owner, name })))];
  return roles.length === 0 || roles.some((role) => held.has(roleKey(role)));
}

/**
 * Runs the plan's mappers that write to this kind of token, in order, over the writer. The
 * resolved roles are per run: role-name and hardcoded-role mappers edit them for later mappers.
 */
export function runMappers(ctx: TokenContext, kind: TokenKind, writer: ClaimWriter, lightweight = false): void {
  const roles = resolvedRoles(ctx.roles);
  // One input for the whole run, its `config` set per mapper: a copy of the context per mapper was
  // the largest item of a warm grant's profile (≈ 65 µs of copying and garbage for 26 mappers).
  // Mappers are pure and keep nothing of their input (lib/tokens/mappers/types.ts).
  const input: MapperInput = { user: ctx.user, memberships: ctx.memberships, client: ctx.client, realm: ctx.realm, notes: ctx.notes, config: {}, roles };
  for (const compiled of ctx.mappers) {
    const selected = kind === 'access' && lightweight ? compiled.lightweight : compiled.on[kind];
    if (!selected) continue;
    input.config = compiled.mapper.config ?? {};
    for (const write of compiled.type.map(input)) {
      switch (write.kind) {
        case 'claim':
          writer.write(write, compiled.type);
          break;
        case 'audience':
          // `aud` is a reserved claim: only types that declare it (the audience mappers) add to it.
          if (mayWrite(compiled.type, 'aud')) writer.addAudience(write.audience);
          break;
        case 'addRole':
          add(roles, write.role);
          break;
        case 'renameRole':
          remove(roles, write.from);
          add(roles, write.to);
          break;
      }
    }
  }
}

interface MutableRoles extends ResolvedRoles {
  realm: Set<string>;
  clients: Map<string, Set<string>>;
}

function resolvedRoles(roles: RoleRef[]): MutableRoles {
  const resolved: MutableRoles = { realm: new Set(), clients: new Map() };
  for (const role of roles) add(resolved, role);
  return resolved;
}

function add(roles: MutableRoles, role: RoleRef): void {
  if (role.client === undefined) roles.realm.add(role.name);
  else {
    const names = roles.clients.get(role.client) ?? new Set<string>();
    names.add(role.name);
    roles.clients.set(role.client, names);
  }
}

function remove(roles: MutableRoles, role: RoleRef): void {
  if (role.client === undefined) roles.realm.delete(role.name);
  else {
    const names = roles.clients.get(role.client);
    names?.delete(role.name);
    // A client whose last role moved away leaves resource_access and the audience.
    if (names?.size === 0) roles.clients.delete(role.client);
  }
}
