/**
 * Refresh tokens as Keycloak's JWTs (issue 10, item 4), against DynamoDB Local and the local KMS:
 * the format, the realm's KMS-generated HS512 key (stored wrapped, unwrapped once per container),
 * what still holds from before (hash only, single use, reuse detection), introspection, logout and
 * revocation, and opaque tokens issued before the change.
 */
import { secretsKeyAlias } from '../../lib/deployment/stageNames.js';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { introspect } from '../../lib/grants/introspect.js';
import { logout } from '../../lib/grants/logout.js';
import { revoke } from '../../lib/grants/revoke.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import { encryptionContext } from '../../lib/kms/wrappedKey.js';
import { ensureRefreshKey, refreshKeyOwner } from '../../lib/signing/refreshKey.js';
import { sk, realmPk } from '../../lib/store/clientsTableKeys.js';
import type { RealmSettings, RefreshKeyRecord } from '../../lib/model/stored.js';
import { hashRefreshToken, newRefreshToken, newSessionId } from '../../lib/tokens/refreshToken.js';
import { readFile } from 'node:fs/promises';
import { DEMO_REALM_FILE } from '../../infra/local/stack.js';
import { adminCli } from '../support/adminCli.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const OIDC = '/realms/demo/protocol/openid-connect';
const ISSUER = 'http://localhost:3000/realms/demo';
const PRODUCT = { authorization: basic('product-sa-client', 'password') };
const FULL = { authorization: basic('full-scope-client', 'full-secret') };

let stack: TestStack;
let clock = Math.floor(Date.now() / 1000);

function call(endpoint: Endpoint) {
  const handler = httpHandler(endpoint, { noStore: true, log: () => undefined });
  return async (path: string, body: string, headers: Record<string, string> = PRODUCT) => {
    const res = await handler(apiEvent({ path, headers: { ...FORM, ...headers }, body }));
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
let token: ReturnType<typeof call>;
let logoutCall: ReturnType<typeof call>;
let revokeCall: ReturnType<typeof call>;
let introspectCall: ReturnType<typeof call>;

const grant = async (headers = PRODUCT) => (await token(`${OIDC}/token`, 'grant_type=client_credentials', headers)).body;
const refreshWith = (rt: string, headers = PRODUCT) => token(`${OIDC}/token`, `grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`, headers);
const introspection = async (value: string) => (await introspectCall(`${OIDC}/token/introspect`, `token=${encodeURIComponent(value)}`, FULL)).body;

async function setRealm(changes: Partial<RealmSettings>) {
  const data = (await stack.table.loadRealm('demo'))!;
  await stack.table.putItem('demo', { kind: 'settings', ...data.settings, ...changes });
}

async function unwrap(kms: KMSClient, realm: string, record: RefreshKeyRecord): Promise<Buffer> {
  const out = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(record.wrappedKey, 'base64'), KeyId: record.wrappingKeyId, EncryptionContext: encryptionContext(refreshKeyOwner(realm)) }));
  return Buffer.from(out.Plaintext!);
}

/** A JWT signed with the given HS512 key, for tokens the service would never issue. */
function forge(key: Buffer, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha512', key).update(input).digest('base64url')}`;
}

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0, now: () => clock });
  token = call((request) => tokenEndpoint(stack.runtime, request, tokenGrants));
  logoutCall = call((request) => logout(stack.runtime, request));
  revokeCall = call((request) => revoke(stack.runtime, request));
  introspectCall = call((request) => introspect(stack.runtime, request));
});

describe('refresh tokens are JWTs as Keycloak issues them', () => {
  it("has Keycloak's header and claims, in Keycloak's order, signed by the realm's stored key", async () => {
    const body = await grant();
    const record = (await stack.table.loadRealm('demo'))!.refreshKey!;
    assert.deepEqual(decodeProtectedHeader(body.refresh_token), { alg: 'HS512', typ: 'JWT', kid: record.kid });
    const claims = decodeJwt(body.refresh_token);
    assert.deepEqual(Object.keys(claims), ['exp', 'iat', 'jti', 'iss', 'aud', 'sub', 'typ', 'azp', 'sid', 'scope']);
    const client = (await stack.table.getClient('demo', 'product-sa-client'))!;
    assert.deepEqual(
      { ...claims, jti: undefined },
      { exp: clock + body.refresh_expires_in, iat: clock, jti: undefined, iss: ISSUER, aud: ISSUER, sub: client.serviceAccount!.id, typ: 'Refresh', azp: 'product-sa-client', sid: body.session_state, scope: body.scope },
    );
    assert.equal(claims.sub, decodeJwt(body.access_token).sub);
    // The signature verifies under the key KMS unwraps for this realm, and for no other realm.
    const key = await unwrap(stack.kms, 'demo', record);
    assert.equal(key.length, 64);
    await jwtVerify(body.refresh_token, key, { algorithms: ['HS512'], issuer: ISSUER, audience: ISSUER, currentDate: new Date(clock * 1000) });
    await assert.rejects(unwrap(stack.kms, 'other-realm', record), /InvalidCiphertext/);
  });

  it('stores the key only wrapped, and the token only as a hash', async () => {
    const record = (await stack.table.loadRealm('demo'))!.refreshKey!;
    const key = await unwrap(stack.kms, 'demo', record);
    const raw = await stack.dynamodb.send(new GetItemCommand({ TableName: stack.table.tableName, Key: { pk: { S: realmPk('demo') }, sk: { S: sk.refreshKey } } }));
    const storedKey = JSON.stringify(raw.Item);
    for (const encoding of ['base64', 'base64url', 'hex'] as const) assert.ok(!storedKey.includes(key.toString(encoding)));

    const body = await grant();
    const session = await stack.dynamodb.send(new GetItemCommand({ TableName: stack.runtime.sessions.tableName, Key: { pk: { S: `SESSION#${body.session_state}` } } }));
    const storedSession = JSON.stringify(session.Item);
    const { jti } = decodeJwt(body.refresh_token);
    assert.ok(!storedSession.includes(jti!) && !storedSession.includes(body.refresh_token.split('.')[2]));
  });

  it('unwraps the key once per container, across realm reloads, and adds no AWS call to a warm grant', async () => {
    // A container of its own (its caches empty) that reloads the realm on every request: its
    // version is checked on each, and a write of the realm's settings before each moves it.
    const reloading = await freshStack({ realmCacheTtlSeconds: 0, now: () => clock });
    const settings = (await reloading.table.loadRealm('demo'))!.settings;
    const touchRealm = () => reloading.table.putItem('demo', { kind: 'settings', ...settings });
    const unwrapped: string[] = [];
    reloading.kms.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DecryptCommand') unwrapped.push(String((args.input as { EncryptionContext?: { purpose?: string } }).EncryptionContext?.purpose));
        return next(args);
      },
      { step: 'initialize', name: 'recordUnwraps' },
    );
    const grantThere = call((request) => tokenEndpoint(reloading.runtime, request, tokenGrants));
    let rt = (await grantThere(`${OIDC}/token`, 'grant_type=client_credentials')).body.refresh_token;
    for (let i = 0; i < 3; i++) {
      await touchRealm();
      rt = (await grantThere(`${OIDC}/token`, `grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`)).body.refresh_token;
    }
    assert.ok(reloading.counts.QueryCommand! >= 4, 'the realm was loaded again for every request');
    assert.deepEqual(unwrapped.filter((purpose) => purpose === 'refresh-token-key'), ['refresh-token-key'], unwrapped.join(' '));

    // One that caches the realm as deployed stages do: a warm grant costs the client read, the
    // session write and the access token's signature, nothing for the refresh token.
    const own = await freshStack({ realmCacheTtlSeconds: 60, now: () => clock });
    const grantOwn = call((request) => tokenEndpoint(own.runtime, request, tokenGrants));
    assert.equal((await grantOwn(`${OIDC}/token`, 'grant_type=client_credentials')).status, 200);
    own.resetCounts();
    assert.equal((await grantOwn(`${OIDC}/token`, 'grant_type=client_credentials')).status, 200);
    assert.deepEqual(own.counts, { GetItemCommand: 1, PutItemCommand: 1, SignCommand: 1 });
  });

  it('is refused when tampered with, signed by another key, of another type or issuer, or expired', async () => {
    const body = await grant();
    const claims = decodeJwt(body.refresh_token);
    const [header, , signature] = body.refresh_token.split('.');
    const widened = `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: 'profile email phone' })).toString('base64url')}.${signature}`;
    const key = await unwrap(stack.kms, 'demo', (await stack.table.loadRealm('demo'))!.refreshKey!);
    const kid = decodeProtectedHeader(body.refresh_token).kid;
    const refused = [
      widened,
      forge(Buffer.alloc(64, 1), { alg: 'HS512', typ: 'JWT', kid }, claims),
      forge(key, { alg: 'HS512', typ: 'JWT', kid }, { ...claims, typ: 'Bearer' }),
      forge(key, { alg: 'HS512', typ: 'JWT', kid }, { ...claims, iss: 'http://localhost:3000/realms/other' }),
      forge(key, { alg: 'HS256', typ: 'JWT', kid }, claims),
      `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${body.refresh_token.split('.')[1]}.`,
    ];
    for (const value of refused) assert.deepEqual((await refreshWith(value)).body, { error: 'invalid_grant', error_description: 'Invalid refresh token' }, value);
    const expired = forge(key, { alg: 'HS512', typ: 'JWT', kid }, { ...claims, exp: clock - 1 });
    assert.deepEqual((await refreshWith(expired)).body, { error: 'invalid_grant', error_description: 'Token is not active' });
    // None of it touched the session: the real token still works.
    assert.equal((await refreshWith(body.refresh_token)).status, 200);
  });

  it('keeps single use and reuse detection under revokeRefreshToken', async () => {
    await setRealm({ revokeRefreshToken: true, refreshTokenMaxReuse: 0 });
    const first = await grant();
    const second = await refreshWith(first.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(decodeJwt(second.body.refresh_token).jti, decodeJwt(first.refresh_token).jti);
    assert.equal((await refreshWith(first.refresh_token)).body.error_description, 'Maximum allowed refresh token reuse exceeded');
    // Reuse ended the session: the newer token is dead too.
    assert.equal((await refreshWith(second.body.refresh_token)).body.error_description, 'Session not active');
  });

  it('without revokeRefreshToken, each refresh returns a fresh JWT for the same credential, the older ones still valid', async () => {
    await setRealm({ revokeRefreshToken: false });
    try {
      const first = await grant();
      clock += 10;
      const second = await refreshWith(first.refresh_token);
      assert.equal(second.status, 200);
      const [a, b] = [decodeJwt(first.refresh_token), decodeJwt(second.body.refresh_token)];
      assert.equal(b.jti, a.jti);
      assert.equal(b.exp, a.exp! + 10);
      assert.equal((await refreshWith(first.refresh_token)).status, 200);
    } finally {
      await setRealm({ revokeRefreshToken: true });
    }
  });
});

describe('introspection, logout and revocation of JWT refresh tokens', () => {
  it('introspects with iss, aud and jti; a spent token under revokeRefreshToken is inactive', async () => {
    await setRealm({ revokeRefreshToken: true, refreshTokenMaxReuse: 0 });
    const first = await grant();
    const info = await introspection(first.refresh_token);
    assert.deepEqual(info, { ...decodeJwt(first.refresh_token), client_id: 'product-sa-client', username: 'service-account-product-sa-client', token_type: 'Refresh', active: true });
    assert.equal(info.iss, ISSUER);
    assert.equal(info.aud, ISSUER);
    assert.equal(typeof info.jti, 'string');
    const second = await refreshWith(first.refresh_token);
    assert.deepEqual(await introspection(first.refresh_token), { active: false });
    assert.equal((await introspection(second.body.refresh_token)).active, true);
  });

  it('a used token with reuses left, or any token without rotation, stays active', async () => {
    await setRealm({ revokeRefreshToken: true, refreshTokenMaxReuse: 1 });
    try {
      const first = await grant();
      await refreshWith(first.refresh_token);
      assert.equal((await introspection(first.refresh_token)).active, true);
      await refreshWith(first.refresh_token);
      assert.deepEqual(await introspection(first.refresh_token), { active: false });
      await setRealm({ revokeRefreshToken: false, refreshTokenMaxReuse: 0 });
      const other = await grant();
      await refreshWith(other.refresh_token);
      assert.equal((await introspection(other.refresh_token)).active, true);
    } finally {
      await setRealm({ revokeRefreshToken: true, refreshTokenMaxReuse: 0 });
    }
  });

  it('logout ends the session, also with an expired token; another client may not', async () => {
    const body = await grant();
    assert.equal((await logoutCall(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(body.refresh_token)}`, FULL)).body.error_description, "Invalid refresh token. Token client and authorized client don't match");
    clock += 1801;
    try {
      assert.equal((await logoutCall(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(body.refresh_token)}`)).status, 204);
    } finally {
      clock -= 1801;
    }
    assert.equal((await refreshWith(body.refresh_token)).body.error_description, 'Session not active');
    assert.equal((await logoutCall(`${OIDC}/logout`, 'refresh_token=eyJhbGciOiJIUzUxMiJ9.e30.AAAA')).body.error_description, 'Invalid refresh token');
  });

  it('revocation ends the session; a forged one is ignored with 200', async () => {
    const body = await grant();
    assert.equal((await revokeCall(`${OIDC}/revoke`, `token=${encodeURIComponent(body.refresh_token)}`, FULL)).body.error_description, 'Unmatching clients');
    const forged = forge(Buffer.alloc(64, 2), decodeProtectedHeader(body.refresh_token), decodeJwt(body.refresh_token));
    assert.equal((await revokeCall(`${OIDC}/revoke`, `token=${encodeURIComponent(forged)}`)).status, 200);
    assert.equal((await refreshWith(body.refresh_token)).status, 200);
    const fresh = await grant();
    assert.equal((await revokeCall(`${OIDC}/revoke`, `token=${encodeURIComponent(fresh.refresh_token)}`)).status, 200);
    assert.equal((await refreshWith(fresh.refresh_token)).body.error_description, 'Session not active');
  });
});

describe('opaque refresh tokens issued before the change', () => {
  /** A session as the service stored it before refresh tokens were JWTs, and its opaque token. */
  async function legacySession(): Promise<string> {
    const id = newSessionId();
    const issued = newRefreshToken(id);
    assert.match(issued.token, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    await stack.runtime.sessions.create({
      id,
      realm: 'demo',
      clientId: 'product-sa-client',
      started: clock,
      lastRefresh: clock,
      expiresAt: clock + 36000,
      requestedScope: '',
      nextTokenHash: hashRefreshToken(issued.token),
      nextTokenIssuedAt: clock,
      currentTokenUses: 0,
      previousTokenHashes: [],
      version: 1,
    });
    return issued.token;
  }

  it('refresh, and get a JWT back', async () => {
    const opaque = await legacySession();
    const res = await refreshWith(opaque);
    assert.equal(res.status, 200);
    assert.equal(decodeJwt(res.body.refresh_token).typ, 'Refresh');
    assert.equal(decodeJwt(res.body.refresh_token).sid, opaque.split('.')[0]);
    assert.equal((await refreshWith(res.body.refresh_token)).status, 200);
  });

  it('introspect with iss, aud and jti, log out and revoke', async () => {
    const opaque = await legacySession();
    const info = await introspection(opaque);
    assert.equal(info.active, true);
    assert.equal(info.iss, ISSUER);
    assert.equal(info.aud, ISSUER);
    assert.equal(info.jti, opaque.split('.')[1]);
    assert.equal(info.sid, opaque.split('.')[0]);
    assert.equal((await logoutCall(`${OIDC}/logout`, `refresh_token=${encodeURIComponent(opaque)}`)).status, 204);
    assert.equal((await refreshWith(opaque)).body.error_description, 'Session not active');
    const other = await legacySession();
    assert.equal((await revokeCall(`${OIDC}/revoke`, `token=${encodeURIComponent(other)}`)).status, 200);
    assert.deepEqual(await introspection(other), { active: false });
  });

  it('work until they expire', async () => {
    const opaque = await legacySession();
    clock += 1801; // the realm's idle timeout
    try {
      assert.equal((await refreshWith(opaque)).body.error_description, 'Token is not active');
    } finally {
      clock -= 1801;
    }
  });

  it('a realm still without a refresh key issues opaque tokens until it gets one, made once', async () => {
    const record = (await stack.table.loadRealm('demo'))!.refreshKey!;
    await stack.table.deleteItem('demo', { kind: 'refreshKey' });
    try {
      const body = await grant();
      assert.match(body.refresh_token, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
      assert.equal((await refreshWith(body.refresh_token)).status, 200);
      // Two operators at once: one key is made, both get it.
      const made = await Promise.all([1, 2].map(() => ensureRefreshKey(stack.kms, stack.table, 'demo', secretsKeyAlias('test'), clock)));
      assert.equal(made[0]!.record.kid, made[1]!.record.kid);
      assert.deepEqual(made.map((m) => m.created).sort(), [false, true]);
      assert.equal(decodeProtectedHeader((await grant()).refresh_token).kid, made[0]!.record.kid);
    } finally {
      await stack.table.deleteItem('demo', { kind: 'refreshKey' });
      await stack.table.putItem('demo', { kind: 'refreshKey', ...record });
    }
  });
});

describe('where a realm gets its refresh-token key', () => {
  const { ok, output } = adminCli(() => stack.table.tableName);

  it('realm creation, realm import, and `sa-admin keys ensure` for a realm made before', async () => {
    await ok(['realm', 'create', 'made-here']);
    assert.equal((await stack.table.getRefreshKey('made-here'))?.alg, 'HS512');
    const exported = { ...JSON.parse(await readFile(DEMO_REALM_FILE, 'utf8')), realm: 'imported-here' };
    await ok(['import-realm', '-'], { input: JSON.stringify(exported) });
    const imported = (await stack.table.getRefreshKey('imported-here'))!;
    assert.notEqual(imported.kid, (await stack.table.getRefreshKey('made-here'))!.kid);
    // A realm from before: no key until `keys ensure`, which makes it once.
    await stack.table.deleteItem('imported-here', { kind: 'refreshKey' });
    assert.match(await output(['keys', 'ensure', 'imported-here']), /^refresh-token key [0-9a-f-]{36} \(HS512\): created$/m);
    const made = (await stack.table.getRefreshKey('imported-here'))!;
    assert.match(await output(['keys', 'ensure', 'imported-here']), new RegExp(`^refresh-token key ${made.kid} \\(HS512\\): already there$`, 'm'));
  });
});
