import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AdminContext } from '../../lib/admin/context.js';
import { AdminError } from '../../lib/admin/errors.js';
import { badRequest, notFound, oauthStyle, plainBadRequest, unauthorized } from '../../lib/adminApi/errors.js';
import { REALM_MANAGEMENT_CLIENT, type AdminCaller } from '../../lib/adminApi/rights.js';
import { created, noContent, ok, type AdminRoute } from '../../lib/adminApi/route.js';
import { AdminRouter, type AdminApiDeps, type AdminEvent } from '../../lib/adminApi/router.js';
import type { HttpRequest } from '../../lib/http/request.js';

/** The router alone, against a realm list in memory and callers chosen by the Authorization header. */
const CALLERS: Record<string, AdminCaller> = {
  'Bearer master-admin': { realm: 'master', clientId: 'boot', roles: [{ name: 'admin' }] },
  'Bearer r-viewer': { realm: 'r', clientId: 'v', roles: [{ client: REALM_MANAGEMENT_CLIENT, name: 'view-clients' }] },
  'Bearer r-nothing': { realm: 'r', clientId: 'n', roles: [] },
};
const REALMS = new Set(['master', 'r', 'other']);
const admin = {
  table: { getRealmSettings: async (realm: string) => (REALMS.has(realm) ? { realm, enabled: true } : undefined) },
} as unknown as AdminContext;
const deps: AdminApiDeps = {
  admin,
  authenticate: async (request) => {
    const caller = CALLERS[request.headers.authorization ?? ''];
    if (!caller) throw unauthorized();
    return caller;
  },
};

const routes: AdminRoute[] = [
  { method: 'GET', path: '/realms/{realm}/things', right: 'list-clients', handle: async (call) => ok({ query: call.query.get('clientId'), realm: call.realm?.realm }) },
  {
    method: 'POST',
    path: '/realms/{realm}/things',
    right: 'manage-clients',
    handle: async (call) => {
      const body = call.body('object') as { name?: string };
      if (body.name === 'dup') throw new AdminError('Client dup already exists', 'conflict');
      if (body.name === 'bad') throw new AdminError('bad name');
      if (body.name === 'param') throw oauthStyle('invalid_request', "Can't assign a Parameterized Scope to a Client as a Default Scope");
      if (body.name === undefined) throw plainBadRequest();
      return created(call.url('realms', call.params.realm!, 'things', body.name));
    },
  },
  {
    method: 'GET',
    path: '/realms/{realm}/things/{id}',
    right: 'view-clients',
    handle: async (call) => {
      if (call.params.id !== 'known') throw notFound('Could not find client');
      return ok({ id: call.params.id });
    },
  },
  {
    method: 'DELETE',
    path: '/realms/{realm}/things/{id}',
    right: 'manage-clients',
    exists: async (call) => {
      if (call.params.id !== 'known' && call.may('list-clients')) throw notFound('Could not find client');
    },
    handle: async () => noContent(),
  },
  { method: 'PUT', path: '/realms/{realm}/things/{id}/list', right: 'manage-clients', handle: async (call) => ok(call.body('array')) },
  { method: 'GET', path: '/realms/{realm}/things/{id}/special', right: 'view-clients', handle: async () => ok('literal') },
  { method: 'GET', path: '/realms/{realm}/things/{id}/{other}', right: 'view-clients', handle: async () => ok('param') },
  { method: 'POST', path: '/realms', right: 'create-realm', handle: async (call) => created(call.url('realms', 'a b')) },
  { method: 'GET', path: '/whoami', right: null, handle: async (call) => ok(call.caller.clientId) },
];
const router = new AdminRouter(routes);

function request(method: string, path: string, options: { token?: string; body?: string; query?: string } = {}): HttpRequest {
  return {
    method,
    path,
    query: options.query ?? '',
    realm: '',
    headers: { 'user-agent': 'terraform-provider-keycloak', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: options.body ?? '',
    sourceIp: '127.0.0.1',
    origin: 'https://sso.example.com',
    legacyAuthPrefix: path.startsWith('/auth/'),
    requestId: 'id',
  };
}

async function call(method: string, path: string, options: { token?: string; body?: string; query?: string } = {}) {
  const res = await router.handle(deps, request(method, path, options));
  return { status: res.statusCode, headers: res.headers, body: res.body === '' ? undefined : JSON.parse(res.body as string) };
}

describe('Admin API router: conventions and the four error bodies', () => {
  test('401 for a missing, garbage or Basic credential: one body, no WWW-Authenticate, checked before the path', async () => {
    for (const token of [undefined, 'garbage']) {
      for (const path of ['/admin/realms/r/things', '/admin/nowhere', '/auth/admin/realms/nope/things']) {
        const res = await call('GET', path, { token });
        assert.equal(res.status, 401);
        assert.deepEqual(res.body, { error: 'HTTP 401 Unauthorized' });
        assert.equal(res.headers['WWW-Authenticate'], undefined);
        assert.equal(res.headers['Content-Type'], 'application/json;charset=UTF-8');
      }
    }
  });

  test('reads answer 200 JSON with no-cache under both prefixes, with or without a trailing slash, with the query', async () => {
    for (const path of ['/admin/realms/r/things', '/admin/realms/r/things/', '/auth/admin/realms/r/things/']) {
      const res = await call('GET', path, { token: 'r-viewer', query: 'clientId=a%20b' });
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.body, { query: 'a b', realm: 'r' });
      assert.equal(res.headers['Content-Type'], 'application/json;charset=UTF-8');
      assert.equal(res.headers['Cache-Control'], 'no-cache');
    }
  });

  test('201 has no body and an absolute Location from the request origin and prefix; 204 no body', async () => {
    const plain = await call('POST', '/admin/realms/r/things', { token: 'master-admin', body: '{"name":"x/y"}' });
    assert.equal(plain.status, 201);
    assert.equal(plain.body, undefined);
    assert.equal(plain.headers.Location, 'https://sso.example.com/admin/realms/r/things/x%2Fy');
    const legacy = await call('POST', '/auth/admin/realms', { token: 'master-admin' });
    assert.equal(legacy.headers.Location, 'https://sso.example.com/auth/admin/realms/a%20b');
    const deleted = await call('DELETE', '/admin/realms/r/things/known', { token: 'master-admin' });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, undefined);
  });

  test('order of checks: realm 404, then reach 403, then the right 403', async () => {
    assert.deepEqual(await call('GET', '/admin/realms/nope/things', { token: 'r-viewer' }), {
      status: 404,
      headers: { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-cache' },
      body: { error: 'Realm not found.' },
    });
    const otherRealm = await call('GET', '/admin/realms/other/things', { token: 'r-viewer' });
    assert.deepEqual([otherRealm.status, otherRealm.body], [403, { error: 'HTTP 403 Forbidden' }]);
    const noRight = await call('POST', '/admin/realms/r/things', { token: 'r-viewer', body: '{' });
    assert.deepEqual([noRight.status, noRight.body], [403, { error: 'HTTP 403 Forbidden' }], 'the right before the body');
    const noCreate = await call('POST', '/admin/realms', { token: 'r-viewer' });
    assert.equal(noCreate.status, 403);
  });

  test('an unknown sub-resource is 404 for a caller who may list it, 403 for one who may not', async () => {
    const viewer = await call('DELETE', '/admin/realms/r/things/unknown', { token: 'r-viewer' });
    assert.deepEqual([viewer.status, viewer.body], [404, { error: 'Could not find client' }]);
    const knownButNoRight = await call('DELETE', '/admin/realms/r/things/known', { token: 'r-viewer' });
    assert.equal(knownButNoRight.status, 403);
    const nobody = await call('DELETE', '/admin/realms/r/things/unknown', { token: 'r-nothing' });
    assert.deepEqual([nobody.status, nobody.body], [403, { error: 'HTTP 403 Forbidden' }]);
  });

  test('unmatched path 404 and method 405, in the {"error"} shape', async () => {
    const res = await call('GET', '/admin/realms/r/unknown', { token: 'master-admin' });
    assert.deepEqual([res.status, res.body], [404, { error: 'HTTP 404 Not Found' }]);
    const bad = await call('GET', '/admin/realms/r/things/%E0%A4%A', { token: 'master-admin' });
    assert.deepEqual([bad.status, bad.body], [404, { error: 'HTTP 404 Not Found' }]);
    const method = await call('PATCH', '/admin/realms/r/things', { token: 'master-admin' });
    assert.deepEqual([method.status, method.body], [405, { error: 'HTTP 405 Method Not Allowed' }]);
  });

  test('a literal segment wins over a parameter', async () => {
    assert.equal((await call('GET', '/admin/realms/r/things/known/special', { token: 'master-admin' })).body, 'literal');
    assert.equal((await call('GET', '/admin/realms/r/things/known/else', { token: 'master-admin' })).body, 'param');
  });

  test('409 and validation 400 in the {"errorMessage"} shape, lib/admin errors mapped by kind', async () => {
    const dup = await call('POST', '/admin/realms/r/things', { token: 'master-admin', body: '{"name":"dup"}' });
    assert.deepEqual([dup.status, dup.body], [409, { errorMessage: 'Client dup already exists' }]);
    const bad = await call('POST', '/admin/realms/r/things', { token: 'master-admin', body: '{"name":"bad"}' });
    assert.deepEqual([bad.status, bad.body], [400, { errorMessage: 'bad name' }]);
    assert.deepEqual(badRequest('x').body, { errorMessage: 'x' });
  });

  test('a body that is not JSON, and JSON of the wrong type, as Keycloak words them', async () => {
    const notJson = await call('POST', '/admin/realms/r/things', { token: 'master-admin', body: '{"name":' });
    assert.deepEqual([notJson.status, notJson.body], [400, { error: 'invalid_request', error_description: 'Cannot parse the JSON' }]);
    const wrongType = await call('POST', '/admin/realms/r/things', { token: 'master-admin', body: '[1]' });
    assert.deepEqual([wrongType.status, wrongType.body], [400, { error: 'unknown_error', error_description: 'Cannot parse the JSON' }]);
    const notArray = await call('PUT', '/admin/realms/r/things/known/list', { token: 'master-admin', body: '{}' });
    assert.deepEqual([notArray.status, notArray.body], [400, { error: 'unknown_error', error_description: 'Cannot parse the JSON' }]);
    const noName = await call('POST', '/admin/realms/r/things', { token: 'master-admin', body: '{}' });
    assert.deepEqual([noName.status, noName.body], [400, { error: 'HTTP 400 Bad Request' }]);
  });

  test('an OAuth-style refusal inside the API keeps error and error_description', async () => {
    const res = await call('POST', '/admin/realms/r/things', { token: 'master-admin', body: '{"name":"param"}' });
    assert.deepEqual([res.status, res.body], [400, { error: 'invalid_request', error_description: "Can't assign a Parameterized Scope to a Client as a Default Scope" }]);
  });

  test("successful writes are audited under Keycloak's admin operation types, without the body; reads are not", async () => {
    const events: unknown[] = [];
    const audited = { ...deps, audit: (event: unknown) => events.push(event) };
    await router.handle(audited, request('POST', '/admin/realms/r/things', { token: 'master-admin', body: '{"name":"n","secret":"s3cret"}' }));
    await router.handle(audited, request('DELETE', '/auth/admin/realms/r/things/known', { token: 'master-admin' }));
    await router.handle(audited, request('GET', '/admin/realms/r/things', { token: 'master-admin' }));
    await router.handle(audited, request('POST', '/admin/realms/r/things', { token: 'master-admin', body: '{"name":"dup"}' }));
    const from = { ipAddress: '127.0.0.1', userAgent: 'terraform-provider-keycloak', requestId: 'id' };
    assert.deepEqual(events, [
      { operationType: 'CREATE', realm: 'r', resourcePath: 'things', authRealm: 'master', authClientId: 'boot', ...from, status: 201 },
      { operationType: 'DELETE', realm: 'r', resourcePath: 'things/known', authRealm: 'master', authClientId: 'boot', ...from, status: 204 },
    ]);
    assert.ok(!JSON.stringify(events).includes('s3cret'));
  });

  test('refused authentication (401) and authorization (403) are events, with the source and never the token (issue 17 F4)', async () => {
    const events: AdminEvent[] = [];
    const audited = { ...deps, audit: (event: AdminEvent) => events.push(event) };
    await router.handle(audited, request('GET', '/admin/realms/r/things', { token: 'not-a-valid-token' }));
    await router.handle(audited, request('POST', '/admin/realms/r/things', { token: 'r-viewer', body: '{}' }));
    await router.handle(audited, request('DELETE', '/admin/realms/r/things/known', { token: 'r-nothing' }));
    await router.handle(audited, request('GET', '/admin/realms/other/things', { token: 'r-viewer' }));
    await router.handle(audited, request('GET', '/admin/realms/r/things/unknown', { token: 'master-admin' }));
    const from = { ipAddress: '127.0.0.1', userAgent: 'terraform-provider-keycloak', requestId: 'id' };
    assert.deepEqual(events, [
      { method: 'GET', realm: 'r', resourcePath: 'things', ...from, status: 401, error: 'invalid_token' },
      { method: 'POST', realm: 'r', resourcePath: 'things', authRealm: 'r', authClientId: 'v', ...from, status: 403, error: 'not_allowed' },
      { method: 'DELETE', realm: 'r', resourcePath: 'things/known', authRealm: 'r', authClientId: 'n', ...from, status: 403, error: 'not_allowed' },
      { method: 'GET', realm: 'other', resourcePath: 'things', authRealm: 'r', authClientId: 'v', ...from, status: 403, error: 'not_allowed' },
    ], 'a 404 is no event');
    assert.ok(!JSON.stringify(events).includes('not-a-valid-token'));
    const long = { ...request('GET', '/admin/realms/r/things', { token: 'x' }), headers: { authorization: 'Bearer x', 'user-agent': 'a'.repeat(5000) } };
    await router.handle(audited, long);
    assert.equal(events.at(-1)!.userAgent?.length, 256, 'a user agent is cut short');
  });

  test('routes without a realm; a duplicate route is refused at startup', async () => {
    assert.equal((await call('GET', '/admin/whoami/', { token: 'r-nothing' })).body, 'n');
    assert.throws(() => new AdminRouter([routes[0]!, { ...routes[0]!, path: '/realms/{x}/things' }]), /two admin routes/);
  });
});
