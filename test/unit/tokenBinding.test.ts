import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { authenticateBearer, type BearerDeps } from '../../lib/adminApi/auth.js';
import { fromAlbEvent, fromApiGatewayEvent } from '../../lib/http/request.js';
import type { HttpRequest } from '../../lib/http/request.js';
import type { RealmContext } from '../../lib/realmContext.js';
import { KeyRing } from '../../lib/signing/keyRing.js';
import type { ClientRecord, RealmSettings } from '../../lib/model/stored.js';
import type { SessionRecord } from '../../lib/store/sessionsTable.js';
import { activeAccessToken, type ActiveTokenReads } from '../../lib/tokens/activeAccessToken.js';
import { decideRefresh, type RefreshInput } from '../../lib/tokens/rotation.js';
import { hashRefreshToken } from '../../lib/tokens/refreshToken.js';
import { tokenRealm } from '../../lib/tokens/tokenContext.js';
import { albEvent, apiEvent } from '../support/events.js';

/**
 * The rules that decide whether a token still works, at the tier that owns them (issue 17 F2, F5
 * and its surviving mutants): the one "access token still active" check shared by introspection
 * and the Admin API, its client binding, and the refresh decision.
 */
const NOW = 1_800_000_000;
const ISSUER = 'https://sso.example/realms/r';
const keys = await generateKeyPair('ES256');
const publicJwk = (await exportJWK(keys.publicKey)) as Record<string, string>;

const settings: RealmSettings = {
  id: 'realm-uuid',
  realm: 'r',
  enabled: true,
  accessTokenLifespan: 300,
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  clientSessionIdleTimeout: 0,
  clientSessionMaxLifespan: 0,
  revokeRefreshToken: false,
  refreshTokenMaxReuse: 0,
  notBefore: 0,
  defaultSignatureAlgorithm: 'ES256',
  defaultRole: 'default-roles-r',
  defaultDefaultClientScopes: [],
  defaultOptionalClientScopes: [],
};

function realmWith(overrides: Partial<RealmSettings> = {}): RealmContext {
  const realmSettings = { ...settings, ...overrides };
  return {
    ...tokenRealm({ settings: realmSettings, compositeRoles: [], clientScopes: [], groups: [] }),
    keys: new KeyRing('r', [{ kid: 'k1', alg: 'ES256', status: 'active', provider: 'kms', kmsKeyId: 'unused', publicJwk, createdAt: NOW - 100 }], undefined as never),
  };
}

const boss: ClientRecord = {
  realm: 'r',
  clientId: 'boss',
  id: 'boss-uuid',
  enabled: true,
  publicClient: false,
  bearerOnly: false,
  serviceAccountsEnabled: true,
  fullScopeAllowed: true,
  clientAuthenticatorType: 'client-secret',
  defaultClientScopes: [],
  optionalClientScopes: [],
  attributes: {},
  notBefore: 0,
  scopeMappings: { realm: [], client: {} },
  serviceAccount: { id: 'boss-user', username: 'service-account-boss', roles: { realm: [], client: { 'realm-management': ['realm-admin'] } }, createdTimestamp: (NOW - 1000) * 1000 },
};

const session: SessionRecord = {
  id: 'sess-1',
  realm: 'r',
  clientId: 'boss',
  clientUuid: 'boss-uuid',
  userId: 'boss-user',
  started: NOW - 60,
  lastRefresh: NOW - 60,
  expiresAt: NOW + 36000,
  requestedScope: '',
  nextTokenHash: 'next-hash',
  nextTokenIssuedAt: NOW - 60,
  currentTokenUses: 0,
  previousTokenHashes: [],
  version: 1,
};

async function token(claims: Record<string, unknown> = {}, issuer = ISSUER): Promise<string> {
  const base = { iss: issuer, typ: 'Bearer', azp: 'boss', sub: 'boss-user', jti: 'jti-1', iat: NOW - 10, exp: NOW + 290 };
  return new SignJWT({ ...base, ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(keys.privateKey);
}

/** Reads that count what they were asked, so a test sees what the check looked at. */
function reads(state: { clients?: ClientRecord[]; revoked?: string[]; sessions?: SessionRecord[] } = {}) {
  const asked: string[] = [];
  const fake: ActiveTokenReads = {
    async getClient(realm, clientId) {
      asked.push(`client ${realm}/${clientId}`);
      return (state.clients ?? [boss]).find((c) => c.realm === realm && c.clientId === clientId);
    },
    async isAccessTokenRevoked(realm, jti) {
      asked.push(`revoked ${realm}/${jti}`);
      return (state.revoked ?? []).includes(`${realm}/${jti}`);
    },
    async session(id) {
      asked.push(`session ${id}`);
      return (state.sessions ?? [session]).find((s) => s.id === id);
    },
  };
  return { fake, asked };
}

const active = async (jwt: string, state?: Parameters<typeof reads>[0], realm = realmWith()) => activeAccessToken(reads(state).fake, realm, jwt, [ISSUER], NOW);

describe('activeAccessToken: the one "still active?" check', () => {
  it('accepts a token of the client as it is stored, and names that client', async () => {
    const result = await active(await token());
    assert.equal(result?.client.id, 'boss-uuid');
    assert.equal(result?.claims.jti, 'jti-1');
    const withSession = await active(await token({ sid: 'sess-1', sub: undefined }));
    assert.equal(withSession?.client.id, 'boss-uuid', 'a session-bound token without sub is bound by its session');
  });

  it('refuses an ID token, a refresh token or a token without typ (typ must be Bearer)', async () => {
    for (const typ of ['ID', 'Refresh', undefined, 'bearer']) assert.equal(await active(await token({ typ })), undefined, String(typ));
  });

  it('refuses a revoked token', async () => {
    assert.equal(await active(await token(), { revoked: ['r/jti-1'] }), undefined);
  });

  it('refuses a token of a disabled, deleted or service-account-less client', async () => {
    assert.equal(await active(await token(), { clients: [{ ...boss, enabled: false }] }), undefined);
    assert.equal(await active(await token(), { clients: [] }), undefined);
    const { serviceAccount: _dropped, ...withoutAccount } = boss;
    assert.equal(await active(await token(), { clients: [withoutAccount] }), undefined);
  });

  it('refuses a token of a deleted client once a client with its clientId exists again (F5)', async () => {
    const recreated: ClientRecord = { ...boss, id: 'boss-uuid-2', serviceAccount: { ...boss.serviceAccount!, id: 'boss-user-2' } };
    assert.equal(await active(await token(), { clients: [recreated] }), undefined, 'session-less: sub names the old service account');
    assert.equal(await active(await token({ sid: 'sess-1', sub: undefined }), { clients: [recreated] }), undefined, 'session-bound: the session names the old client');
  });

  it('refuses an azp that names another client than the token subject (a forged azp, F2)', async () => {
    const worker: ClientRecord = { ...boss, clientId: 'worker', id: 'worker-uuid', serviceAccount: { ...boss.serviceAccount!, id: 'worker-user', username: 'service-account-worker' } };
    assert.equal(await active(await token({ sub: 'worker-user' }), { clients: [boss, worker] }), undefined);
    assert.equal(await active(await token({ sub: 'worker-user', sid: 'sess-1' }), { clients: [boss, worker] }), undefined);
  });

  it('refuses a token issued before the realm or the client not-before', async () => {
    assert.equal(await active(await token(), {}, realmWith({ notBefore: NOW - 5 })), undefined);
    assert.equal(await active(await token(), { clients: [{ ...boss, notBefore: NOW - 5 }] }), undefined);
    assert.ok(await active(await token(), { clients: [{ ...boss, notBefore: NOW - 10 }] }), 'issued at the not-before is still good');
  });

  it('refuses a session of another realm, another client instance, or one that ended', async () => {
    const bound = await token({ sid: 'sess-1' });
    assert.ok(await active(bound));
    assert.equal(await active(bound, { sessions: [] }), undefined);
    assert.equal(await active(bound, { sessions: [{ ...session, realm: 'other' }] }), undefined);
    assert.equal(await active(bound, { sessions: [{ ...session, clientUuid: 'old-uuid' }] }), undefined);
    assert.equal(await active(bound, { sessions: [{ ...session, userId: 'old-user' }] }), undefined);
    assert.equal(await active(bound, { sessions: [{ ...session, expiresAt: NOW }] }), undefined);
    assert.equal(await active(bound, { sessions: [{ ...session, lastRefresh: NOW - 1800 }] }), undefined, 'idle past the SSO idle timeout');
  });

  it('refuses a session stored before sessions kept the client ids when it is older than the client', async () => {
    const { clientUuid: _u, userId: _i, ...legacy } = session;
    const bound = await token({ sid: 'sess-1' });
    assert.ok(await active(bound, { sessions: [legacy] }), 'started after the service account was created');
    assert.equal(await active(bound, { sessions: [{ ...legacy, started: NOW - 2000 }] }), undefined);
  });

  it('reads the client, the revocation and the session once each, in the token realm', async () => {
    const { fake, asked } = reads();
    await activeAccessToken(fake, realmWith(), await token({ sid: 'sess-1' }), [ISSUER], NOW);
    assert.deepEqual(asked.sort(), ['client r/boss', 'revoked r/jti-1', 'session sess-1']);
  });
});

describe('Admin API bearer: the caller is the bound client', () => {
  function deps(state?: Parameters<typeof reads>[0]): BearerDeps {
    return { ...reads(state).fake, realm: async (name) => (name === 'r' ? realmWith() : undefined), issuers: () => [ISSUER], now: () => NOW };
  }
  const request = (jwt: string): HttpRequest => ({ method: 'GET', path: '/admin/realms/r', realm: '', headers: { authorization: `Bearer ${jwt}` }, body: '', sourceIp: '127.0.0.1', origin: 'https://sso.example', legacyAuthPrefix: false, requestId: 'x' });

  it('names the client by its internal id and service-account user, with its stored rights', async () => {
    const caller = await authenticateBearer(deps(), request(await token()));
    assert.deepEqual({ ...caller, roles: caller.roles.map((role) => role.name) }, { realm: 'r', clientId: 'boss', clientUuid: 'boss-uuid', userId: 'boss-user', roles: ['realm-admin'] });
  });

  it('401 for a revoked token, an ID token, a session of another realm, a forged azp, a re-created client', async () => {
    const recreated: ClientRecord = { ...boss, id: 'boss-uuid-2', serviceAccount: { ...boss.serviceAccount!, id: 'boss-user-2' } };
    const cases: [string, string, Parameters<typeof reads>[0]][] = [
      ['revoked', await token(), { revoked: ['r/jti-1'] }],
      ['ID token', await token({ typ: 'ID' }), {}],
      ['session realm', await token({ sid: 'sess-1' }), { sessions: [{ ...session, realm: 'master' }] }],
      ['forged azp', await token({ sub: 'someone-else' }), {}],
      ['re-created client', await token(), { clients: [recreated] }],
    ];
    for (const [name, jwt, state] of cases) {
      await assert.rejects(authenticateBearer(deps(state), request(jwt)), { status: 401 }, name);
    }
  });
});

describe('decideRefresh', () => {
  const input = (overrides: Partial<RefreshInput> = {}): RefreshInput => ({
    session,
    presentedToken: 'sess-1.token',
    presentedHash: 'next-hash',
    realm: settings,
    client: boss,
    now: NOW,
    retryGraceSeconds: 30,
    ...overrides,
  });

  it('refreshes a session of this realm and this client', () => {
    assert.equal(decideRefresh(input()).kind, 'refresh');
  });

  it('refuses a session of another realm without ending it', () => {
    assert.deepEqual(decideRefresh(input({ session: { ...session, realm: 'other' } })), { kind: 'refuse', description: 'Invalid refresh token', endSession: false });
  });

  it('refuses and ends a session of an earlier client of the same clientId', () => {
    for (const changed of [{ clientUuid: 'old-uuid' }, { userId: 'old-user' }]) {
      assert.deepEqual(decideRefresh(input({ session: { ...session, ...changed } })), { kind: 'refuse', description: 'Session not active', endSession: true });
    }
  });

  it('refuses a token issued before the client not-before (and the realm one)', () => {
    const stale = { kind: 'refuse', description: 'Stale token', endSession: true };
    assert.deepEqual(decideRefresh(input({ client: { ...boss, notBefore: NOW - 59 } })), stale);
    assert.deepEqual(decideRefresh(input({ realm: { ...settings, notBefore: NOW - 59 } })), stale);
    assert.equal(decideRefresh(input({ client: { ...boss, notBefore: NOW - 60 } })).kind, 'refresh');
  });

  it('with rotation, a token older than the current one ends the session (reuse)', () => {
    const rotating = { ...settings, revokeRefreshToken: true };
    const rotated = { ...session, currentTokenHash: 'current-hash', currentTokenUses: 1, previousTokenHashes: ['old-hash'] };
    assert.deepEqual(decideRefresh(input({ realm: rotating, session: rotated, presentedHash: 'old-hash' })), { kind: 'refuse', description: 'Stale token', endSession: true });
    assert.equal(decideRefresh(input({ realm: rotating, session: rotated, presentedHash: 'next-hash' })).kind, 'refresh');
  });

  it('refuses an unknown token or another client without ending the session; expiry, idle and a disabled service account end it', () => {
    assert.deepEqual(decideRefresh(input({ presentedHash: 'unknown' })), { kind: 'refuse', description: 'Invalid refresh token', endSession: false });
    assert.deepEqual(decideRefresh(input({ client: { ...boss, clientId: 'other' } })), { kind: 'refuse', description: "Invalid refresh token. Token client and authorized client don't match", endSession: false });
    const inactive = { kind: 'refuse', description: 'Token is not active', endSession: true };
    assert.deepEqual(decideRefresh(input({ now: session.expiresAt })), inactive);
    assert.equal(decideRefresh(input({ now: session.expiresAt - 1, session: { ...session, lastRefresh: session.expiresAt - 2 } })).kind, 'refresh');
    assert.deepEqual(decideRefresh(input({ now: session.lastRefresh + 1800 })), inactive);
    assert.equal(decideRefresh(input({ now: session.lastRefresh + 1799 })).kind, 'refresh');
    const disabled = { kind: 'refuse', description: 'Client not enabled to retrieve service account', endSession: true };
    assert.deepEqual(decideRefresh(input({ client: { ...boss, serviceAccountsEnabled: false } })), disabled);
    assert.deepEqual(decideRefresh(input({ client: { ...boss, serviceAccount: undefined } })), disabled);
  });

  it('not-before is checked against the presented generation: the current token by its own issue time, else the session start', () => {
    const rotating = { ...settings, revokeRefreshToken: true, refreshTokenMaxReuse: 1 };
    const held = { ...session, nextTokenIssuedAt: NOW - 10, currentTokenHash: 'current-hash', currentTokenIssuedAt: NOW - 30, currentTokenUses: 1 };
    const stale = { kind: 'refuse', description: 'Stale token', endSession: true };
    assert.deepEqual(decideRefresh(input({ realm: { ...rotating, notBefore: NOW - 20 }, session: held, presentedHash: 'current-hash' })), stale);
    assert.equal(decideRefresh(input({ realm: { ...rotating, notBefore: NOW - 20 }, session: held, presentedHash: 'next-hash' })).kind, 'refresh');
    const { currentTokenIssuedAt: _at, ...withoutTime } = held;
    assert.deepEqual(decideRefresh(input({ realm: { ...rotating, notBefore: NOW - 59 }, session: withoutTime, presentedHash: 'current-hash' })), stale);
  });

  it('without rotation the token stays and only the use moves; with it the generations shift and are remembered', () => {
    const plain = decideRefresh(input());
    assert.deepEqual(plain, { kind: 'refresh', session: { ...session, lastRefresh: NOW, version: 2 }, refreshToken: 'sess-1.token', refreshExpiresIn: 1800, rotated: false });
    const rotating = { ...settings, revokeRefreshToken: true, refreshTokenMaxReuse: 1 };
    const held = { ...session, currentTokenHash: 'current-hash', currentTokenIssuedAt: NOW - 60, currentTokenUses: 1, previousTokenHashes: ['old'] };
    const promoted = decideRefresh(input({ realm: rotating, session: held }));
    assert.ok(promoted.kind === 'refresh' && promoted.rotated);
    assert.equal(promoted.session.version, 2);
    assert.equal(promoted.session.lastRefresh, NOW);
    assert.deepEqual([promoted.session.currentTokenHash, promoted.session.currentTokenUses, promoted.session.previousTokenHashes], ['next-hash', 1, ['old', 'current-hash']]);
    assert.equal(promoted.session.nextTokenHash, hashRefreshToken(promoted.refreshToken));
    const reused = decideRefresh(input({ realm: rotating, session: held, presentedHash: 'current-hash' }));
    assert.ok(reused.kind === 'refresh');
    assert.deepEqual([reused.session.currentTokenHash, reused.session.currentTokenUses, reused.session.previousTokenHashes], ['current-hash', 2, ['old', 'next-hash']]);
    // A session with no current token yet retires nothing undefined; only the last 16 hashes are kept.
    const many = Array.from({ length: 16 }, (_, i) => `h${i}`);
    const first = decideRefresh(input({ realm: rotating, session: { ...session, previousTokenHashes: many } }));
    assert.ok(first.kind === 'refresh');
    assert.deepEqual(first.session.previousTokenHashes, many);
    const full = decideRefresh(input({ realm: rotating, session: { ...held, previousTokenHashes: many } }));
    assert.ok(full.kind === 'refresh');
    assert.deepEqual(full.session.previousTokenHashes, [...many.slice(1), 'current-hash']);
  });

  it('retry grace: the spent token within the window gets its unused successor again; later, or once it is used, reuse', () => {
    const rotating = { ...settings, revokeRefreshToken: true };
    const successorOf = (uses: number) => `sess-1.successor-${uses}`;
    // Presenting `next` issues the successor for use count 1, derived, not random.
    const first = decideRefresh(input({ realm: rotating, successorOf }));
    assert.ok(first.kind === 'refresh' && first.refreshToken === 'sess-1.successor-1' && first.session.nextTokenHash === hashRefreshToken('sess-1.successor-1'));
    const spent = { ...session, currentTokenHash: 'next-hash', currentTokenUses: 1, nextTokenHash: hashRefreshToken('sess-1.successor-1'), nextTokenIssuedAt: NOW - 10 };
    const retry = (overrides: Partial<RefreshInput>) => decideRefresh(input({ realm: rotating, session: spent, successorOf, ...overrides }));
    assert.deepEqual(retry({ now: NOW + 19 }), { kind: 'retry', refreshToken: 'sess-1.successor-1', issuedAt: NOW - 10, refreshExpiresIn: 1800 });
    const reuse = { kind: 'refuse', description: 'Maximum allowed refresh token reuse exceeded', endSession: true };
    assert.deepEqual(retry({ now: NOW + 20 }), reuse);
    assert.deepEqual(retry({ retryGraceSeconds: 0 }), reuse);
    assert.deepEqual(retry({ successorOf: undefined }), reuse);
    // The outstanding token is not this one's successor (rotated since by a reuse): no grace.
    assert.deepEqual(retry({ session: { ...spent, nextTokenHash: 'other-hash' } }), reuse);
    // With reuse allowed, a reuse after the window issues the successor of the next use count.
    const reused = retry({ now: NOW + 20, realm: { ...rotating, refreshTokenMaxReuse: 1 } });
    assert.ok(reused.kind === 'refresh' && reused.refreshToken === 'sess-1.successor-2' && reused.session.currentTokenUses === 2);
  });
});

describe('request origin (the issuer when no ISSUER_BASE_URL is set)', () => {
  it('follows Host, never X-Forwarded-Host, on both front doors', () => {
    const headers = { host: 'sso.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    assert.equal(fromApiGatewayEvent(apiEvent({ path: '/realms/r/protocol/openid-connect/token', headers })).origin, 'https://sso.example');
    assert.equal(fromAlbEvent(albEvent({ path: '/realms/r/protocol/openid-connect/token', headers })).origin, 'https://sso.example');
  });
});
