import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ALBResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { invalidClient } from '../../lib/http/errors.js';
import { httpHandler } from '../../lib/http/handler.js';
import { fromAlbEvent, fromLambdaEvent, realmFromPath } from '../../lib/http/request.js';
import { json, toLambdaResult } from '../../lib/http/response.js';
import { albEvent, apiEvent } from '../support/events.js';

/** lib/http behind both front doors: API Gateway HTTP API (payload 2.0) and the ALB. */
describe('ALB events (lib/http/request.ts)', () => {
  it('reads an ALB event with multi-value headers as API Gateway would have given it', () => {
    const request = fromLambdaEvent(
      albEvent({
        path: '/auth/realms/my%20realm/protocol/openid-connect/token',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ['198.51.100.1, 203.0.113.9'], 'x-thing': ['a', 'b'] },
        body: Buffer.from('grant_type=client_credentials').toString('base64'),
        isBase64Encoded: true,
      }),
    );
    assert.equal(request.method, 'POST');
    assert.equal(request.realm, 'my realm');
    assert.equal(request.legacyAuthPrefix, true);
    assert.equal(request.body, 'grant_type=client_credentials');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    // Repeated headers joined with a comma, as API Gateway joins them.
    assert.equal(request.headers['x-thing'], 'a,b');
    // The address the ALB appended, not what the client claimed before it.
    assert.equal(request.sourceIp, '203.0.113.9');
    assert.equal(request.origin, 'https://sso.example.com');
    assert.match(request.requestId, /^Root=1-/);
  });

  it('reads an ALB event without multi-value headers, and a path without a realm', () => {
    const request = fromAlbEvent(albEvent({ method: 'GET', path: '/realms/demo/protocol/openid-connect/certs', multiValueHeaders: false }));
    assert.equal(request.realm, 'demo');
    assert.equal(request.legacyAuthPrefix, false);
    assert.equal(request.sourceIp, '203.0.113.9');
    assert.equal(realmFromPath('/realms/'), '');
    assert.equal(realmFromPath('/other/realms/demo/x'), '');
    assert.equal(realmFromPath('/realms/%E0%A4%A/x'), '%E0%A4%A');
  });

  it('refuses an oversized or non-UTF-8 ALB body as invalid_request, as for API Gateway', () => {
    assert.throws(() => fromAlbEvent(albEvent({ path: '/realms/demo/x', body: 'a='.padEnd(70_000, 'x') })), { status: 413, error: 'invalid_request' });
    assert.throws(() => fromAlbEvent(albEvent({ path: '/realms/demo/x', body: Buffer.from([0xff, 0xfe]).toString('base64'), isBase64Encoded: true })), { status: 400 });
  });
});

describe('responses in the shape of the front door (lib/http/response.ts)', () => {
  const response = () => json(401, { error: 'invalid_client' }, { 'WWW-Authenticate': 'Basic realm="demo"' });

  it('answers the ALB with a status line, isBase64Encoded, and multi-value headers when the event had them', () => {
    const multi = toLambdaResult(response(), albEvent({ path: '/realms/demo/x' })) as ALBResult;
    assert.deepEqual(multi, {
      statusCode: 401,
      statusDescription: '401 Unauthorized',
      body: '{"error":"invalid_client"}',
      isBase64Encoded: false,
      multiValueHeaders: { 'Content-Type': ['application/json'], 'WWW-Authenticate': ['Basic realm="demo"'] },
    });
    const single = toLambdaResult(response(), albEvent({ path: '/realms/demo/x', multiValueHeaders: false })) as ALBResult;
    assert.equal(single.multiValueHeaders, undefined);
    assert.deepEqual(single.headers, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Basic realm="demo"' });
    assert.equal(single.statusDescription, '401 Unauthorized');
  });

  it('answers API Gateway with the structured result as it is', () => {
    const result = toLambdaResult(response(), apiEvent({ path: '/realms/demo/x' })) as APIGatewayProxyStructuredResultV2;
    assert.deepEqual(result, response());
  });

  it('renders an OAuth error through httpHandler in the ALB shape, no-store included', async () => {
    const handler = httpHandler(async () => {
      throw invalidClient('demo', true);
    }, { noStore: true, log: () => undefined });
    const result = (await handler(albEvent({ path: '/realms/demo/protocol/openid-connect/token' }))) as ALBResult;
    assert.equal(result.statusCode, 401);
    assert.equal(result.statusDescription, '401 Unauthorized');
    assert.deepEqual(result.multiValueHeaders?.['Cache-Control'], ['no-store']);
    assert.deepEqual(result.multiValueHeaders?.['WWW-Authenticate'], ['Basic realm="demo"']);
    assert.equal(JSON.parse(result.body!).error, 'invalid_client');
    const tooLarge = (await handler(albEvent({ path: '/realms/demo/protocol/openid-connect/token', body: 'x'.repeat(70_000) }))) as ALBResult;
    assert.equal(tooLarge.statusCode, 413);
    assert.equal(tooLarge.statusDescription, '413 Payload Too Large');
  });
});
