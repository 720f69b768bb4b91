import { addProtocolMappers, listProtocolMappers, MAX_MAPPERS_PER_REQUEST, removeProtocolMapper, updateProtocolMapper, type MapperOwner } from '../admin/protocolMappers.js';
import type { ProtocolMapper } from '../model/stored.js';
import { MAPPER_TYPES } from '../tokens/mappers/registry.js';
import { badRequest, conflict, notFound } from './errors.js';
import { clientScopeById, clientScopeExists } from './clientScopes.js';
import { parseProtocolMapper, protocolMapperRepresentation, type ProtocolMapperInput } from '../representation/protocolMapper.js';
import { clientByUuid, clientIdExists, refuseInternalChange } from './roleContainers.js';
import { created, noContent, ok, type AdminCall, type AdminResponse, type AdminRoute } from './route.js';

/**
 * Protocol mappers of a client (`/clients/{id}/protocol-mappers`) or of a client scope
 * (`/client-scopes/{scopeId}/protocol-mappers`), Keycloak's ProtocolMappersResource, on the
 * operations sa-admin's `mapper` commands use (lib/admin/protocolMappers.ts). Reading needs
 * view-clients, changing manage-clients; `realm-management`'s mappers are read-only.
 */

interface Owner {
  owner: MapperOwner;
  /** The `…/protocol-mappers` URL segments of the owner, for `Location`. */
  path: string[];
  /** The clientId when the owner is a client (internal clients refuse changes). */
  clientId?: string;
}

const clientOwner = async (call: AdminCall): Promise<Owner> => {
  const client = await clientByUuid(call, call.params.id!);
  return { owner: { client: client.clientId }, path: ['clients', client.id], clientId: client.clientId };
};

const scopeOwner = async (call: AdminCall): Promise<Owner> => {
  const scope = await clientScopeById(call, call.params.scopeId!);
  return { owner: { clientScope: scope.name }, path: ['client-scopes', scope.id!] };
};

async function mapperById(call: AdminCall, owner: Owner): Promise<ProtocolMapper> {
  const mapper = (await listProtocolMappers(call.admin, call.params.realm!, owner.owner)).find((m) => m.id === call.params.mapperId);
  if (!mapper) throw notFound('Model not found');
  return mapper;
}

/**
 * Keycloak's checks before a mapper is stored (ProtocolMappersResource.validateModel and the
 * unique name): a type without a provider is 404 `ProtocolMapper provider not found`, a name
 * another mapper of the owner has is 409. The type's own checks follow in lib/admin (400).
 */
function checkNew(input: ProtocolMapperInput, existing: readonly Pick<ProtocolMapper, 'id' | 'name'>[], self?: string): void {
  if (!MAPPER_TYPES.has(input.protocolMapper)) throw notFound('ProtocolMapper provider not found');
  if (existing.some((m) => m.id !== self && m.name === input.name)) throw conflict('Protocol mapper exists with same name');
}

/** Keycloak's checks for several new mappers of one owner, each also against those before it in the list. */
export function checkNewMappers(inputs: readonly ProtocolMapperInput[], existing: readonly ProtocolMapper[]): void {
  const seen: Pick<ProtocolMapper, 'id' | 'name'>[] = [...existing];
  for (const input of inputs) {
    checkNew(input, seen);
    seen.push({ id: input.id ?? '', name: input.name });
  }
}

/** Checks, then stores every mapper in one write: a refused one leaves none of the others stored. */
async function add(call: AdminCall, owner: Owner, inputs: ProtocolMapperInput[]): Promise<ProtocolMapper[]> {
  if (inputs.length > MAX_MAPPERS_PER_REQUEST) throw badRequest(`At most ${MAX_MAPPERS_PER_REQUEST} protocol mappers can be added in one request`);
  checkNewMappers(inputs, await listProtocolMappers(call.admin, call.params.realm!, owner.owner));
  return addProtocolMappers(call.admin, call.params.realm!, owner.owner, inputs);
}

type Handler = (call: AdminCall, owner: Owner) => Promise<AdminResponse>;

const handlers: Record<'list' | 'create' | 'addModels' | 'byProtocol' | 'get' | 'update' | 'remove', Handler> = {
  list: async (call, owner) => ok((await listProtocolMappers(call.admin, call.params.realm!, owner.owner)).map(protocolMapperRepresentation)),
  create: async (call, owner) => {
    refuseInternalChange(owner.clientId);
    const [mapper] = await add(call, owner, [parseProtocolMapper(call.body('object'))]);
    return created(call.url('realms', call.params.realm!, ...owner.path, 'protocol-mappers', 'models', mapper!.id));
  },
  /**
   * Several at once (`add-models`), each checked as one, all stored or none: Keycloak adds them one
   * by one in one transaction; here they are one write of the owner's item.
   */
  addModels: async (call, owner) => {
    refuseInternalChange(owner.clientId);
    await add(call, owner, ((call.body('array') ?? []) as unknown[]).map(parseProtocolMapper));
    return noContent();
  },
  byProtocol: async (call, owner) => {
    const mappers = await listProtocolMappers(call.admin, call.params.realm!, owner.owner);
    return ok(mappers.filter((m) => m.protocol === call.params.protocol).map(protocolMapperRepresentation));
  },
  get: async (call, owner) => ok(protocolMapperRepresentation(await mapperById(call, owner))),
  /** PUT replaces the name, consent flag and config with what is sent (RepresentationToModel.toModel). */
  update: async (call, owner) => {
    refuseInternalChange(owner.clientId);
    const current = await mapperById(call, owner);
    const input = parseProtocolMapper(call.body('object'));
    const changed: ProtocolMapperInput = { ...input, name: input.name === '' ? current.name : input.name, protocolMapper: input.protocolMapper === '' ? current.protocolMapper : input.protocolMapper };
    checkNew(changed, await listProtocolMappers(call.admin, call.params.realm!, owner.owner), current.id);
    await updateProtocolMapper(call.admin, call.params.realm!, owner.owner, current.id, {
      name: changed.name,
      protocolMapper: changed.protocolMapper,
      consentRequired: changed.consentRequired ?? false,
      config: changed.config,
    });
    return noContent();
  },
  remove: async (call, owner) => {
    refuseInternalChange(owner.clientId);
    const current = await mapperById(call, owner);
    await removeProtocolMapper(call.admin, call.params.realm!, owner.owner, current.id);
    return noContent();
  },
};

function routes(base: string, ownerOf: (call: AdminCall) => Promise<Owner>, exists: AdminRoute['exists']): AdminRoute[] {
  const route = (method: AdminRoute['method'], path: string, handler: Handler): AdminRoute => ({
    method,
    path: `${base}/protocol-mappers${path}`,
    right: method === 'GET' ? 'view-clients' : 'manage-clients',
    exists,
    handle: async (call) => handler(call, await ownerOf(call)),
  });
  return [
    route('GET', '/models', handlers.list),
    route('POST', '/models', handlers.create),
    route('POST', '/add-models', handlers.addModels),
    route('GET', '/protocol/{protocol}', handlers.byProtocol),
    route('GET', '/models/{mapperId}', handlers.get),
    route('PUT', '/models/{mapperId}', handlers.update),
    route('DELETE', '/models/{mapperId}', handlers.remove),
  ];
}

export const protocolMapperRoutes: AdminRoute[] = [
  ...routes('/realms/{realm}/clients/{id}', clientOwner, clientIdExists),
  ...routes('/realms/{realm}/client-scopes/{scopeId}', scopeOwner, clientScopeExists),
];
