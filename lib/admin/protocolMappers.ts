import { randomUUID } from 'node:crypto';
import type { ClientRecord, ClientScope, ProtocolMapper } from '../model/stored.js';
import { mapperProblems, OIDC } from '../tokens/mappers/registry.js';
import { saveClient, saveItem } from './itemLimit.js';
import type { AdminContext } from './context.js';
import { AdminError, refuseForbiddenKeys } from './errors.js';
import { requireClient, requireRealm } from './lookup.js';

/**
 * Protocol mappers of a client ("dedicated" mappers) or of a client scope, as Keycloak's
 * ProtocolMappersResource manages them. Shared by `sa-admin mapper …` and the Admin REST API.
 * A client's mappers are on its item (read with the client), a scope's on the scope's item (read
 * with the realm), so a change shows on the next token once the caches' times have passed.
 */

export type MapperOwner = { client: string } | { clientScope: string };

/** What an operator gives for a new mapper (ProtocolMapperRepresentation without the id, or with one to keep). */
export interface NewProtocolMapper {
  id?: string;
  name: string;
  protocolMapper: string;
  protocol?: string;
  consentRequired?: boolean;
  config?: Record<string, string>;
}

export const describeOwner = (owner: MapperOwner) => ('client' in owner ? `client '${owner.client}'` : `client scope '${owner.clientScope}'`);

export async function listProtocolMappers(ctx: AdminContext, realm: string, owner: MapperOwner): Promise<ProtocolMapper[]> {
  return (await loadOwner(ctx, realm, owner)).mappers;
}

export async function addProtocolMapper(ctx: AdminContext, realm: string, owner: MapperOwner, input: NewProtocolMapper): Promise<ProtocolMapper> {
  const [mapper] = await addProtocolMappers(ctx, realm, owner, [input]);
  return mapper!;
}

/**
 * Keycloak's `add-models` bounded: more in one request is refused, so one request cannot spend
 * the admin function's time budget (each mapper is checked) or grow an item past 400 KB in steps.
 */
export const MAX_MAPPERS_PER_REQUEST = 100;

/**
 * Several mappers at once, all or none: each is checked as addProtocolMapper checks one, then the
 * owner is written once, so a refused mapper leaves nothing of the others stored (issue 17, F8).
 */
export async function addProtocolMappers(ctx: AdminContext, realm: string, owner: MapperOwner, inputs: NewProtocolMapper[]): Promise<ProtocolMapper[]> {
  if (inputs.length > MAX_MAPPERS_PER_REQUEST) throw new AdminError(`at most ${MAX_MAPPERS_PER_REQUEST} protocol mappers can be added at once (got ${inputs.length})`);
  const loaded = await loadOwner(ctx, realm, owner);
  const added = newProtocolMappers(owner, loaded.mappers, inputs);
  if (added.length > 0) await loaded.save([...loaded.mappers, ...added]);
  return added;
}

/**
 * The checks every new mapper passes, whether added to an owner or sent with a new client or
 * client scope: a name, the OIDC protocol, a type this service applies and a config that type
 * accepts, a name and id no other mapper of the owner has. Returns the mappers as stored.
 */
export function newProtocolMappers(owner: MapperOwner, existing: readonly ProtocolMapper[], inputs: readonly NewProtocolMapper[]): ProtocolMapper[] {
  const all = [...existing];
  return inputs.map((input) => {
    const mapper = checked({
      id: input.id ?? randomUUID(),
      name: input.name,
      protocol: input.protocol ?? OIDC,
      protocolMapper: input.protocolMapper,
      consentRequired: input.consentRequired ?? false,
      config: { ...(input.config ?? {}) },
    });
    // Keycloak: 409 "Protocol mapper exists with same name".
    if (all.some((m) => m.name === mapper.name)) throw new AdminError(`${describeOwner(owner)} already has a protocol mapper named '${mapper.name}'`);
    if (all.some((m) => m.id === mapper.id)) throw new AdminError(`${describeOwner(owner)} already has a protocol mapper with id '${mapper.id}'`);
    all.push(mapper);
    return mapper;
  });
}

/** Replaces a mapper's name, config or consent flag; its id and type stay (Keycloak refuses a type change too). */
export async function updateProtocolMapper(
  ctx: AdminContext,
  realm: string,
  owner: MapperOwner,
  idOrName: string,
  changes: Partial<Pick<NewProtocolMapper, 'name' | 'config' | 'consentRequired' | 'protocolMapper'>>,
): Promise<ProtocolMapper> {
  const loaded = await loadOwner(ctx, realm, owner);
  const current = find(loaded.mappers, owner, idOrName);
  if (changes.protocolMapper !== undefined && changes.protocolMapper !== current.protocolMapper) {
    throw new AdminError(`the type of protocol mapper '${current.name}' cannot change (remove it and add a new one)`);
  }
  const updated = checked({
    ...current,
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.consentRequired === undefined ? {} : { consentRequired: changes.consentRequired }),
    ...(changes.config === undefined ? {} : { config: { ...changes.config } }),
  });
  if (loaded.mappers.some((m) => m.id !== current.id && m.name === updated.name)) {
    throw new AdminError(`${describeOwner(owner)} already has a protocol mapper named '${updated.name}'`);
  }
  await loaded.save(loaded.mappers.map((m) => (m.id === current.id ? updated : m)));
  return updated;
}

export async function removeProtocolMapper(ctx: AdminContext, realm: string, owner: MapperOwner, idOrName: string): Promise<ProtocolMapper> {
  const loaded = await loadOwner(ctx, realm, owner);
  const removed = find(loaded.mappers, owner, idOrName);
  await loaded.save(loaded.mappers.filter((m) => m.id !== removed.id));
  return removed;
}

/** A client scope by name, or an AdminError. */
export async function requireClientScope(ctx: AdminContext, realm: string, name: string): Promise<ClientScope> {
  const scope = await ctx.table.getClientScope(realm, name);
  if (!scope) throw new AdminError(`client scope '${name}' does not exist in realm '${realm}'`);
  return scope;
}

// ---------------------------------------------------------------------------------------------

/** Shortcuts for the mappers operators add most, with the flags Keycloak's admin console sets by default. */
export interface MapperFlags {
  accessToken?: boolean;
  idToken?: boolean;
  introspection?: boolean;
  lightweight?: boolean;
  userinfo?: boolean;
}

function flags(defaults: Required<Omit<MapperFlags, 'lightweight'>>, given: MapperFlags): Record<string, string> {
  const value = { ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as MapperFlags;
  return {
    'access.token.claim': String(value.accessToken),
    'id.token.claim': String(value.idToken),
    'introspection.token.claim': String(value.introspection),
    'userinfo.token.claim': String(value.userinfo),
    ...(value.lightweight === undefined ? {} : { 'lightweight.claim': String(value.lightweight) }),
  };
}

export const mapperTemplates = {
  /** `oidc-audience-mapper`: a client id (`clientAudience`) or any string (`customAudience`) in `aud`. */
  audience(options: { name?: string; clientAudience?: string; customAudience?: string } & MapperFlags): NewProtocolMapper {
    const { name, clientAudience, customAudience, ...given } = options;
    if ((clientAudience === undefined) === (customAudience === undefined)) throw new AdminError('an audience mapper needs a client audience or a custom audience (one of them)');
    const config = {
      ...flags({ accessToken: true, idToken: false, introspection: true, userinfo: false }, given),
      ...(clientAudience === undefined ? {} : { 'included.client.audience': clientAudience }),
      ...(customAudience === undefined ? {} : { 'included.custom.audience': customAudience }),
    };
    return { name: name ?? `audience ${clientAudience ?? customAudience}`, protocolMapper: 'oidc-audience-mapper', config };
  },
  /** `oidc-hardcoded-claim-mapper`: `value` under `claim`, typed by `jsonType` (String, long, int, boolean, JSON). */
  hardcodedClaim(options: { name?: string; claim: string; value: string; jsonType?: string } & MapperFlags): NewProtocolMapper {
    const { name, claim, value, jsonType, ...given } = options;
    const config = {
      ...flags({ accessToken: true, idToken: true, introspection: true, userinfo: true }, given),
      'claim.name': claim,
      'claim.value': value,
      'jsonType.label': jsonType ?? 'String',
    };
    return { name: name ?? claim, protocolMapper: 'oidc-hardcoded-claim-mapper', config };
  },
  /** `oidc-usermodel-attribute-mapper`: the service account's (or its groups') `attribute` under `claim`. */
  userAttribute(
    options: { name?: string; attribute: string; claim?: string; jsonType?: string; multivalued?: boolean; aggregate?: boolean } & MapperFlags,
  ): NewProtocolMapper {
    const { name, attribute, claim, jsonType, multivalued, aggregate, ...given } = options;
    const config = {
      ...flags({ accessToken: true, idToken: true, introspection: true, userinfo: true }, given),
      'user.attribute': attribute,
      'claim.name': claim ?? attribute,
      'jsonType.label': jsonType ?? 'String',
      ...(multivalued ? { multivalued: 'true' } : {}),
      ...(aggregate ? { 'aggregate.attrs': 'true' } : {}),
    };
    return { name: name ?? attribute, protocolMapper: 'oidc-usermodel-attribute-mapper', config };
  },
};

// ---------------------------------------------------------------------------------------------

interface LoadedOwner {
  mappers: ProtocolMapper[];
  save(mappers: ProtocolMapper[]): Promise<void>;
}

async function loadOwner(ctx: AdminContext, realm: string, owner: MapperOwner): Promise<LoadedOwner> {
  await requireRealm(ctx.table, realm);
  if ('client' in owner) {
    const client: ClientRecord = await requireClient(ctx.table, realm, owner.client);
    return { mappers: client.protocolMappers ?? [], save: (protocolMappers) => saveClient(ctx.table, { ...client, protocolMappers }) };
  }
  const scope = await requireClientScope(ctx, realm, owner.clientScope);
  return {
    mappers: scope.protocolMappers ?? [],
    save: (protocolMappers) => saveItem(ctx.table, realm, { kind: 'clientScope', ...scope, protocolMappers }, describeOwner(owner)),
  };
}

function find(mappers: ProtocolMapper[], owner: MapperOwner, idOrName: string): ProtocolMapper {
  const found = mappers.find((m) => m.id === idOrName) ?? mappers.find((m) => m.name === idOrName);
  if (!found) throw new AdminError(`${describeOwner(owner)} has no protocol mapper '${idOrName}'`);
  return found;
}

/** Refuses what could not be applied: an empty name, a type this service does not know, a configuration its type rejects. */
function checked(mapper: ProtocolMapper): ProtocolMapper {
  if (mapper.name.trim() === '') throw new AdminError('a protocol mapper needs a name');
  if (mapper.protocol !== OIDC) throw new AdminError(`only ${OIDC} protocol mappers can be added (got '${mapper.protocol}')`);
  refuseForbiddenKeys({ config: mapper.config });
  for (const [key, value] of Object.entries(mapper.config)) {
    if (typeof value !== 'string') throw new AdminError(`protocol mapper config '${key}' must be a string`);
  }
  const problems = mapperProblems(mapper);
  if (problems.length > 0) throw new AdminError(`protocol mapper '${mapper.name}': ${problems.join('; ')}`);
  return mapper;
}
