/**
 * The realms of part `scale` (issue 21, target 3): the demo realm plus generated clients, roles,
 * client scopes with mappers, and groups. One small generated export goes through the product's
 * own import parser (lib/admin/realmImport.ts); its one generated item of each kind is the template
 * every further one is copied from, renamed. So every item is one the import would have stored,
 * and 20,000 clients cost the bench their writes, not 20,000 validations.
 *
 * Sizes grow along chains: each chain is one realm whose later points only add items to its
 * earlier ones, so the writes are each point's new items, not a realm written from nothing.
 */
import { createHash } from 'node:crypto';
import { parseRealmExport } from '../../lib/admin/realmImport.js';
import type { ClientsTableItem } from '../../lib/store/clientsTable.js';

export interface RealmSize {
  clients: number;
  roles: number;
  scopes: number;
  groups: number;
  mappers: number;
}

/** The small base every dimension grows from, one at a time. */
export const SCALE_BASE: RealmSize = { clients: 10, roles: 10, scopes: 10, groups: 0, mappers: 0 };

/** The largest realm: 20,000 clients, 5,000 roles, 1,000 groups (and 200 scopes, 500 mappers). */
export const SCALE_COMBINED: RealmSize = { clients: 20_000, roles: 5_000, scopes: 200, groups: 1_000, mappers: 500 };

/** One realm, grown point by point; `varies` names what a point changes from the base. */
export interface ScaleChain {
  realm: string;
  points: { varies: string; size: RealmSize }[];
}

export const SCALE_CHAINS: readonly ScaleChain[] = [
  // Never grown: every point's grants are timed against this realm's in the same window.
  { realm: 'scale-base', points: [{ varies: 'base', size: SCALE_BASE }] },
  {
    realm: 'scale-clients',
    points: [
      { varies: 'clients', size: { ...SCALE_BASE, clients: 1_000 } },
      { varies: 'clients', size: { ...SCALE_BASE, clients: 20_000 } },
      { varies: 'all (the issue’s large realm)', size: SCALE_COMBINED },
    ],
  },
  { realm: 'scale-roles', points: [{ varies: 'roles', size: { ...SCALE_BASE, roles: 1_000 } }, { varies: 'roles', size: { ...SCALE_BASE, roles: 5_000 } }] },
  { realm: 'scale-scopes', points: [{ varies: 'client scopes', size: { ...SCALE_BASE, scopes: 200 } }] },
  { realm: 'scale-groups', points: [{ varies: 'groups', size: { ...SCALE_BASE, groups: 1_000 } }] },
  { realm: 'scale-mappers', points: [{ varies: 'mappers', size: { ...SCALE_BASE, mappers: 500 } }] },
];

/** Every point in order, numbered as `--scale-sizes` names them. */
export const SCALE_POINTS = SCALE_CHAINS.flatMap((chain) => chain.points.map((point) => ({ realm: chain.realm, ...point })));

interface Templates {
  /** The demo realm's own items (settings, its roles, scopes, clients), as the import lays them out. */
  demo: ClientsTableItem[];
  plainRole: Extract<ClientsTableItem, { kind: 'role' }>;
  compositeRole: Extract<ClientsTableItem, { kind: 'role' }>;
  scope: Extract<ClientsTableItem, { kind: 'clientScope' }>;
  group: Extract<ClientsTableItem, { kind: 'group' }>;
  client: Extract<ClientsTableItem, { kind: 'client' }>;
}

/** The demo realm under `realm`'s name with one generated item of each kind, through the import parser. */
export async function realmTemplates(demo: Record<string, unknown>, realm: string): Promise<Templates> {
  const parsed = await parseRealmExport(generatedExport(demo, realm, { clients: 1, roles: 2, scopes: 1, groups: 1, mappers: 1 }));
  const generated = (item: ClientsTableItem) => ('clientId' in item ? item.clientId : 'name' in item ? item.name : '').startsWith('gen-');
  const find = <K extends ClientsTableItem['kind']>(kind: K, test: (item: Extract<ClientsTableItem, { kind: K }>) => boolean) => {
    const found = parsed.items.find((item) => item.kind === kind && generated(item) && test(item as Extract<ClientsTableItem, { kind: K }>));
    if (!found) throw new Error(`the template export has no generated ${kind}`);
    return found as Extract<ClientsTableItem, { kind: K }>;
  };
  return {
    demo: parsed.items.filter((item) => !generated(item)),
    plainRole: find('role', (role) => !role.composite),
    compositeRole: find('role', (role) => role.composite),
    scope: find('clientScope', () => true),
    group: find('group', () => true),
    client: find('client', () => true),
  };
}

/**
 * The realm's items at `size`: the demo's, then generated ones named by their index, so that a
 * larger size of the same chain holds every item of a smaller one unchanged (except client scopes,
 * whose share of the mappers moves). Roles: every other one composite of its predecessor. Groups:
 * each granted one of the first ten roles. Mappers: hard-coded claims spread over the scopes.
 * None of it is used by the bench's client.
 */
export function realmItems(t: Templates, size: RealmSize): ClientsTableItem[] {
  const items: ClientsTableItem[] = [...t.demo];
  for (let i = 0; i < size.roles; i++) {
    const template = i % 2 === 1 ? t.compositeRole : t.plainRole;
    items.push({
      ...structuredClone(template),
      id: idOf(`role ${i}`),
      name: `gen-role-${i}`,
      description: `generated role ${i}`,
      ...(i % 2 === 1 ? { composites: { realm: [`gen-role-${i - 1}`], client: {} } } : {}),
    });
  }
  const perScope = size.scopes > 0 ? Math.ceil(size.mappers / size.scopes) : 0;
  let mappersLeft = size.mappers;
  const mapperTemplate = t.scope.protocolMappers![0]!;
  for (let i = 0; i < size.scopes; i++) {
    const count = Math.min(perScope, mappersLeft);
    mappersLeft -= count;
    items.push({
      ...structuredClone(t.scope),
      id: idOf(`scope ${i}`),
      name: `gen-scope-${i}`,
      description: `generated scope ${i}`,
      protocolMappers: Array.from({ length: count }, (_, j) => ({
        ...structuredClone(mapperTemplate),
        id: idOf(`mapper ${i}.${j}`),
        name: `gen claim ${i}.${j}`,
        config: { ...mapperTemplate.config, 'claim.name': `gen.claim${i}_${j}`, 'claim.value': String(j) },
      })),
    });
  }
  for (let i = 0; i < size.groups; i++) {
    items.push({
      ...structuredClone(t.group),
      id: idOf(`group ${i}`),
      name: `gen-group-${i}`,
      path: `/gen-group-${i}`,
      attributes: { team: [`team-${i}`] },
      roles: { realm: [`gen-role-${i % Math.min(10, size.roles)}`], client: {} },
    });
  }
  for (let i = 0; i < size.clients; i++) {
    const template = structuredClone(t.client);
    items.push({
      ...template,
      clientId: `gen-client-${i}`,
      id: idOf(`client ${i}`),
      extra: { ...template.extra, name: `generated client ${i}` },
      ...(template.serviceAccount ? { serviceAccount: { ...template.serviceAccount, id: idOf(`service account ${i}`), username: `service-account-gen-client-${i}` } } : {}),
    });
  }
  return items;
}

/** The items of `next` that `previous` does not hold as they are: what growing a realm writes. */
export function itemsToWrite(previous: readonly ClientsTableItem[], next: readonly ClientsTableItem[]): ClientsTableItem[] {
  const held = new Map(previous.map((item) => [identity(item), JSON.stringify(item)]));
  return next.filter((item) => held.get(identity(item)) !== JSON.stringify(item));
}

function identity(item: ClientsTableItem): string {
  const name = 'clientId' in item ? item.clientId : 'id' in item && item.kind === 'group' ? item.id : 'name' in item ? `${'client' in item ? (item.client ?? '') : ''}\u0000${item.name}` : '';
  return `${item.kind}\u0000${name}`;
}

/** A stable UUID-shaped id per generated item, so a chain's later point writes the same item again unchanged. */
function idOf(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The demo realm with `size` generated items, as a Keycloak export: roles (every other one
 * composite of its predecessor), client scopes carrying the mappers, groups and clients. Parsed
 * here only at the template's small size; scripts/bench/adminScale.ts imports it whole.
 */
export function generatedExport(demo: Record<string, unknown>, realm: string, size: RealmSize): Record<string, unknown> {
  const roles = demo.roles as { realm: Record<string, unknown>[]; client?: Record<string, unknown> };
  const generatedRoles = Array.from({ length: size.roles }, (_, i) => ({
    name: `gen-role-${i}`,
    description: `generated role ${i}`,
    composite: i % 2 === 1,
    ...(i % 2 === 1 ? { composites: { realm: [`gen-role-${i - 1}`] } } : {}),
    clientRole: false,
    attributes: {},
  }));
  const mappersPerScope = size.scopes > 0 ? Math.ceil(size.mappers / size.scopes) : 0;
  let mappersLeft = size.mappers;
  const generatedScopes = Array.from({ length: size.scopes }, (_, i) => {
    const count = Math.min(mappersPerScope, mappersLeft);
    mappersLeft -= count;
    return {
      name: `gen-scope-${i}`,
      description: `generated scope ${i}`,
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'true' },
      protocolMappers: Array.from({ length: count }, (_, j) => ({
        name: `gen claim ${i}.${j}`,
        protocol: 'openid-connect',
        protocolMapper: 'oidc-hardcoded-claim-mapper',
        config: { 'claim.name': `gen.claim${i}_${j}`, 'claim.value': String(j), 'jsonType.label': 'String', 'access.token.claim': 'true' },
      })),
    };
  });
  const generatedGroups = Array.from({ length: size.groups }, (_, i) => ({
    name: `gen-group-${i}`,
    path: `/gen-group-${i}`,
    attributes: { team: [`team-${i}`] },
    realmRoles: size.roles > 0 ? [`gen-role-${i % Math.min(10, size.roles)}`] : [],
    subGroups: [],
  }));
  const generatedClients = Array.from({ length: size.clients }, (_, i) => ({
    clientId: `gen-client-${i}`,
    name: `generated client ${i}`,
    enabled: true,
    // private_key_jwt, without keys: no secret to hash, so an import's time is the writes', not a KDF's per client.
    clientAuthenticatorType: 'client-jwt',
    serviceAccountsEnabled: true,
    publicClient: false,
    protocol: 'openid-connect',
    fullScopeAllowed: false,
    attributes: {},
    defaultClientScopes: ['roles', 'basic'],
    optionalClientScopes: [],
  }));
  return {
    ...demo,
    id: undefined,
    realm,
    // The bench gives the realm an ES256 key only: a grant's signature is then the small part.
    defaultSignatureAlgorithm: 'ES256',
    roles: { ...roles, realm: [...roles.realm, ...generatedRoles] },
    groups: [...((demo.groups as unknown[]) ?? []), ...generatedGroups],
    clientScopes: [...(demo.clientScopes as unknown[]), ...generatedScopes],
    clients: [...(demo.clients as unknown[]), ...generatedClients],
  };
}
