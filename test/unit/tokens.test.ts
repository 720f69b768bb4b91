import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { ecdsaDerToJose } from '../../lib/signing/signer.js';
import { RoleGraph, rolesInScope, type RoleRef } from '../../lib/tokens/roles.js';
import { resolveScope } from '../../lib/tokens/scope.js';
import type { ClientRecord, ClientScope } from '../../lib/model/stored.js';

const base: ClientRecord = {
  realm: 'demo', clientId: 'sa', id: 'x', enabled: true, publicClient: false, bearerOnly: false, serviceAccountsEnabled: true,
  fullScopeAllowed: false, clientAuthenticatorType: 'client-secret', defaultClientScopes: ['profile', 'roles'], optionalClientScopes: ['phone'],
  attributes: {}, notBefore: 0, scopeMappings: { realm: ['user'], client: { api: ['read'] } },
  serviceAccount: { id: 'u', username: 'service-account-sa', roles: { realm: ['default-roles-demo', 'user', 'admin'], client: { api: ['read', 'write'], sa: ['own'] } } },
};
const graph = new RoleGraph([
  { name: 'default-roles-demo', composites: { realm: ['offline_access'], client: {} } },
  { name: 'admin', composites: { realm: ['user'], client: { api: ['delete'] } } },
]);

/** The service account's roles in the token, as `realm_access` / `resource_access` would list them. */
function accessClaims(roles: RoleRef[]) {
  const realm = roles.filter((role) => role.client === undefined).map((role) => role.name);
  const clients = new Map<string, string[]>();
  for (const role of roles) if (role.client !== undefined) clients.set(role.client, [...(clients.get(role.client) ?? []), role.name]);
  return {
    ...(realm.length > 0 ? { realm_access: { roles: realm } } : {}),
    ...(clients.size > 0 ? { resource_access: Object.fromEntries([...clients].map(([client, names]) => [client, { roles: names }])) } : {}),
  };
}

const tokenRoles = (graph: RoleGraph, client: ClientRecord, scopes: ClientScope[]) => rolesInScope(graph, client, scopes, graph.expand(client.serviceAccount!.roles));

describe('token roles (Keycloak TokenManager.getAccess)', () => {
  it('expands composites with full scope', () => {
    const claims = accessClaims(tokenRoles(graph, { ...base, fullScopeAllowed: true }, []));
    assert.deepEqual(new Set(claims.realm_access!.roles), new Set(['default-roles-demo', 'user', 'admin', 'offline_access']));
    assert.deepEqual(new Set(claims.resource_access!.api!.roles), new Set(['read', 'write', 'delete']));
  });

  it('intersects with scope mappings, keeping the client own roles', () => {
    const claims = accessClaims(tokenRoles(graph, base, []));
    assert.deepEqual(claims.realm_access!.roles, ['user']);
    assert.deepEqual(claims.resource_access, { api: { roles: ['read'] }, sa: { roles: ['own'] } });
  });

  it('lets a client scope scope-map a composite that allows its children', () => {
    const scope: ClientScope = { name: 'roles', protocol: 'openid-connect', includeInTokenScope: false, scopeMappings: { realm: ['admin'], client: {} } };
    const claims = accessClaims(tokenRoles(graph, base, [scope]));
    assert.deepEqual(new Set(claims.realm_access!.roles), new Set(['user', 'admin']));
    assert.deepEqual(new Set(claims.resource_access!.api!.roles), new Set(['read', 'delete']));
  });

  it('survives composite cycles', () => {
    const cyclic = new RoleGraph([{ name: 'a', composites: { realm: ['b'], client: {} } }, { name: 'b', composites: { realm: ['a'], client: {} } }]);
    assert.equal(cyclic.expand({ realm: ['a'], client: {} }).size, 2);
  });
});

describe('scope parameter', () => {
  const scopes = new Map<string, ClientScope>(
    ['profile', 'roles', 'phone'].map((name) => [name, { name, protocol: 'openid-connect', includeInTokenScope: name !== 'roles', scopeMappings: { realm: [], client: {} } }]),
  );
  it('defaults plus requested optional scopes; openid first', () => {
    assert.equal(resolveScope(undefined, base, scopes).scope, 'profile');
    const resolved = resolveScope('openid phone', base, scopes);
    assert.equal(resolved.scope, 'openid profile phone');
    assert.ok(resolved.openid);
  });
  it('refuses scopes the client does not have', () => {
    assert.throws(() => resolveScope('phone admin', base, scopes), { error: 'invalid_scope', description: 'Invalid scopes: phone admin' });
  });
});

describe('ECDSA signature conversion (RFC 7518 §3.4)', () => {
  it('turns DER into r||s that verifies as IEEE P1363', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 50; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = ecdsaDerToJose(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
      assert.equal(raw.length, 64);
      assert.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw));
    }
  });
});
