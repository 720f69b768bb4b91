import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildEvent, isTextContentType, matchRoute, routesFromServerlessYml } from '../../infra/local/apiGateway.js';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { fromApiGatewayEvent } from '../../lib/http/request.js';

const routes = await routesFromServerlessYml(PROJECT_ROOT);

function request(overrides: Partial<Parameters<typeof buildEvent>[0]> = {}) {
  return {
    method: 'POST',
    url: '/auth/realms/demo/protocol/openid-connect/token?x=1&x=2',
    rawHeaders: ['Host', 'localhost:8443', 'Content-Type', 'application/x-www-form-urlencoded', 'X-Thing', 'a', 'x-thing', 'b', 'Cookie', 'a=1; b=2'],
    body: Buffer.from('grant_type=client_credentials'),
    sourceIp: '10.0.0.7',
    localPort: 8443,
    ...overrides,
  };
}

describe('local API Gateway adapter (infra/local/apiGateway.ts)', () => {
  it('routes both path forms of serverless.yml to their function, and nothing else', () => {
    assert.equal(matchRoute(routes, 'POST', '/realms/demo/protocol/openid-connect/token')?.route.handler, 'functions/token.handler');
    assert.equal(matchRoute(routes, 'POST', '/auth/realms/demo/protocol/openid-connect/token/refresh')?.route.handler, 'functions/refresh.handler');
    assert.deepEqual(matchRoute(routes, 'GET', '/realms/my%20realm/protocol/openid-connect/certs')?.pathParameters, { realm: 'my realm' });
    assert.equal(matchRoute(routes, 'GET', '/realms/demo/protocol/openid-connect/token'), undefined);
    assert.equal(matchRoute(routes, 'POST', '/realms/a/b/protocol/openid-connect/token'), undefined);
    // A greedy `{proxy+}` takes the rest of the path, as API Gateway's does.
    const admin = matchRoute(routes, 'GET', '/auth/admin/realms/demo/clients');
    assert.equal(admin?.route.handler, 'functions/admin.handler');
    assert.deepEqual(admin?.pathParameters, { proxy: 'realms/demo/clients' });
    assert.equal(matchRoute(routes, 'GET', '/admin/'), undefined);
    // A more specific route inside `/admin/{proxy+}` wins over it, as in API Gateway, whatever the order in serverless.yml.
    assert.equal(matchRoute(routes, 'POST', '/admin/realms')?.route.handler, 'functions/adminHeavy.handler');
    assert.equal(matchRoute(routes, 'GET', '/admin/realms')?.route.handler, 'functions/admin.handler');
    assert.equal(matchRoute(routes, 'GET', '/auth/admin/realms/demo/clients/c1/evaluate-scopes/generate-example-id-token')?.route.handler, 'functions/adminHeavy.handler');
    assert.equal(matchRoute(routes, 'GET', '/admin/demo/console/')?.route.handler, 'functions/console.handler');
  });

  it('builds a payload-2.0 event as API Gateway does', () => {
    const matched = matchRoute(routes, 'POST', '/auth/realms/demo/protocol/openid-connect/token')!;
    const event = buildEvent(request(), matched.route, matched.pathParameters, new Date(Date.UTC(2020, 2, 12, 19, 3, 58)));
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, 'POST /auth/realms/{realm}/protocol/openid-connect/token');
    assert.equal(event.rawPath, '/auth/realms/demo/protocol/openid-connect/token');
    assert.equal(event.rawQueryString, 'x=1&x=2');
    assert.deepEqual(event.queryStringParameters, { x: '1,2' });
    assert.deepEqual(event.pathParameters, { realm: 'demo' });
    assert.equal(event.headers['x-thing'], 'a,b');
    assert.equal(event.headers.cookie, undefined);
    assert.deepEqual(event.cookies, ['a=1', 'b=2']);
    assert.equal(event.headers['x-forwarded-for'], '10.0.0.7');
    assert.equal(event.headers['x-forwarded-port'], '8443');
    assert.equal(event.requestContext.http.sourceIp, '10.0.0.7');
    assert.equal(event.requestContext.stage, '$default');
    assert.equal(event.requestContext.domainName, 'localhost');
    assert.equal(event.requestContext.time, '12/Mar/2020:19:03:58 +0000');
    // Form bodies arrive base64-encoded from an HTTP API; the service decodes them.
    assert.equal(event.isBase64Encoded, true);
    assert.equal(Buffer.from(event.body!, 'base64').toString(), 'grant_type=client_credentials');
    const parsed = fromApiGatewayEvent(event);
    assert.equal(parsed.body, 'grant_type=client_credentials');
    assert.equal(parsed.realm, 'demo');
    assert.equal(parsed.origin, 'http://localhost:8443');
    assert.equal(parsed.legacyAuthPrefix, true);
  });

  it('passes text bodies as text and leaves out an absent body', () => {
    assert.equal(isTextContentType('application/json; charset=utf-8'), true);
    assert.equal(isTextContentType('text/plain'), true);
    assert.equal(isTextContentType(undefined), false);
    const matched = matchRoute(routes, 'GET', '/realms/demo/protocol/openid-connect/certs')!;
    const json = buildEvent(request({ rawHeaders: ['Content-Type', 'application/json'], body: Buffer.from('{}') }), matched.route, matched.pathParameters);
    assert.equal(json.body, '{}');
    assert.equal(json.isBase64Encoded, false);
    const empty = buildEvent(request({ rawHeaders: [], body: Buffer.alloc(0) }), matched.route, matched.pathParameters);
    assert.equal(empty.body, undefined);
    assert.equal(empty.isBase64Encoded, false);
  });
});
