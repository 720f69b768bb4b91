/**
 * lib/model/userKeys.ts: the one rule for keys that come from users (issue 17 F1), and the Admin
 * REST API refusing with Keycloak's 400 shape what the rule refuses (sa-admin and import are in
 * test/integration/prototypePollution.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRealmExport, RealmImportError } from '../../lib/admin/realmImport.js';
import { forbiddenKeyProblem, forbiddenKeys, ownEntry, ownStrings, ownValue } from '../../lib/model/userKeys.js';
import { roleMappingsWithGroups } from '../../lib/model/groupRoles.js';
import { IDS, adminApiFixture } from '../support/adminApiFixture.js';

describe('forbiddenKeys', () => {
  it('finds forbidden keys at any depth and forbidden claim path segments, with their JSON paths', () => {
    const document = JSON.parse(`{
      "clients": [{ "attributes": { "ok": "1", "__proto__": "x" } }, { "protocolMappers": [{ "config": { "claim.name": "a.constructor.b" } }] }],
      "deep": { "prototype": { "constructor": 1 } },
      "escaped": { "claim.name": "\\\\_\\\\_proto\\\\_\\\\_" },
      "fine": { "claim.name": "a\\\\.__proto__", "protos": "__proto__" }
    }`);
    assert.deepEqual(
      forbiddenKeys(document).map(({ path, key }) => `${path} ${key}`).sort(),
      ['clients[0].attributes.__proto__ __proto__', 'clients[1].protocolMappers[0].config.claim.name a.constructor.b', 'deep.prototype prototype', 'deep.prototype.constructor constructor', 'escaped.claim.name \\_\\_proto\\_\\_'].sort(),
    );
    assert.equal(forbiddenKeyProblem({ a: { b: 1 } }), undefined);
    assert.match(forbiddenKeyProblem(JSON.parse('{"attributes":{"__proto__":"x"}}'))!, /^'attributes\.__proto__' uses '__proto__', a name reserved/);
  });

  it('walks without recursion: 100,000 levels of nesting do not overflow the stack', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}{"__proto__":1}${'}'.repeat(100_000)}`);
    assert.equal(forbiddenKeys(deep).length, 1);
  });

  it('ownStrings and ownValue read own entries only, on a null prototype', () => {
    const stored = Object.create({ 'claim.name': 'inherited' }) as Record<string, unknown>;
    stored['claim.value'] = 'v';
    stored.number = 5;
    Object.defineProperty(stored, '__proto__', { value: 'x', enumerable: true });
    const config = ownStrings(stored);
    assert.deepEqual(Object.entries(config), [['claim.value', 'v']]);
    assert.equal(Object.getPrototypeOf(config), null);
    assert.equal(ownValue({ a: ['1'] }, 'constructor'), undefined);
    assert.equal(ownValue({ a: ['1'] }, 'toString'), undefined);
    assert.deepEqual(ownValue({ a: ['1'] }, 'a'), ['1']);
  });
});

describe('maps keyed by client ids', () => {
  it('ownEntry creates own entries, even for constructor and __proto__, and never touches a prototype', () => {
    const byClient: Record<string, string[]> = {};
    ownEntry(byClient, 'constructor', () => []).push('a');
    ownEntry(byClient, '__proto__', () => []).push('b');
    ownEntry(byClient, 'constructor', () => []).push('c');
    assert.deepEqual(Object.entries(byClient), [['constructor', ['a', 'c']], ['__proto__', ['b']]]);
    assert.equal(Object.getPrototypeOf(byClient), Object.prototype);
  });

  it('a stored group role of client "constructor" joins the token path without a TypeError', () => {
    const user = { id: 'u', username: 'service-account-x', roles: { realm: [], client: {} } };
    const group = { id: 'g', name: 'g', path: '/g', attributes: {}, roles: { realm: [], client: JSON.parse('{"constructor":["r"],"__proto__":["p"]}') } };
    const mappings = roleMappingsWithGroups(user, [{ group, ancestors: [] }]);
    assert.deepEqual(Object.entries(mappings.client), [['constructor', ['r']], ['__proto__', ['p']]]);
    assert.equal(({} as Record<string, unknown>)[0], undefined);
  });
});

describe('the Admin REST API refuses forbidden keys with 400 and Keycloak error JSON', () => {
  const mapperBody = (claimName: string) =>
    `{"name":"m","protocol":"openid-connect","protocolMapper":"oidc-hardcoded-claim-mapper","config":{"claim.name":${JSON.stringify(claimName)},"claim.value":"x","access.token.claim":"true"}}`;

  it('a hardcoded-claim mapper named __proto__.nonce (the attack of the issue), and other segments', async () => {
    const { call } = await adminApiFixture();
    for (const name of ['__proto__.nonce', 'constructor.prototype.x', 'a.prototype', '\\_\\_proto\\_\\_']) {
      const res = await call('POST', `/admin/realms/r/clients/${IDS.worker}/protocol-mappers/models`, { token: 'r-clients-manager', rawBody: mapperBody(name) });
      assert.equal(res.status, 400, name);
      assert.match(res.body.errorMessage, /config\.claim\.name' uses .* a name reserved by the service/);
    }
    const ok = await call('POST', `/admin/realms/r/clients/${IDS.worker}/protocol-mappers/models`, { token: 'r-clients-manager', rawBody: mapperBody('tenant.tier') });
    assert.equal(ok.status, 201);
    assert.equal(({} as Record<string, unknown>).nonce, undefined);
  });

  it('forbidden keys in attributes, config maps and any other body field', async () => {
    const { call } = await adminApiFixture();
    const bodies: [string, string, string][] = [
      ['PUT', `/admin/realms/r/clients/${IDS.worker}`, '{"clientId":"worker","attributes":{"__proto__":"x"}}'],
      ['POST', '/admin/realms/r/clients', '{"clientId":"new","attributes":{"constructor":"x"}}'],
      ['POST', '/admin/realms/r/client-scopes', '{"name":"s","protocol":"openid-connect","attributes":{"prototype":"x"}}'],
      ['POST', `/admin/realms/r/clients/${IDS.worker}/protocol-mappers/models`, '{"name":"m","protocolMapper":"oidc-hardcoded-claim-mapper","config":{"__proto__":{"claim.name":"x"}}}'],
      ['PUT', '/admin/realms/r', '{"attributes":{"__proto__":{"polluted":"yes"}}}'],
    ];
    for (const [method, path, rawBody] of bodies) {
      const res = await call(method, path, { rawBody });
      assert.equal(res.status, 400, `${method} ${path}`);
      assert.match(res.body.errorMessage, /a name reserved by the service/, `${method} ${path}`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('realm import refuses forbidden keys and client ids, naming where', () => {
  it('every forbidden key of the file is a problem with its path', async () => {
    const file = JSON.parse(`{"realm":"p","clients":[
      {"clientId":"constructor","secret":"s"},
      {"clientId":"c","secret":"s","attributes":{"__proto__":"x"},"protocolMappers":[{"name":"m","protocolMapper":"oidc-hardcoded-claim-mapper","config":{"claim.name":"x.__proto__","claim.value":"v"}}]}],
      "groups":[{"name":"g","attributes":{"prototype":["v"]}}]}`);
    await assert.rejects(parseRealmExport(file), (err: unknown) => {
      assert.ok(err instanceof RealmImportError);
      const paths = err.problems.map((p) => p.path);
      for (const path of ['clients[0].clientId', 'clients[1].attributes.__proto__', 'clients[1].protocolMappers[0].config.claim.name', 'groups[0].attributes.prototype']) {
        assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
      }
      return true;
    });
  });
});

describe('string-map readers refuse forbidden keys themselves', () => {
  it('readStringMap and parseStringMap throw on __proto__ instead of dropping it into a prototype', async () => {
    const { readStringMap } = await import('../../lib/representation/json.js');
    const { parseStringMap } = await import('../../lib/representation/protocolMapper.js');
    const body = JSON.parse('{"attributes":{"ok":"1","__proto__":"x"}}');
    assert.throws(() => readStringMap(body, 'attributes'));
    assert.throws(() => parseStringMap(body.attributes));
    assert.deepEqual(readStringMap(JSON.parse('{"a":{"k":"v","n":2}}'), 'a'), { k: 'v', n: '2' });
    assert.deepEqual(parseStringMap({ k: 'v' }), { k: 'v' });
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });
});

describe('role-mapping changes read own entries only', () => {
  it('removing a role of a client named like an Object.prototype member neither throws nor changes anything', async () => {
    const { removed } = await import('../../lib/admin/mappings.js');
    const current = { realm: ['r'], client: { api: ['read'] } };
    for (const client of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const change = removed(current, [{ client, name: 'x' }]);
      assert.deepEqual(change.changed, []);
      assert.deepEqual(change.roles, current);
    }
    assert.deepEqual(removed(current, [{ client: 'api', name: 'read' }]).roles, { realm: ['r'], client: {} });
  });
});
