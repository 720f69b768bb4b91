import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrateImport, parseVersion } from '../../lib/admin/realmImportMigrations.js';

const client = (clientId: string, extra: Record<string, unknown> = {}) => ({ clientId, protocol: 'openid-connect', defaultClientScopes: ['roles'], ...extra });
const exportOf = (keycloakVersion: string | undefined, scopes: string[]) => ({
  realm: 'r',
  ...(keycloakVersion === undefined ? {} : { keycloakVersion }),
  defaultDefaultClientScopes: ['roles'],
  clientScopes: scopes.map((name) => ({ name, protocol: 'openid-connect' })),
  clients: [client('sa', { serviceAccountsEnabled: true }), client('web'), client('saml', { protocol: 'saml', serviceAccountsEnabled: true })],
});
const scopeNames = (json: Record<string, any>) => json.clientScopes.map((scope: { name: string }) => scope.name);
const defaults = (json: Record<string, any>, clientId: string) => json.clients.find((c: { clientId: string }) => c.clientId === clientId).defaultClientScopes;

describe('realm import migrations (Keycloak MigrateTo25_0_0, MigrateTo26_1_0)', () => {
  it('a 24 export gets basic (realm default, every OpenID Connect client) and service_account (service-account clients)', () => {
    const file = exportOf('24.0.5', ['roles']);
    const { json, notes } = migrateImport(file);
    assert.deepEqual(scopeNames(json), ['roles', 'basic', 'service_account']);
    assert.deepEqual(json.defaultDefaultClientScopes, ['roles', 'basic']);
    assert.deepEqual(defaults(json, 'sa'), ['roles', 'basic', 'service_account']);
    assert.deepEqual(defaults(json, 'web'), ['roles', 'basic']);
    assert.deepEqual(defaults(json, 'saml'), ['roles']);
    assert.equal(notes.length, 2);
    const serviceAccount = (json.clientScopes as any[]).find((scope) => scope.name === 'service_account');
    assert.deepEqual(serviceAccount.protocolMappers.map((m: any) => m.config['claim.name']), ['client_id', 'clientHost', 'clientAddress']);
    assert.equal(serviceAccount.attributes['include.in.token.scope'], 'false');
    // The caller's file is not changed.
    assert.deepEqual(scopeNames(file), ['roles']);
  });

  it('26.0 gets only service_account; 26.1, later, and files without a version are left as they are', () => {
    const { json } = migrateImport(exportOf('26.0.7', ['roles', 'basic']));
    assert.deepEqual(scopeNames(json), ['roles', 'basic', 'service_account']);
    assert.deepEqual(defaults(json, 'web'), ['roles']);
    for (const version of ['26.1.0', '26.2.5', '999.0.0-SNAPSHOT', undefined, 'nightly']) {
      const file = exportOf(version, ['roles']);
      const result = migrateImport(file);
      assert.equal(result.json, file, String(version));
      assert.deepEqual(result.notes, []);
    }
  });

  it('a scope already there is not added twice, nor added to clients again', () => {
    const { json, notes } = migrateImport(exportOf('26.0.0', ['roles', 'basic', 'service_account']));
    assert.deepEqual(scopeNames(json), ['roles', 'basic', 'service_account']);
    assert.deepEqual(defaults(json, 'sa'), ['roles']);
    assert.deepEqual(notes, []);
  });

  it("reads versions as Keycloak's ModelVersion", () => {
    assert.deepEqual(parseVersion('26.0.7'), [26, 0, 7]);
    assert.deepEqual(parseVersion('26.1'), [26, 1, 0]);
    assert.deepEqual(parseVersion('25.0.6.redhat-00001'), [25, 0, 6]);
    assert.equal(parseVersion(26), undefined);
    assert.equal(parseVersion('x'), undefined);
  });
});
