import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogWriter } from '../../lib/logWriter.js';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { introspect } from '../../lib/grants/introspect.js';
import { logout } from '../../lib/grants/logout.js';
import { revoke } from '../../lib/grants/revoke.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import { Observability } from '../../lib/observability.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/** Audit events under Keycloak's names, EMF metrics, correlation ids, and no secrets in any line. */
const OIDC = '/realms/demo/protocol/openid-connect';
let stack: TestStack;
let observability: Observability;
let lines: string[] = [];

async function capture<T>(fn: () => Promise<T>): Promise<T> {
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write.bind(stream));
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }) as typeof stream.write;
  }
  try {
    return await fn();
  } finally {
    streams.forEach((stream, i) => (stream.write = writes[i]!));
  }
}

function call(endpoint: Endpoint, sourceIp?: string) {
  const handler = httpHandler(endpoint, { noStore: true, observe: observability });
  return async (path: string, body: string, headers: Record<string, string>) => {
    const event = apiEvent({ path, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body, ...(sourceIp ? { sourceIp } : {}) });
    const res = await capture(() => handler(event));
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined, requestId: event.requestContext.requestId };
  };
}

before(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false'; // npm test disables EMF output for every other file
  observability = new Observability({ logger: new LogWriter({ logLevel: 'INFO' }), metrics: new Metrics({ namespace: 'SaTokenService' }), flushIntervalMs: 0 });
  stack = await freshStack({ observability });
});

describe('audit trail', () => {
  it('records CLIENT_LOGIN, its error, REFRESH_TOKEN and LOGOUT with Keycloak details and no secrets', async () => {
    lines = [];
    const token = call((r) => tokenEndpoint(stack.runtime, r, tokenGrants));
    const good = await token(`${OIDC}/token`, 'grant_type=client_credentials', { authorization: basic('product-sa-client', 'password') });
    assert.equal(good.status, 200);
    const bad = await token(`${OIDC}/token`, 'grant_type=client_credentials&client_id=full-scope-client&client_secret=wrong-secret-123', {});
    assert.equal(bad.status, 401);
    const refreshed = await token(`${OIDC}/token`, `grant_type=refresh_token&refresh_token=${encodeURIComponent(good.body.refresh_token)}`, { authorization: basic('product-sa-client', 'password') });
    assert.equal(refreshed.status, 200);
    const out = await call((r) => logout(stack.runtime, r))(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(refreshed.body.refresh_token)}`, { authorization: basic('product-sa-client', 'password') });
    assert.equal(out.status, 204);

    // The test runner shares stdout; only our JSON lines matter.
    const entries = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
    const events = entries.filter((e) => e.event);
    const byName = (name: string) => events.find((e) => e.event === name);
    assert.deepEqual(events.map((e) => e.event), ['CLIENT_LOGIN', 'CLIENT_LOGIN_ERROR', 'REFRESH_TOKEN', 'LOGOUT']);
    const login = byName('CLIENT_LOGIN')!;
    assert.equal(login.clientId, 'product-sa-client');
    assert.equal(login.realm, 'demo');
    assert.equal(login.grant_type, 'client_credentials');
    assert.equal(login.client_auth_method, 'client-secret');
    assert.match(login.token_id, /^[0-9a-f-]{36}$/);
    assert.equal(login.session_id, good.body.session_state);
    assert.ok(login.correlation_id);
    const failed = byName('CLIENT_LOGIN_ERROR')!;
    assert.equal(failed.clientId, 'full-scope-client');
    assert.equal(failed.error, 'invalid_client');
    assert.equal(byName('REFRESH_TOKEN')!.grant_type, 'refresh_token');

    const metrics = entries.filter((e) => e._aws);
    assert.ok(metrics.some((m) => m.TokensIssued === 1 && m.realm === 'demo'));
    assert.ok(metrics.some((m) => m.ClientAuthenticationFailures === 1));
    assert.ok(metrics.some((m) => m.Logouts === 1));

    const all = lines.join('\n');
    for (const secret of ['password', 'wrong-secret-123', good.body.refresh_token, refreshed.body.refresh_token, good.body.access_token.split('.')[2]]) {
      assert.ok(!all.includes(secret), `a log line contains ${secret.slice(0, 12)}…`);
    }
  });

  it('records the source address and user agent in every event, correlated with the request id of the access log', async () => {
    lines = [];
    const source = '203.0.113.7';
    // A user agent is free text: bounded, and a line break cannot forge a log field.
    const headers = { authorization: basic('product-sa-client', 'password'), 'user-agent': `audit-agent/1.0\r\nforged: x${'y'.repeat(400)}` };
    const token = call((r) => tokenEndpoint(stack.runtime, r, tokenGrants), source);
    const good = await token(`${OIDC}/token`, 'grant_type=client_credentials', headers);
    const bad = await token(`${OIDC}/token`, 'grant_type=client_credentials', { ...headers, authorization: basic('product-sa-client', 'wrong') });
    const inspected = await call((r) => introspect(stack.runtime, r), source)(`${OIDC}/token/introspect`, `token=${good.body.access_token}`, headers);
    const revoked = await call((r) => revoke(stack.runtime, r), source)(`${OIDC}/revoke`, `token=${good.body.access_token}`, headers);
    const out = await call((r) => logout(stack.runtime, r), source)(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(good.body.refresh_token)}`, headers);
    const requests = [good, bad, inspected, revoked, out];
    assert.deepEqual(requests.map((r) => r.status), [200, 401, 200, 200, 204]);

    const events = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>).filter((e) => e.event);
    assert.deepEqual(events.map((e) => e.event), ['CLIENT_LOGIN', 'CLIENT_LOGIN_ERROR', 'INTROSPECT_TOKEN', 'REVOKE_GRANT', 'LOGOUT']);
    events.forEach((event, i) => {
      assert.equal(event.ipAddress, source, event.event);
      assert.equal(event.userAgent, `audit-agent/1.0??forged: x${'y'.repeat(256 - 'audit-agent/1.0??forged: x'.length)}`, event.event);
      assert.equal(event.correlation_id, requests[i]!.requestId, event.event);
    });
  });
});
