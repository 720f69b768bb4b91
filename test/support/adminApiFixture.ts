import type { AdminContext } from '../../lib/admin/context.js';
import { unauthorized } from '../../lib/adminApi/errors.js';
import { ADMIN_ROUTES } from '../../lib/adminApi/allFamilies.js';
import { REALM_MANAGEMENT_CLIENT, type AdminCaller } from '../../lib/adminApi/rights.js';
import { AdminRouter } from '../../lib/adminApi/router.js';
import type { HttpRequest } from '../../lib/http/request.js';
import type { ClientsTableItem } from '../../lib/store/clientsTable.js';
import type { ClientRecord } from '../../lib/model/stored.js';
import { memoryClientsTable } from './memoryTable.js';

/**
 * The Admin REST API's router with every family, on an in-memory clients table holding realm `r`,
 * and callers picked by their bearer token (authentication itself is tested elsewhere).
 */
const rm = (name: string) => ({ client: REALM_MANAGEMENT_CLIENT, name });
export const CALLERS: Record<string, AdminCaller> = {
  'master-admin': { realm: 'master', clientId: 'boot', roles: [{ name: 'admin' }] },
  'r-admin': { realm: 'r', clientId: 'a', roles: [rm('realm-admin')] },
  'r-realm-manager': { realm: 'r', clientId: 'a', roles: [rm('manage-realm')] },
  'r-clients-viewer': { realm: 'r', clientId: 'v', roles: [rm('view-clients'), rm('query-clients')] },
  'r-clients-manager': { realm: 'r', clientId: 'm', roles: [rm('manage-clients')] },
  'r-users-viewer': { realm: 'r', clientId: 'u', roles: [rm('view-users'), rm('query-users')] },
  'r-user-manager': { realm: 'r', clientId: 'u', roles: [rm('manage-users')] },
  'r-nothing': { realm: 'r', clientId: 'n', roles: [] },
  'other-admin': { realm: 'other', clientId: 'o', roles: [rm('realm-admin')] },
};

export const IDS = {
  realm: '0b7c2a9e-0000-4000-8000-000000000001',
  worker: '0b7c2a9e-0000-4000-8000-0000000000a1',
  workerUser: '0b7c2a9e-0000-4000-8000-0000000000a2',
  api: '0b7c2a9e-0000-4000-8000-0000000000b1',
  realmManagement: '0b7c2a9e-0000-4000-8000-0000000000c1',
  reader: '0b7c2a9e-0000-4000-8000-0000000000d1',
  apiRead: '0b7c2a9e-0000-4000-8000-0000000000d2',
  manageUsers: '0b7c2a9e-0000-4000-8000-0000000000d3',
  viewClients: '0b7c2a9e-0000-4000-8000-0000000000d4',
  profile: '0b7c2a9e-0000-4000-8000-0000000000e1',
  unused: '0b7c2a9e-0000-4000-8000-0000000000e2',
};

function client(clientId: string, id: string, extra: Partial<ClientRecord> = {}): ClientsTableItem {
  return {
    kind: 'client',
    realm: 'r',
    clientId,
    id,
    enabled: true,
    publicClient: false,
    bearerOnly: false,
    serviceAccountsEnabled: false,
    fullScopeAllowed: true,
    clientAuthenticatorType: 'client-secret',
    defaultClientScopes: [],
    optionalClientScopes: [],
    attributes: {},
    notBefore: 0,
    scopeMappings: { realm: [], client: {} },
    ...extra,
  };
}

export async function adminApiFixture() {
  const { table, counts } = memoryClientsTable();
  const items: ClientsTableItem[] = [
    {
      kind: 'settings',
      id: IDS.realm,
      realm: 'r',
      enabled: true,
      accessTokenLifespan: 300,
      ssoSessionIdleTimeout: 1800,
      ssoSessionMaxLifespan: 36000,
      clientSessionIdleTimeout: 0,
      clientSessionMaxLifespan: 0,
      revokeRefreshToken: false,
      refreshTokenMaxReuse: 0,
      notBefore: 0,
      defaultSignatureAlgorithm: 'RS256',
      defaultRole: 'default-roles-r',
      defaultDefaultClientScopes: ['profile'],
      defaultOptionalClientScopes: [],
    },
    { kind: 'role', name: 'offline_access', composite: false },
    { kind: 'role', id: IDS.reader, name: 'reader', description: 'Reads', composite: false, attributes: { team: ['a', 'b'] } },
    { kind: 'role', name: 'default-roles-r', composite: true, composites: { realm: ['offline_access'], client: {} } },
    { kind: 'role', id: IDS.apiRead, client: 'api', name: 'read', composite: false },
    { kind: 'role', id: IDS.manageUsers, client: REALM_MANAGEMENT_CLIENT, name: 'manage-users', composite: false },
    { kind: 'role', id: IDS.viewClients, client: REALM_MANAGEMENT_CLIENT, name: 'view-clients', composite: false },
    { kind: 'clientScope', id: IDS.profile, name: 'profile', protocol: 'openid-connect', includeInTokenScope: true, scopeMappings: { realm: [], client: {} }, attributes: { 'include.in.token.scope': 'true' } },
    { kind: 'clientScope', id: IDS.unused, name: 'unused', protocol: 'openid-connect', includeInTokenScope: false, scopeMappings: { realm: [], client: {} }, attributes: { 'include.in.token.scope': 'false' } },
    client('worker', IDS.worker, {
      serviceAccountsEnabled: true,
      serviceAccount: { id: IDS.workerUser, username: 'service-account-worker', roles: { realm: ['default-roles-r'], client: {} }, createdTimestamp: 1700000000000 },
      defaultClientScopes: ['profile'],
    }),
    client('api', IDS.api, { bearerOnly: true }),
    client(REALM_MANAGEMENT_CLIENT, IDS.realmManagement, { bearerOnly: true }),
  ];
  for (const item of items) await table.putItem('r', item);
  await table.putItem('other', { ...(items[0] as Extract<ClientsTableItem, { kind: 'settings' }>), id: 'other-id', realm: 'other', defaultRole: 'default-roles-other' });
  const admin = { table, names: {} as AdminContext['names'], kms: undefined as never, now: () => 1_700_000_000 } as AdminContext;
  const router = new AdminRouter(ADMIN_ROUTES);
  const deps = {
    admin,
    authenticate: async (request: HttpRequest) => {
      const caller = CALLERS[(request.headers.authorization ?? '').replace(/^Bearer /, '')];
      if (!caller) throw unauthorized();
      return caller;
    },
  };

  async function call(method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string; query?: string } = {}) {
    const [pathOnly, query] = path.split('?');
    const request: HttpRequest = {
      method,
      path: pathOnly!,
      query: options.query ?? query ?? '',
      realm: '',
      headers: { authorization: `Bearer ${options.token ?? 'master-admin'}` },
      body: options.rawBody ?? (options.body === undefined ? '' : JSON.stringify(options.body)),
      sourceIp: '127.0.0.1',
      origin: 'https://sso.example.com',
      legacyAuthPrefix: path.startsWith('/auth/'),
      requestId: 'id',
    };
    const res = await router.handle(deps, request);
    const text = typeof res.body === 'string' ? res.body : '';
    return { status: res.statusCode, headers: res.headers ?? {}, body: text === '' ? undefined : (JSON.parse(text) as any) };
  }

  return { table, counts, call };
}
