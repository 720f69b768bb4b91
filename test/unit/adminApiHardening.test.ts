import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { realmNameProblem } from '../../lib/admin/realmName.js';
import { isLinkLocalOrMetadata, jwksUrlProblem } from '../../lib/clientAuth/jwksUrl.js';
import { jsonDepth } from '../../lib/http/json.js';
import { itemSize } from '../../lib/store/itemSize.js';
import { adminApiFixture, IDS } from '../support/adminApiFixture.js';

/**
 * Issue 17 F6–F10 and the "also found" admin items, through the Admin API's router on the
 * in-memory table: each refused request writes nothing, and the writes are counted.
 */
let api: Awaited<ReturnType<typeof adminApiFixture>>;
let fixtureWrites = 0;
beforeEach(async () => {
  api = await adminApiFixture();
  fixtureWrites = totalWrites();
});

const R = '/admin/realms/r';
const totalWrites = () => (api.counts.PutCommand ?? 0) + (api.counts.BatchWriteCommand ?? 0) + (api.counts.DeleteCommand ?? 0);
/** Writes since the fixture was set up. */
const writes = () => totalWrites() - fixtureWrites;
const jwtClient = (clientId: string, jwksUrl: string) => ({
  clientId,
  clientAuthenticatorType: 'client-jwt',
  serviceAccountsEnabled: true,
  attributes: { 'use.jwks.url': 'true', 'jwks.url': jwksUrl },
});
const hardcoded = (name: string, config: Record<string, string> = {}) => ({
  name,
  protocol: 'openid-connect',
  protocolMapper: 'oidc-hardcoded-claim-mapper',
  config: { 'claim.name': name, 'claim.value': 'v', 'jsonType.label': 'String', 'access.token.claim': 'true', ...config },
});

describe('F10: realm names follow the one rule (lib/admin/realmName.ts)', () => {
  test('dot segments, invisible and bidi characters, percent-encoded characters and spellings of master are refused', () => {
    for (const name of ['.', '..', 'a\u200bb', 'pay\u202epal', '\ufeffdemo', 'a\u2066b', 'a%2Fb', 'a%2e%2e', 'a%5cb', 'Master', 'MASTER', 'ｍａｓｔｅｒ']) {
      assert.notEqual(realmNameProblem(name), undefined, JSON.stringify(name));
    }
    for (const name of ['master', 'demo', 'a.b', '...', 'ma-ster', '100%', 'réalm']) assert.equal(realmNameProblem(name), undefined, name);
  });

  test('POST /admin/realms answers 400 with the rule\'s reason, before anything is written', async () => {
    for (const realm of ['..', 'Master', 'pay\u202epal', 'a%2Fb', 'x\u200by']) {
      const res = await api.call('POST', '/admin/realms', { body: { realm } });
      assert.equal(res.status, 400, JSON.stringify(realm));
      assert.match(res.body.errorMessage, /^Realm name is not valid: it must not/);
    }
    assert.equal(writes(), 0);
  });
});

describe('F9: jwks.url through the Admin API passes the rule sa-admin applies', () => {
  test('link-local and metadata addresses, in every spelling URL accepts', () => {
    for (const host of ['169.254.169.254', '169.254.0.1', '[fe80::1]', '[febf::1]', '[fd00:ec2::254]', '[::ffff:a9fe:a9fe]', 'metadata.google.internal', 'METADATA.google.internal.']) {
      assert.ok(isLinkLocalOrMetadata(host), host);
    }
    for (const host of ['example.com', '169.255.0.1', '[fec0::1]', '127.0.0.1']) assert.ok(!isLinkLocalOrMetadata(host), host);
    assert.match(jwksUrlProblem('https://0xa9fea9fe/latest/meta-data/', { allowLoopbackHttp: true })!, /link-local or cloud metadata/);
  });

  test('create and update refuse what --jwks-url refuses; a good URL is stored', async () => {
    const bad = ['http://keys.example.com/jwks', 'https://user:pw@keys.example.com/jwks', 'file:///etc/passwd', 'ftp://keys.example.com/', 'https://169.254.169.254/latest/meta-data/', 'https://[fe80::1]/jwks', 'not a url'];
    for (const url of bad) {
      const res = await api.call('POST', `${R}/clients`, { body: jwtClient('jwt-bad', url) });
      assert.equal(res.status, 400, url);
      assert.match(res.body.errorMessage, /^jwks\.url /, url);
    }
    assert.equal(writes(), 0);
    const res = await api.call('POST', `${R}/clients`, { body: jwtClient('jwt-good', 'https://keys.example.com/jwks') });
    assert.equal(res.status, 201);
    const id = res.headers.Location!.split('/').pop()!;
    const update = await api.call('PUT', `${R}/clients/${id}`, { body: { attributes: { 'use.jwks.url': 'true', 'jwks.url': 'http://169.254.169.254/' } } });
    assert.equal(update.status, 400);
    assert.equal((await api.table.getClient('r', 'jwt-good'))!.attributes['jwks.url'], 'https://keys.example.com/jwks');
  });
});

describe('F6: a JSON body nested beyond the limit is a 400, never a 500 or a stack overflow', () => {
  const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  test('depth is counted without parsing, brackets inside strings ignored', () => {
    assert.equal(jsonDepth('{"a":[{"b":"[[[{{{"}]}'), 3);
    assert.equal(jsonDepth('"\\"[["'), 0);
    assert.equal(jsonDepth(nested(20_000)), 20_000);
  });

  test('40, 5,000 and 20,000 levels: 400 naming the limit; nothing written', async () => {
    for (const levels of [40, 5_000, 20_000]) {
      const body = `{"clientId":"deep","attributes":{"x":${nested(levels)}}}`;
      for (const [method, path] of [['POST', `${R}/clients`], ['PUT', `${R}/clients/${IDS.worker}`], ['POST', '/admin/realms']]) {
        const res = await api.call(method!, path!, { rawBody: body });
        assert.equal(res.status, 400, `${levels} ${method} ${path}`);
        assert.match(res.body.errorMessage, /more than 20 levels deep/);
      }
    }
    assert.equal(writes(), 0);
  });
});

describe('F7: a client past DynamoDB\'s 400 KB item limit is refused before any write', () => {
  test('the size is measured as DynamoDB counts it', () => {
    assert.equal(itemSize({ a: 'xyz' }), 4);
    assert.equal(itemSize({ m: { k: 'v' } }), 1 + 3 + 1 + 1 + 1);
    assert.equal(itemSize({ l: ['é'] }), 1 + 3 + 1 + 2);
  });

  test('create with huge attributes, and an update that grows a client past the limit: 400 naming the limit', async () => {
    const big = 'x'.repeat(100 * 1024);
    const attributes = { a: big, b: big, c: big, d: big };
    const created = await api.call('POST', `${R}/clients`, { body: { clientId: 'huge', bearerOnly: true, attributes } });
    assert.equal(created.status, 400);
    assert.match(created.body.errorMessage, /400 KB/);
    assert.equal(await api.table.getClient('r', 'huge'), undefined);
    const before = writes();
    const updated = await api.call('PUT', `${R}/clients/${IDS.api}`, { body: { attributes } });
    assert.equal(updated.status, 400);
    assert.match(updated.body.errorMessage, /400 KB/);
    assert.equal(writes(), before);
    // Just under the limit is stored.
    assert.equal((await api.call('POST', `${R}/clients`, { body: { clientId: 'large', bearerOnly: true, attributes: { a: big, b: big, c: big } } })).status, 201);
  });
});

describe('F8: protocol-mappers/add-models is bounded and all-or-nothing, in one write', () => {
  const path = `${R}/clients/${IDS.worker}/protocol-mappers/add-models`;

  test('100 mappers: one item write, every one stored', async () => {
    const before = { ...api.counts };
    const res = await api.call('POST', path, { body: Array.from({ length: 100 }, (_, i) => hardcoded(`claim${i}`)) });
    assert.equal(res.status, 204);
    assert.equal((api.counts.PutCommand ?? 0) - (before.PutCommand ?? 0), 1, 'one PutItem for all of them');
    const reads = (api.counts.GetCommand ?? 0) - (before.GetCommand ?? 0) + (api.counts.QueryCommand ?? 0) - (before.QueryCommand ?? 0);
    assert.ok(reads <= 8, `a bounded number of reads, whatever the count (${reads})`);
    assert.equal((await api.table.getClient('r', 'worker'))!.protocolMappers!.length, 100);
  });

  test('101 mappers: 400 before anything is read or written', async () => {
    const before = writes();
    const res = await api.call('POST', path, { body: Array.from({ length: 101 }, (_, i) => hardcoded(`claim${i}`)) });
    assert.equal(res.status, 400);
    assert.match(res.body.errorMessage, /At most 100/);
    assert.equal(writes(), before);
  });

  test('one refused mapper in the list stores none of them', async () => {
    const cases: [unknown[], number][] = [
      [[hardcoded('a'), hardcoded('b'), hardcoded('c', { 'jsonType.label': 'long', 'claim.value': 'not a number' })], 400],
      [[hardcoded('a'), { ...hardcoded('b'), protocolMapper: 'no-such-mapper' }], 404],
      [[hardcoded('a'), hardcoded('a')], 409],
    ];
    for (const [body, status] of cases) {
      const res = await api.call('POST', path, { body });
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.deepEqual(((await api.table.getClient('r', 'worker'))!.protocolMappers ?? []).map((m) => m.name), []);
    }
  });
});

describe('also found: a new client\'s embedded mappers and its id', () => {
  test('protocolMappers sent with POST …/clients pass the checks of protocol-mappers/models', async () => {
    const cases: [unknown, number][] = [
      [[hardcoded('n', { 'jsonType.label': 'long', 'claim.value': 'x' })], 400],
      [[{ ...hardcoded('n'), protocolMapper: 'no-such-mapper' }], 404],
      [[hardcoded('n'), hardcoded('n')], 409],
      [[{ ...hardcoded('n'), protocol: 'saml' }], 400],
    ];
    for (const [protocolMappers, status] of cases) {
      const res = await api.call('POST', `${R}/clients`, { body: { clientId: 'with-mappers', bearerOnly: true, protocolMappers } });
      assert.equal(res.status, status, JSON.stringify(protocolMappers));
    }
    assert.equal(await api.table.getClient('r', 'with-mappers'), undefined);
    assert.equal((await api.call('POST', `${R}/clients`, { body: { clientId: 'with-mappers', bearerOnly: true, protocolMappers: [hardcoded('n')] } })).status, 201);
  });

  test('protocolMappers sent with POST …/client-scopes pass the same checks', async () => {
    for (const protocolMappers of [[hardcoded('n', { 'jsonType.label': 'int', 'claim.value': 'x' })], [hardcoded('n'), hardcoded('n')]]) {
      const res = await api.call('POST', `${R}/client-scopes`, { body: { name: 'with-mappers', protocol: 'openid-connect', protocolMappers } });
      assert.equal(res.status, 400, JSON.stringify(res.body));
    }
    assert.equal((await api.call('GET', `${R}/client-scopes`)).body.some((scope: { name: string }) => scope.name === 'with-mappers'), false);
  });

  test('an id another object of the realm has is 409: realm-management\'s, a service account\'s, a role\'s, a scope\'s', async () => {
    for (const id of [IDS.realmManagement, IDS.worker, IDS.workerUser, IDS.reader, IDS.profile, IDS.realm]) {
      const res = await api.call('POST', `${R}/clients`, { body: { clientId: `copy-${id}`, id, bearerOnly: true } });
      assert.equal(res.status, 409, id);
    }
    // realm-management is still the client its id names.
    assert.equal((await api.call('GET', `${R}/clients/${IDS.realmManagement}`)).body.clientId, 'realm-management');
    assert.equal((await api.call('POST', `${R}/clients`, { body: { clientId: 'fresh', id: '0b7c2a9e-0000-4000-8000-0000000000ff', bearerOnly: true } })).status, 201);
  });
});
