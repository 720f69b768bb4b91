import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authenticateClient } from '../../lib/clientAuth/authenticate.js';
import { clientSecretBasic, parseBasic } from '../../lib/clientAuth/clientSecretBasic.js';
import { clientSecretPost } from '../../lib/clientAuth/clientSecretPost.js';
import { publicClient } from '../../lib/clientAuth/publicClient.js';
import { exportJWK, generateKeyPair } from 'jose';
import { JwksFetcher } from '../../lib/clientAuth/jwksFetcher.js';
import { privateKeyJwt } from '../../lib/clientAuth/privateKeyJwt.js';
import { generateSecret, hashChosenSecret, hashFormat, hashGeneratedSecret, hashWithPepper, verifyNothing, verifySecret } from '../../lib/clientAuth/secretHash.js';
import { SecretVerifier, type HashWork } from '../../lib/clientAuth/secretVerifier.js';
import { assertion, assertionForm } from '../support/assertions.js';
import { OAuthError } from '../../lib/http/errors.js';
import { fromApiGatewayEvent } from '../../lib/http/request.js';
import { parseUrlEncoded } from '../../lib/http/form.js';
import type { ClientRecord } from '../../lib/model/stored.js';
import { apiEvent, basic } from '../support/events.js';

const ISSUER = 'http://x/realms/demo';
const client = (overrides: Partial<ClientRecord>): ClientRecord => ({
  realm: 'demo',
  clientId: 'app',
  id: 'id-app',
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
  ...overrides,
});

const PEPPER = Buffer.alloc(32, 7);
const peppers = { get: async (realm: string) => (realm === 'demo' ? PEPPER : undefined) };

describe('secret hashes', () => {
  it('generated secrets have 256 bits and verify against their SHA-256', async () => {
    const secret = generateSecret();
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    assert.ok(await verifySecret(hashGeneratedSecret(secret), secret, { clientId: 'app' }));
    assert.ok(!(await verifySecret(hashGeneratedSecret(secret), `${secret}x`, { clientId: 'app' })));
  });

  it('chosen secrets are an HMAC under the realm pepper, bound to their client, never the secret', async () => {
    const stored = hashWithPepper(PEPPER, 'app', 'password');
    assert.match(stored, /^hmac\$[A-Za-z0-9_-]{43}$/);
    assert.ok(!stored.includes('password') && !stored.includes(Buffer.from('password').toString('base64url')));
    assert.ok(await verifySecret(stored, 'password', { pepper: PEPPER, clientId: 'app' }));
    assert.ok(!(await verifySecret(stored, 'Password', { pepper: PEPPER, clientId: 'app' })));
    assert.ok(!(await verifySecret(stored, 'password', { pepper: PEPPER, clientId: 'other' })), 'copied onto another client it does not verify');
    assert.ok(!(await verifySecret(stored, 'password', { pepper: Buffer.alloc(32, 8), clientId: 'app' })), 'without the pepper nothing can be checked');
    assert.ok(!(await verifySecret(stored, 'password', { clientId: 'app' })));
    assert.ok(!(await verifySecret('garbage', 'password', { pepper: PEPPER, clientId: 'app' })));
  });

  it('legacy scrypt hashes still verify', async () => {
    const stored = await hashChosenSecret('password');
    assert.match(stored, /^scrypt\$\d+\$\d+\$\d+\$/);
    assert.ok(await verifySecret(stored, 'password', { clientId: 'app' }));
    assert.ok(!(await verifySecret(stored, 'Password', { clientId: 'app' })));
  });

  it('honours the previous secret only until the grace period ends', async () => {
    let now = 1000;
    const verifier = new SecretVerifier({ now: () => now, peppers });
    const c = client({ secretHash: hashGeneratedSecret('new'), rotatedSecretHash: hashWithPepper(PEPPER, 'app', 'old'), rotatedSecretExpiresAt: 2000 });
    assert.ok(await verifier.verify('demo', 'app', c, 'new'));
    assert.ok(await verifier.verify('demo', 'app', c, 'old'));
    now = 2000;
    assert.ok(!(await verifier.verify('demo', 'app', c, 'old')));
    assert.ok(await verifier.verify('demo', 'app', c, 'new'));
  });
});

/** Records which hash work each verification does. */
function countingWork() {
  const done: string[] = [];
  const work: HashWork = {
    verify: async (stored, presented, key) => {
      done.push(hashFormat(stored));
      return verifySecret(stored, presented, key);
    },
    nothing: (key, presented) => {
      done.push('hmac');
      return verifyNothing(key, presented);
    },
  };
  return { done, work };
}

describe('verification work does not reveal which clients exist', async () => {
  const { done, work } = countingWork();
  const upgrades: string[] = [];
  let legacy = client({ clientId: 'legacy', secretHash: await hashChosenSecret('legacy-secret') });
  const upgrade = async (_realm: string, clientId: string, _field: string, previous: string, next: string) => {
    if (legacy.secretHash === previous) legacy = { ...legacy, secretHash: next };
    upgrades.push(clientId);
  };
  const secrets = new SecretVerifier({ now: () => 0, peppers, upgrade, work });
  const rsa = await generateKeyPair('RS256');
  const registered = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' };
  const stored = (): Map<string, ClientRecord> =>
    new Map([
      ['generated', client({ clientId: 'generated', secretHash: hashGeneratedSecret('generated-secret') })],
      ['imported', client({ clientId: 'imported', secretHash: hashWithPepper(PEPPER, 'imported', 'imported-secret') })],
      ['rotating', client({ clientId: 'rotating', secretHash: hashGeneratedSecret('new'), rotatedSecretHash: hashWithPepper(PEPPER, 'rotating', 'old'), rotatedSecretExpiresAt: 10 })],
      ['legacy', legacy],
      ['disabled', client({ clientId: 'disabled', enabled: false, secretHash: hashGeneratedSecret('disabled-secret') })],
      ['jwt', client({ clientId: 'jwt', clientAuthenticatorType: 'client-jwt', attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [registered] }) } })],
    ]);
  const jwtDeps = { useOnce: async () => true, now: () => Math.floor(Date.now() / 1000) };
  const deps = {
    methods: [clientSecretBasic(secrets), clientSecretPost(secrets), privateKeyJwt(jwtDeps, new JwksFetcher()), publicClient],
    lookup: async (_realm: string, id: string) => stored().get(id),
    recordFailure: async () => undefined,
  };
  const answer = async (headers: Record<string, string>, body: string) => {
    done.length = 0;
    try {
      await authenticateClient(deps, { request: fromApiGatewayEvent(apiEvent({ path: '/t', headers, body })), form: parseUrlEncoded(body), realm: 'demo', issuer: ISSUER });
      return { ok: true, work: [...done] };
    } catch (err) {
      assert.ok(err instanceof OAuthError);
      return { wire: JSON.stringify([err.status, err.error, err.description, err.headers]), work: [...done], reason: err.logDescription };
    }
  };
  const viaBasic = (clientId: string, secret: string) => answer({ authorization: basic(clientId, secret) }, '');
  const viaPost = (clientId: string, secret: string) => answer({}, `client_id=${clientId}&client_secret=${secret}`);
  const viaAssertion = async (key: Parameters<typeof assertion>[0]['key'], claims: Record<string, unknown> = {}) =>
    answer({}, assertionForm(await assertion({ clientId: 'jwt', audience: ISSUER, key, alg: 'RS256', kid: 'k1', claims })));

  it('a wrong secret for every kind of stored secret answers like an unknown client, after one keyed hash', async () => {
    const unknown = await viaBasic('nobody', 'guess');
    assert.deepEqual(unknown.work, ['hmac']);
    const cases = {
      'generated (sha256)': await viaBasic('generated', 'guess'),
      'imported (hmac under the pepper)': await viaBasic('imported', 'guess'),
      'disabled client': await viaBasic('disabled', 'disabled-secret'),
      'a client that has no secret (client-jwt)': await viaBasic('jwt', 'guess'),
    };
    for (const [kind, result] of Object.entries(cases)) {
      assert.equal(result.wire, unknown.wire, kind);
      assert.equal(result.work.length, 1, `${kind}: ${result.work}`);
      assert.ok(!result.work.includes('scrypt'), kind);
    }
    // A rotated secret in its grace period is a second cheap hash, never a slow one.
    assert.equal((await viaBasic('rotating', 'guess')).wire, unknown.wire);
    assert.deepEqual(done, ['sha256', 'hmac']);
    // Without HTTP Basic the answers match each other too (no WWW-Authenticate).
    assert.equal((await viaPost('generated', 'guess')).wire, (await viaPost('nobody', 'guess')).wire);
  });

  it('a JWT client with a bad signature or a broken client rule answers like an unknown client; the rule goes to the audit reason', async () => {
    const other = await generateKeyPair('RS256');
    const unknown = await viaBasic('nobody', 'guess');
    const badSignature = await viaAssertion(other.privateKey);
    assert.equal(badSignature.wire, (await viaPost('nobody', 'guess')).wire);
    assert.match(String(badSignature.reason), /signature/);
    const tooLong = await viaAssertion(rsa.privateKey, { iat: undefined, exp: Math.floor(Date.now() / 1000) + 3600 });
    assert.equal(tooLong.wire, badSignature.wire);
    assert.match(String(tooLong.reason), /without iat/);
    assert.notEqual(unknown.wire, badSignature.wire, 'only the Basic challenge header differs, as RFC 6749 §5.2 asks');
    assert.ok((await viaAssertion(rsa.privateKey)).ok);
  });

  it('a legacy scrypt hash is the one slow check, and is rewritten under the pepper the first time its secret verifies', async () => {
    assert.deepEqual((await viaBasic('legacy', 'guess')).work, ['scrypt']);
    assert.ok((await viaBasic('legacy', 'legacy-secret')).ok);
    assert.deepEqual(upgrades, ['legacy']);
    assert.match(legacy.secretHash!, /^hmac\$/);
    const after = await viaBasic('legacy', 'guess');
    assert.deepEqual(after.work, ['hmac']);
    assert.equal(after.wire, (await viaBasic('nobody', 'guess')).wire);
    assert.ok((await viaBasic('legacy', 'legacy-secret')).ok);
  });

  it('a verified secret is remembered per container: the next request does no hashing', async () => {
    assert.ok((await viaBasic('imported', 'imported-secret')).ok);
    const again = await viaBasic('imported', 'imported-secret');
    assert.ok(again.ok);
    assert.deepEqual(again.work, []);
  });
});

describe('HTTP Basic client credentials (RFC 6749 §2.3.1)', () => {
  it('form-decodes both halves', () => {
    assert.deepEqual(parseBasic(basic('my:client', 's3cr3t:with/reserved+chars & space')), { clientId: 'my:client', proof: 's3cr3t:with/reserved+chars & space' });
    assert.deepEqual(parseBasic(`Basic ${Buffer.from('a:b+c').toString('base64')}`), { clientId: 'a', proof: 'b c' });
  });

  it('refuses broken headers', () => {
    for (const header of ['Basic', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`, `Basic ${Buffer.from(':secret').toString('base64')}`, `Bearer abc`, `Basic ${Buffer.from('a:%zz').toString('base64')}`]) {
      assert.equal(parseBasic(header), undefined, header);
    }
  });
});

describe('authenticateClient', () => {
  const secrets = new SecretVerifier({ now: () => 0, peppers });
  const stored = new Map([
    ['app', client({ secretHash: hashGeneratedSecret('right') })],
    ['off', client({ clientId: 'off', enabled: false, secretHash: hashGeneratedSecret('right') })],
    ['pub', client({ clientId: 'pub', publicClient: true })],
    ['bearer', client({ clientId: 'bearer', bearerOnly: true, secretHash: hashGeneratedSecret('right') })],
  ]);
  const failures: string[] = [];
  const deps = {
    methods: [clientSecretBasic(secrets), clientSecretPost(secrets), publicClient],
    lookup: async (_realm: string, id: string) => stored.get(id),
    recordFailure: async (_realm: string, id: string) => void failures.push(id),
  };
  const attempt = (headers: Record<string, string>, body: string) =>
    authenticateClient(deps, { request: fromApiGatewayEvent(apiEvent({ path: '/t', headers, body })), form: parseUrlEncoded(body), realm: 'demo', issuer: 'http://x/realms/demo' });
  const fails = (status: number, error: string, description?: string) => (err: unknown) =>
    err instanceof OAuthError && err.status === status && err.error === error && (description === undefined || err.description === description);

  it('accepts Basic, post, and a matching client_id beside Basic', async () => {
    assert.equal((await attempt({ authorization: basic('app', 'right') }, '')).method, 'client_secret_basic');
    assert.equal((await attempt({}, 'client_id=app&client_secret=right')).method, 'client_secret_post');
    assert.equal((await attempt({ authorization: basic('app', 'right') }, 'client_id=app')).client.clientId, 'app');
  });

  it('answers every failure with the same 401 invalid_client', async () => {
    const same = fails(401, 'invalid_client', 'Invalid client or Invalid client credentials');
    await assert.rejects(attempt({ authorization: basic('app', 'wrong') }, ''), same);
    await assert.rejects(attempt({ authorization: basic('nobody', 'right') }, ''), same);
    await assert.rejects(attempt({ authorization: basic('off', 'right') }, ''), same);
    await assert.rejects(attempt({ authorization: basic('app', 'right') }, 'client_id=other'), same);
    await assert.rejects(attempt({}, 'client_id=app'), same);
    assert.deepEqual(failures.slice(-5), ['app', 'nobody', 'off', 'app', 'app'], 'every failure is counted against the brute-force limits');
  });

  it('sends WWW-Authenticate only when Basic was used', async () => {
    await assert.rejects(attempt({ authorization: basic('app', 'wrong') }, ''), (err: OAuthError) => err.headers['WWW-Authenticate'] === 'Basic realm="demo"');
    await assert.rejects(attempt({}, 'client_id=app&client_secret=wrong'), (err: OAuthError) => err.headers['WWW-Authenticate'] === undefined);
  });

  it('refuses two methods at once and bearer-only clients', async () => {
    await assert.rejects(attempt({ authorization: basic('app', 'right') }, 'client_id=app&client_secret=other'), fails(400, 'invalid_request'));
    await assert.rejects(attempt({ authorization: basic('app', 'right') }, 'client_id=pub&client_secret=right'), fails(400, 'invalid_request'));
    await assert.rejects(attempt({ authorization: basic('bearer', 'right') }, ''), fails(400, 'invalid_client', 'Bearer-only not allowed'));
  });

  it("takes the same secret in the header and the form as Basic (Keycloak's admin client refreshes so)", async () => {
    assert.equal((await attempt({ authorization: basic('app', 'right') }, 'client_secret=right')).method, 'client_secret_basic');
    assert.equal((await attempt({ authorization: basic('app', 'right') }, 'client_id=app&client_secret=right')).method, 'client_secret_basic');
    await assert.rejects(attempt({ authorization: basic('app', 'wrong') }, 'client_secret=wrong'), fails(401, 'invalid_client'));
  });

  it('identifies a public client by client_id alone', async () => {
    assert.equal((await attempt({}, 'client_id=pub')).method, 'none');
  });
});
