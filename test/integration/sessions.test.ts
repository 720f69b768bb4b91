import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { introspect } from '../../lib/grants/introspect.js';
import { logout } from '../../lib/grants/logout.js';
import { revoke } from '../../lib/grants/revoke.js';
import { refreshGrants, tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import type { RealmSettings } from '../../lib/model/stored.js';
import { hashRefreshToken } from '../../lib/tokens/refreshToken.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';
import { copiesIn } from '../support/secretScan.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const OIDC = '/realms/demo/protocol/openid-connect';
const PRODUCT = { authorization: basic('product-sa-client', 'password') };
const FULL = { authorization: basic('full-scope-client', 'full-secret') };

let stack: TestStack;
let clock = Math.floor(Date.now() / 1000);

function call(endpoint: Endpoint) {
  const handler = httpHandler(endpoint, { noStore: true, log: () => undefined });
  return async (path: string, body: string, headers: Record<string, string> = PRODUCT) => {
    const res = await handler(apiEvent({ path, headers: { ...FORM, ...headers }, body }));
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers as Record<string, string> };
  };
}
let token: ReturnType<typeof call>;
let refresh: ReturnType<typeof call>;
let logoutCall: ReturnType<typeof call>;
let revokeCall: ReturnType<typeof call>;
let introspectCall: ReturnType<typeof call>;

const grant = async (headers = PRODUCT) => (await token(`${OIDC}/token`, 'grant_type=client_credentials', headers)).body;
const refreshWith = (rt: string, headers = PRODUCT, extra = '') => token(`${OIDC}/token`, `grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}${extra}`, headers);
const active = async (tokenValue: string) => (await introspectCall(`${OIDC}/token/introspect`, `token=${encodeURIComponent(tokenValue)}`, FULL)).body;

async function setRealm(changes: Partial<RealmSettings>) {
  const data = (await stack.table.loadRealm('demo'))!;
  await stack.table.putItem('demo', { kind: 'settings', ...data.settings, ...changes });
}

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0, now: () => clock });
  token = call((request) => tokenEndpoint(stack.runtime, request, tokenGrants));
  refresh = call((request) => tokenEndpoint(stack.runtime, request, refreshGrants));
  logoutCall = call((request) => logout(stack.runtime, request));
  revokeCall = call((request) => revoke(stack.runtime, request));
  introspectCall = call((request) => introspect(stack.runtime, request));
});

describe('sessions for clients with refresh tokens on', () => {
  it('adds refresh_token, refresh_expires_in, session_state and sid', async () => {
    const body = await grant();
    assert.equal(body.refresh_expires_in, 1800);
    assert.equal(decodeJwt(body.access_token).sid, body.session_state);
    assert.equal(decodeJwt(body.refresh_token).sid, body.session_state);
  });

  it('stores only a hash of the refresh token', async () => {
    const body = await grant();
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const raw = await stack.dynamodb.send(new GetItemCommand({ TableName: stack.runtime.sessions.tableName, Key: { pk: { S: `SESSION#${body.session_state}` } } }));
    const stored = JSON.stringify(raw.Item);
    // Not the token nor the random part of its credential (`jti`), as they are or encoded (base64,
    // hex…); the SHA-256 of the credential `<sid>.<jti>` is there (docs/refresh-tokens.md).
    const { sid, jti } = decodeJwt(body.refresh_token) as { sid: string; jti: string };
    assert.deepEqual(copiesIn(stored, [{ name: 'refresh token', secret: body.refresh_token }, { name: 'its random part', secret: jti }, { name: 'its random bytes', secret: Buffer.from(jti, 'base64url') }]), []);
    assert.ok(stored.includes(hashRefreshToken(`${sid}.${jti}`)));
    assert.ok(raw.Item!.ttl!.N);
  });

  it('stays stateless for other clients: nothing written', async () => {
    stack.resetCounts();
    const body = await grant(FULL);
    assert.equal(body.refresh_token, undefined);
    assert.equal(body.refresh_expires_in, 0);
    assert.equal(decodeJwt(body.access_token).sid, undefined);
    assert.equal(stack.counts.PutItemCommand, undefined);
  });
});

describe('refresh', () => {
  it('rotates on both the token endpoint and the refresh endpoint, costing one read, one write, one client read, one sign', async () => {
    const first = await grant();
    stack.resetCounts();
    const second = await refreshWith(first.refresh_token);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    // This file's realm cache lifetime is 0 (so realm changes show at once): one realm-version GetItem per request.
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 3, PutItemCommand: 1, SignCommand: 1 });
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.equal(second.body.session_state, first.session_state);
    const third = await refresh(`${OIDC}/token/refresh`, `grant_type=refresh_token&refresh_token=${encodeURIComponent(second.body.refresh_token)}`);
    assert.equal(third.status, 200);
    assert.deepEqual(decodeJwt(third.body.access_token).realm_access, { roles: ['user'] });
  });

  it('reusing a rotated token ends the whole session', async () => {
    const first = await grant();
    const second = await refreshWith(first.refresh_token);
    const reuse = await refreshWith(first.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    assert.equal(reuse.body.error_description, 'Maximum allowed refresh token reuse exceeded');
    const after = await refreshWith(second.body.refresh_token);
    assert.equal(after.body.error_description, 'Session not active');
  });

  it('concurrent refreshes of one token: exactly one succeeds', async () => {
    const first = await grant();
    const results = await Promise.all(Array.from({ length: 20 }, () => refreshWith(first.refresh_token)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 400 && r.body.error === 'invalid_grant'));
  });

  it('allows exactly refreshTokenMaxReuse extra uses, even concurrently', async () => {
    await setRealm({ refreshTokenMaxReuse: 2 });
    try {
      const first = await grant();
      const second = await refreshWith(first.refresh_token);
      assert.equal(second.status, 200);
      const results = await Promise.all(Array.from({ length: 10 }, () => refreshWith(first.refresh_token)));
      assert.equal(results.filter((r) => r.status === 200).length, 2);
    } finally {
      await setRealm({ refreshTokenMaxReuse: 0 });
    }
  });

  it('without revokeRefreshToken the same token keeps working', async () => {
    await setRealm({ revokeRefreshToken: false });
    try {
      const first = await grant();
      for (let i = 0; i < 3; i++) {
        const res = await refreshWith(first.refresh_token);
        assert.equal(res.status, 200);
        assert.equal(res.body.refresh_token, first.refresh_token);
      }
    } finally {
      await setRealm({ revokeRefreshToken: true });
    }
  });

  it('refuses with Keycloak words', async () => {
    const first = await grant();
    assert.deepEqual((await token(`${OIDC}/token`, 'grant_type=refresh_token')).body, { error: 'invalid_request', error_description: 'No refresh token' });
    assert.equal((await refreshWith('garbage')).body.error_description, 'Invalid refresh token');
    assert.equal((await refreshWith(`${first.session_state}.${'A'.repeat(43)}`)).body.error_description, 'Invalid refresh token');
    assert.equal((await refreshWith(first.refresh_token, FULL)).body.error_description, "Invalid refresh token. Token client and authorized client don't match");
    assert.equal((await refreshWith(first.refresh_token, PRODUCT, '&scope=phone')).body.error, 'invalid_scope');
    // The refused attempts above must not have consumed or ended the session.
    assert.equal((await refreshWith(first.refresh_token)).status, 200);
  });

  it('ends with the idle timeout and the not-before', async () => {
    const first = await grant();
    clock += 1801;
    const idle = await refreshWith(first.refresh_token);
    assert.equal(idle.body.error_description, 'Token is not active');
    const second = await grant();
    clock += 1;
    await setRealm({ notBefore: clock });
    try {
      assert.equal((await refreshWith(second.refresh_token)).body.error_description, 'Stale token');
      const after = await grant();
      assert.equal(after['not-before-policy'], clock);
    } finally {
      await setRealm({ notBefore: 0 });
    }
  });

  it('a disabled client can no longer refresh', async () => {
    const first = await grant();
    const client = (await stack.table.getClient('demo', 'product-sa-client'))!;
    await stack.table.putClient({ ...client, serviceAccountsEnabled: false });
    try {
      const res = await refreshWith(first.refresh_token);
      assert.equal(res.body.error, 'invalid_grant');
    } finally {
      await stack.table.putClient(client);
    }
  });
});

describe('logout', () => {
  it('ends the session: 204, then refresh says Session not active; again 204', async () => {
    const first = await grant();
    const wrongClient = await logoutCall(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(first.refresh_token)}`, FULL);
    assert.equal(wrongClient.status, 400);
    assert.equal(wrongClient.body.error, 'invalid_grant');
    stack.resetCounts();
    const res = await logoutCall(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(first.refresh_token)}`);
    assert.equal(res.status, 204);
    assert.deepEqual({ ...stack.counts }, { GetItemCommand: 3, DeleteItemCommand: 1 });
    assert.equal((await refreshWith(first.refresh_token)).body.error_description, 'Session not active');
    assert.equal((await logoutCall(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(first.refresh_token)}`)).status, 204);
    assert.equal((await active(first.access_token)).active, false);
  });

  it('needs client authentication and a refresh token', async () => {
    const first = await grant();
    assert.equal((await logoutCall(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(first.refresh_token)}`, {})).status, 401);
    assert.deepEqual((await logoutCall(`${OIDC}/logout`, '')).body, { error: 'invalid_request', error_description: 'No refresh token' });
  });
});

describe('revocation (RFC 7009) and introspection (RFC 7662)', () => {
  it('introspects an active access token with its claims', async () => {
    const body = await grant(FULL);
    const info = await active(body.access_token);
    assert.equal(info.active, true);
    assert.equal(info.client_id, 'full-scope-client');
    assert.equal(info.username, 'service-account-full-scope-client');
    assert.equal(info.token_type, 'Bearer');
  });

  it('answers exactly {"active":false} for garbage, expired, revoked and forged tokens', async () => {
    assert.deepEqual(await active('garbage'), { active: false });
    const body = await grant(FULL);
    const [h, p] = body.access_token.split('.');
    assert.deepEqual(await active(`${h}.${p}.${'A'.repeat(342)}`), { active: false });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    assert.deepEqual(await active(unsigned), { active: false });
    assert.equal((await revokeCall(`${OIDC}/revoke`, `token=${body.access_token}`, FULL)).status, 200);
    assert.deepEqual(await active(body.access_token), { active: false });
    const other = await grant(FULL);
    clock += 301;
    assert.deepEqual(await active(other.access_token), { active: false });
  });

  it('revoking a refresh token ends its session; unknown tokens are 200; another client is refused', async () => {
    const first = await grant();
    assert.equal((await active(first.refresh_token)).active, true);
    assert.equal((await revokeCall(`${OIDC}/revoke`, `token=${encodeURIComponent(first.refresh_token)}`, FULL)).body.error_description, 'Unmatching clients');
    assert.equal((await revokeCall(`${OIDC}/revoke`, `token=${encodeURIComponent(first.refresh_token)}`)).status, 200);
    assert.equal((await refreshWith(first.refresh_token)).body.error_description, 'Session not active');
    assert.deepEqual(await active(first.access_token), { active: false });
    assert.equal((await revokeCall(`${OIDC}/revoke`, 'token=not-a-token')).status, 200);
  });

  it('a disabled client makes its tokens inactive, and public clients may not introspect', async () => {
    const body = await grant(FULL);
    const client = (await stack.table.getClient('demo', 'full-scope-client'))!;
    await stack.table.putClient({ ...client, enabled: false });
    try {
      const res = await introspectCall(`${OIDC}/token/introspect`, `token=${body.access_token}`);
      assert.deepEqual(res.body, { active: false });
    } finally {
      await stack.table.putClient(client);
    }
    // Keycloak's TokenIntrospectionEndpoint: 403 invalid_request "Client not allowed.", checked before the token.
    const pub = await introspectCall(`${OIDC}/token/introspect`, `token=${body.access_token}&client_id=public-client`, {});
    assert.equal(pub.status, 403);
    assert.deepEqual(pub.body, { error: 'invalid_request', error_description: 'Client not allowed.' });
    const noToken = await introspectCall(`${OIDC}/token/introspect`, 'client_id=public-client', {});
    assert.equal(noToken.status, 403);
  });
});
