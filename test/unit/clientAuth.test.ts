import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authenticateClient } from '../../lib/clientAuth/authenticate.js';
import { clientSecretBasic, parseBasic } from '../../lib/clientAuth/clientSecretBasic.js';
import { clientSecretPost } from '../../lib/clientAuth/clientSecretPost.js';
import { publicClient } from '../../lib/clientAuth/publicClient.js';
import { generateSecret, hashChosenSecret, hashGeneratedSecret, verifySecret } from '../../lib/clientAuth/secretHash.js';
import { SecretVerifier } from '../../lib/clientAuth/secretVerifier.js';
import { OAuthError } from '../../lib/http/errors.js';
import { fromApiGatewayEvent } from '../../lib/http/request.js';
import { parseUrlEncoded } from '../../lib/http/form.js';
import type { ClientRecord } from '../../lib/store/model.js';
import { apiEvent, basic } from '../support/events.js';

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

describe('secret hashes', () => {
  it('generated secrets have 256 bits and verify against their SHA-256', async () => {
    const secret = generateSecret();
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    assert.ok(await verifySecret(hashGeneratedSecret(secret), secret));
    assert.ok(!(await verifySecret(hashGeneratedSecret(secret), `${secret}x`)));
  });

  it('chosen secrets are scrypt with parameters in the string, never the secret', async () => {
    const stored = await hashChosenSecret('password');
    assert.match(stored, /^scrypt\$\d+\$\d+\$\d+\$/);
    assert.ok(!stored.includes('password'));
    assert.ok(await verifySecret(stored, 'password'));
    assert.ok(!(await verifySecret(stored, 'Password')));
    assert.ok(!(await verifySecret('garbage', 'password')));
  });

  it('honours the previous secret only until the grace period ends', async () => {
    let now = 1000;
    const verifier = new SecretVerifier(() => now);
    const c = client({ secretHash: hashGeneratedSecret('new'), rotatedSecretHash: hashGeneratedSecret('old'), rotatedSecretExpiresAt: 2000 });
    assert.ok(await verifier.verify(c, 'new'));
    assert.ok(await verifier.verify(c, 'old'));
    now = 2000;
    assert.ok(!(await verifier.verify(c, 'old')));
    assert.ok(await verifier.verify(c, 'new'));
  });
});

describe('verification work does not reveal which clients exist', () => {
  it('an unknown client costs one scrypt verification, like a known client with a chosen secret', async () => {
    const checked: string[] = [];
    const verifier = new SecretVerifier(() => 0, async (stored) => {
      checked.push(stored.split('$')[0]!);
      return false;
    });
    const known = client({ secretHash: await hashChosenSecret('right') });
    assert.equal(await verifier.verify(undefined, 'guess'), false);
    assert.equal(await verifier.verify(known, 'guess'), false);
    assert.deepEqual(checked, ['scrypt', 'scrypt']);
  });

  it('a verified secret is remembered per container: the next request does no hashing', async () => {
    let calls = 0;
    const verifier = new SecretVerifier(() => 0, async (stored, presented) => {
      calls++;
      return verifySecret(stored, presented);
    });
    const known = client({ secretHash: hashGeneratedSecret('right') });
    assert.ok(await verifier.verify(known, 'right'));
    assert.ok(await verifier.verify(known, 'right'));
    assert.equal(calls, 1);
    assert.ok(!(await verifier.verify(known, 'wrong')));
    assert.equal(calls, 2);
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
  const secrets = new SecretVerifier(() => 0);
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
