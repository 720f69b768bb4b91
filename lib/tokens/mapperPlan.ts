import { ownStrings } from '../model/userKeys.js';
import type { ClientRecord, ClientScope, ProtocolMapper } from '../model/stored.js';
import { MAPPER_TYPES, OIDC } from './mappers/registry.js';
import type { MapperType, TokenKind } from './mappers/types.js';

/**
 * A protocol mapper ready to run: its type looked up and its flags read once, when the realm (for
 * client scopes) or the client record (for dedicated mappers) is loaded, never per token.
 */
export interface CompiledMapper {
  mapper: ProtocolMapper;
  type: MapperType;
  /** Whether it writes to each kind of token (OIDCAttributeMapperHelper's include* rules). */
  on: Readonly<Record<TokenKind, boolean>>;
  /** `lightweight.claim`: for a lightweight client this replaces the access flag entirely. */
  lightweight: boolean;
}

/** Keycloak's flags (keycloak-mappers.md §4). */
export function compileMapper(mapper: ProtocolMapper): CompiledMapper | undefined {
  const type = MAPPER_TYPES.get(mapper.protocolMapper);
  // Only mappers of the client's protocol whose provider exists run (ProtocolMapperUtils.isEnabled).
  if (!type || (mapper.protocol ?? OIDC) !== OIDC) return undefined;
  // Own string entries only, on a null prototype: stored data with a forbidden key can neither hide nor inherit a setting.
  const config = ownStrings(mapper.config);
  const supports = (kind: TokenKind) => type.ignoresFlags || type.tokens.includes(kind);
  const flag = (key: string, absent: boolean) => (config[key] === undefined ? absent : config[key] === 'true');
  const access = type.ignoresFlags || flag('access.token.claim', type.onByDefault ?? false);
  return {
    mapper: { ...mapper, config },
    type,
    on: {
      access: supports('access') && access,
      id: supports('id') && (type.ignoresFlags || flag('id.token.claim', false)),
      introspection: supports('introspection') && (type.ignoresFlags || flag('introspection.token.claim', access)),
      tokenResponse: type.tokens.includes('tokenResponse') && flag('access.tokenResponse.claim', false),
    },
    lightweight: supports('access') && (type.ignoresFlags || flag('lightweight.claim', false)),
  };
}

export function compileMappers(mappers: readonly ProtocolMapper[] | undefined): CompiledMapper[] {
  return (mappers ?? []).flatMap((mapper) => compileMapper(mapper) ?? []);
}

/** Client scope name → its compiled mappers; built with the realm context. */
export type ScopeMappers = ReadonlyMap<string, CompiledMapper[]>;

export function compileScopeMappers(scopes: Iterable<ClientScope>): ScopeMappers {
  return new Map([...scopes].map((scope) => [scope.name, compileMappers(scope.protocolMappers)]));
}

/**
 * Per realm context's scope mappers and client record: the client's dedicated mappers compiled
 * once, and the sorted plan for each set of scopes in effect. Keyed by both objects, so a record
 * served from the client cache is compiled once for its lifetime, a record read afresh is compiled
 * afresh, and a realm reload (whose scopes' mappers may have changed) never meets a plan built from
 * the scopes it replaced, even for a record that outlived it.
 */
type ClientPlans = { dedicated: CompiledMapper[]; bySelection: Map<string, CompiledMapper[]> };
const plans = new WeakMap<ScopeMappers, WeakMap<ClientRecord, ClientPlans>>();

/**
 * The mappers a token runs, in Keycloak's order: the client's own and those of the scopes in
 * effect, stably sorted by priority (ProtocolMapperUtils.getSortedProtocolMappers). Within one
 * priority Keycloak's order comes from hash sets; here the client's own come first, then the
 * scopes' in the client's order.
 */
export function mapperPlan(client: ClientRecord, scopes: readonly ClientScope[], scopeMappers: ScopeMappers): CompiledMapper[] {
  let byClient = plans.get(scopeMappers);
  if (!byClient) plans.set(scopeMappers, (byClient = new WeakMap()));
  let entry = byClient.get(client);
  if (!entry) {
    entry = { dedicated: compileMappers(client.protocolMappers), bySelection: new Map() };
    byClient.set(client, entry);
  }
  const key = scopes.map((scope) => scope.name).join('\u0000');
  let plan = entry.bySelection.get(key);
  if (!plan) {
    plan = [...entry.dedicated, ...scopes.flatMap((scope) => scopeMappers.get(scope.name) ?? compileMappers(scope.protocolMappers))];
    plan = plan.map((mapper, index) => ({ mapper, index })).sort((a, b) => a.mapper.type.priority - b.mapper.type.priority || a.index - b.index).map(({ mapper }) => mapper);
    if (entry.bySelection.size < 64) entry.bySelection.set(key, plan);
  }
  return plan;
}
