import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AdminContext } from '../../lib/admin/context.js';
import { updateClient } from '../../lib/admin/clients.js';
import type { ClientsTableItem } from '../../lib/store/clientsTable.js';
import type { ClientRecord } from '../../lib/model/stored.js';
import { memoryClientsTable } from '../support/memoryTable.js';

/**
 * A client rename (Keycloak's PUT with a new clientId) at the tier that owns it, lib/admin: every
 * mapping of the renamed client's roles follows it, whoever holds the mapping.
 */
const client = (clientId: string, extra: Partial<ClientRecord> = {}): ClientsTableItem => ({
  kind: 'client',
  realm: 'r',
  clientId,
  id: `${clientId}-id`,
  enabled: true,
  publicClient: false,
  bearerOnly: false,
  serviceAccountsEnabled: false,
  fullScopeAllowed: false,
  clientAuthenticatorType: 'client-secret',
  defaultClientScopes: [],
  optionalClientScopes: [],
  attributes: {},
  notBefore: 0,
  scopeMappings: { realm: [], client: {} },
  ...extra,
});
const serviceAccount = (clientId: string, client: Record<string, string[]>) => ({
  serviceAccountsEnabled: true,
  serviceAccount: { id: `${clientId}-user`, username: `service-account-${clientId}`, roles: { realm: [], client }, createdTimestamp: 1 },
});

async function realmWithApi() {
  const { table } = memoryClientsTable();
  const items: ClientsTableItem[] = [
    { kind: 'settings', id: 'r-id', realm: 'r', enabled: true, accessTokenLifespan: 300, ssoSessionIdleTimeout: 1800, ssoSessionMaxLifespan: 36000, clientSessionIdleTimeout: 0, clientSessionMaxLifespan: 0, revokeRefreshToken: false, refreshTokenMaxReuse: 0, notBefore: 0, defaultSignatureAlgorithm: 'RS256', defaultRole: 'default-roles-r', defaultDefaultClientScopes: [], defaultOptionalClientScopes: [] },
    { kind: 'role', client: 'api', name: 'read', composite: false },
    { kind: 'role', client: 'other-api', name: 'write', composite: false },
    client('api', { bearerOnly: true }),
    client('worker', { ...serviceAccount('worker', { api: ['read'], 'other-api': ['write'] }), scopeMappings: { realm: [], client: { api: ['read'] } } }),
    client('reporter', serviceAccount('reporter', { api: ['read'] })),
    { kind: 'clientScope', id: 'reads-id', name: 'reads', protocol: 'openid-connect', includeInTokenScope: true, attributes: {}, scopeMappings: { realm: [], client: { api: ['read'] } } },
  ];
  for (const item of items) await table.putItem('r', item);
  const ctx = { table, names: {} as AdminContext['names'], kms: undefined as never, now: () => 1_700_000_000 } as AdminContext;
  return { table, ctx };
}

describe('client rename', () => {
  it("renames the other service accounts' and client scopes' mappings of its roles, and nothing else", async () => {
    const { table, ctx } = await realmWithApi();
    await updateClient(ctx, 'r', 'api', { clientId: 'api-v2' });
    const worker = (await table.getClient('r', 'worker'))!;
    assert.deepEqual(worker.serviceAccount!.roles.client, { 'other-api': ['write'], 'api-v2': ['read'] });
    assert.deepEqual(worker.scopeMappings.client, { 'api-v2': ['read'] });
    assert.deepEqual((await table.getClient('r', 'reporter'))!.serviceAccount!.roles.client, { 'api-v2': ['read'] });
    const scope = (await table.listRealmItems('r')).find((item) => item.kind === 'clientScope');
    assert.deepEqual(scope?.kind === 'clientScope' && scope.scopeMappings.client, { 'api-v2': ['read'] });
    const roles = (await table.listRealmItems('r')).filter((item) => item.kind === 'role').map((role) => role.kind === 'role' && `${role.client}/${role.name}`);
    assert.deepEqual(roles.sort(), ['api-v2/read', 'other-api/write']);
    assert.equal(await table.getClient('r', 'api'), undefined);
  });
});
