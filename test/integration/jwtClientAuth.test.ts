import { secretsKeyAlias } from '../../lib/deployment/stageNames.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { decodeJwt, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';
import { demoAssertion } from '../../examples/jwt-client/assertion.js';
import { hashGeneratedSecret } from '../../lib/clientAuth/secretHash.js';
import { encryptClientSecret } from '../../lib/clientAuth/secretCipher.js';
import { DEFAULT_JWKS_FETCHER_OPTIONS, JwksFetcher } from '../../lib/clientAuth/jwksFetcher.js';
import { privateKeyJwt } from '../../lib/clientAuth/privateKeyJwt.js';
import { introspect } from '../../lib/grants/introspect.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import { createRuntime } from '../../lib/runtime.js';
import type { ClientRecord } from '../../lib/model/stored.js';
import { LogWriter } from '../../lib/logWriter.js';
import type { OAuthError } from '../../lib/http/errors.js';
import { Observability, type AuditDetails, type AuditEventType } from '../../lib/observability.js';
import { assertion, assertionForm } from '../support/assertions.js';
import { apiEvent } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

const ISSUER = 'http://localhost:3000/realms/demo';
const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';
let stack: TestStack;
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let rsa: KeyPair;
let ec: KeyPair;
let other: KeyPair;
let jwksServer: Server;
let jwksUrl: string;
let jwksMode: 'good' | 'garbage' | 'hang' | 'rotated' = 'good';
let jwksFetches = 0;
let jwksClockMs = Date.now();
let rsaJwk: JWK;
let rotatedJwk: JWK;
const SECRET = 'hmac-secret-0123456789abcdef0123456789abcdef';

function call(endpoint: Endpoint) {
  const handler = httpHandler(endpoint, { noStore: true, log: () => undefined });
  return async (body: string, path = TOKEN_PATH) => {
    const res = await handler(apiEvent({ path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
let token: ReturnType<typeof call>;

async function putClient(clientId: string, overrides: Partial<ClientRecord>) {
  const base = (await stack.table.getClient('demo', 'full-scope-client'))!;
  await stack.table.putClient({
    ...base,
    clientId,
    secretHash: undefined,
    serviceAccount: { ...base.serviceAccount!, username: `service-account-${clientId}` },
    ...overrides,
  });
}

const sign = (options: Partial<Parameters<typeof assertion>[0]> & { clientId?: string } = {}) =>
  assertion({ clientId: 'pkjwt-client', audience: ISSUER, key: rsa.privateKey, alg: 'RS256', kid: 'k1', ...options });

/** Records the audit reason of every refusal: the wire says only what an unknown client hears. */
class AuditReasons extends Observability {
  readonly reasons: string[] = [];
  override emit(type: AuditEventType, details: AuditDetails, error?: OAuthError): void {
    if (error) this.reasons.push(error.logDescription ?? error.description ?? '');
    super.emit(type, details, error);
  }
}
const audit = new AuditReasons({ logger: new LogWriter({ logLevel: 'SILENT' }) });

const refused = async (jwt: string, reason: RegExp, extra = '') => {
  const res = await token(assertionForm(jwt, extra));
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.deepEqual(res.body, { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' });
  assert.match(audit.reasons.at(-1) ?? '', reason);
};

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0, observability: audit });
  // The JWKS fetcher's refetch interval runs on this clock instead of real time.
  const methods = stack.runtime.clientAuthMethods;
  // The local stage: the test's JWKS server is plain http on loopback (lib/clientAuth/jwksUrl.ts).
  const fetcher = new JwksFetcher({ ...DEFAULT_JWKS_FETCHER_OPTIONS, allowLoopbackHttp: true }, () => jwksClockMs);
  const useOnce = stack.runtime.sessions.useOnce.bind(stack.runtime.sessions);
  methods[methods.findIndex((m) => m.name === 'private_key_jwt')] = privateKeyJwt({ useOnce, now: stack.runtime.now }, fetcher);
  token = call((request) => tokenEndpoint(stack.runtime, request, tokenGrants));
  rsa = await generateKeyPair('RS256', { extractable: true });
  ec = await generateKeyPair('ES256', { extractable: true });
  other = await generateKeyPair('RS256', { extractable: true });
  rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' };
  rotatedJwk = { ...(await exportJWK(other.publicKey)), kid: 'k3', alg: 'RS256', use: 'sig' };
  await putClient('pkjwt-client', { clientAuthenticatorType: 'client-jwt', attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [rsaJwk, ecJwk] }) } });

  jwksServer = createServer((req, res) => {
    jwksFetches++;
    if (jwksMode === 'hang') return; // never answers
    if (jwksMode === 'garbage') return void res.end('<html>not json');
    const keys = jwksMode === 'rotated' ? [rsaJwk, rotatedJwk] : [rsaJwk];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  await putClient('url-client', { clientAuthenticatorType: 'client-jwt', attributes: { 'use.jwks.url': 'true', 'jwks.url': jwksUrl } });

  const secretsKey = secretsKeyAlias('test');
  await putClient('sjwt-client', {
    clientAuthenticatorType: 'client-secret-jwt',
    secretHash: hashGeneratedSecret(SECRET),
    secretCiphertext: await encryptClientSecret(stack.kms, secretsKey, 'demo', 'sjwt-client', SECRET),
  });
});

after(() => {
  jwksServer.closeAllConnections();
  jwksServer.close();
});

describe('private_key_jwt', () => {
  it('issues a token for an RS256 and an ES256 assertion, with issuer or token endpoint as audience', async () => {
    assert.equal((await token(assertionForm(await sign()))).status, 200);
    assert.equal((await token(assertionForm(await sign({ key: ec.privateKey, alg: 'ES256', kid: 'k2' })))).status, 200);
    const res = await token(assertionForm(await sign({ audience: `${ISSUER}/protocol/openid-connect/token` }), '&client_id=pkjwt-client'));
    assert.equal(res.status, 200);
  });

  it('refuses a replayed jti, sequentially and concurrently', async () => {
    const jwt = await sign();
    assert.equal((await token(assertionForm(jwt))).status, 200);
    await refused(jwt, /Token reuse detected/);
    const concurrent = await sign();
    const results = await Promise.all(Array.from({ length: 10 }, () => token(assertionForm(concurrent))));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
  });

  it('refuses each broken rule with the unknown client’s answer, the rule named in the audit log', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(await sign({ claims: { exp: now - 60, iat: now - 90 } }), /expired/);
    await refused(await sign({ omit: ['iat'], claims: { exp: now + 120 } }), /without iat expires more than 60 seconds/);
    await refused(await sign({ claims: { iat: now - 120, exp: now + 3600 } }), /issued more than 60 seconds ago/);
    await refused(await sign({ claims: { iat: now + 60, exp: now + 90 } }), /future/);
    await refused(await sign({ omit: ['exp'] }), /no expiration/);
    await refused(await sign({ omit: ['jti'] }), /no jti/);
    await refused(await sign({ audience: 'https://elsewhere.example/realms/demo' }), /audience/);
    await refused(await sign({ audience: [ISSUER, `${ISSUER}/protocol/openid-connect/token`] }), /exactly one audience/);
    // iss ≠ sub is another party's assertion: the federated path takes it (Keycloak's flow), and finds no IdP.
    await refused(await sign({ claims: { iss: 'someone-else' } }), /No identity provider for the client assertion/);
    await refused(await sign(), /client_id does not match/, '&client_id=full-scope-client');
    await refused(await sign({ key: other.privateKey }), /signature is invalid or signed with an unregistered key/);
    await refused(await sign({ key: other.privateKey, kid: 'unknown' }), /signature is invalid or signed with an unregistered key/);
  });

  it('refuses alg none and an HMAC keyed with the client public key', async () => {
    const [, payload] = (await sign()).split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    await refused(none, /must be signed|not a valid JWT/);
    const publicPem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
    const forged = await sign({ key: publicPem, alg: 'HS256' });
    await refused(forged, /Invalid client or Invalid client credentials/);
  });

  it('refuses a wrong assertion type and a garbage assertion', async () => {
    const res = await token(`grant_type=client_credentials&client_assertion_type=urn:other&client_assertion=${await sign()}`);
    assert.equal(res.body.error, 'invalid_client');
    await refused('not.a.jwt', /not a valid JWT/);
  });

  it('loads keys from a JWKS URL and refetches for an unknown kid at most once a second', async () => {
    jwksMode = 'good';
    const before = jwksFetches;
    assert.equal((await token(assertionForm(await sign({ clientId: 'url-client' })))).status, 200);
    assert.equal((await token(assertionForm(await sign({ clientId: 'url-client' })))).status, 200);
    assert.equal(jwksFetches - before, 1, 'cached after the first fetch');
    jwksMode = 'rotated';
    // Within the same second an unknown kid does not refetch: the cached set still lacks k3.
    const rotatedKey = () => sign({ clientId: 'url-client', key: other.privateKey, kid: 'k3' });
    await refused(await rotatedKey(), /unregistered key/);
    assert.equal(jwksFetches - before, 1, 'no refetch inside the interval');
    jwksClockMs += 1000;
    assert.equal((await token(assertionForm(await rotatedKey()))).status, 200);
    assert.equal(jwksFetches - before, 2, 'one refetch for the new kid');
  });

  it('answers invalid_client, not a hang or a 5xx, when the JWKS URL hangs or returns garbage', async () => {
    await putClient('hang-client', { clientAuthenticatorType: 'client-jwt', attributes: { 'use.jwks.url': 'true', 'jwks.url': `${jwksUrl}?hang` } });
    jwksMode = 'hang';
    const started = Date.now();
    await refused(await sign({ clientId: 'hang-client' }), /Unable to load the client keys/);
    assert.ok(Date.now() - started < 10_000);
    await putClient('garbage-client', { clientAuthenticatorType: 'client-jwt', attributes: { 'use.jwks.url': 'true', 'jwks.url': `${jwksUrl}?garbage` } });
    jwksMode = 'garbage';
    await refused(await sign({ clientId: 'garbage-client' }), /Unable to load the client keys/);
    jwksMode = 'good';
  });
});

describe('client_secret_jwt', () => {
  const hmac = (options: Partial<Parameters<typeof assertion>[0]> = {}) =>
    assertion({ clientId: 'sjwt-client', audience: ISSUER, key: new TextEncoder().encode(SECRET), alg: 'HS256', ...options });

  it('issues a token for an HS256 assertion and refuses a wrong secret', async () => {
    assert.equal((await token(assertionForm(await hmac()))).status, 200);
    await refused(await hmac({ key: new TextEncoder().encode('wrong-secret-wrong-secret-wrong-secret') }), /signature is invalid/);
  });

  it('refuses asymmetric assertions for a secret-jwt client and HMAC for a key client', async () => {
    // Each client holds both kinds of key material, so only its authenticator type can refuse
    // the other kind; the same material is accepted when the type matches.
    const ciphertext = (name: string) => encryptClientSecret(stack.kms, secretsKeyAlias('test'), 'demo', name, SECRET);
    const jwks = { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [rsaJwk] }) };
    await putClient('key-typed', { clientAuthenticatorType: 'client-jwt', attributes: jwks, secretCiphertext: await ciphertext('key-typed') });
    await putClient('secret-typed', { clientAuthenticatorType: 'client-secret-jwt', attributes: jwks, secretCiphertext: await ciphertext('secret-typed') });

    await refused(await hmac({ clientId: 'key-typed' }), /Invalid client or Invalid client credentials/);
    await refused(await sign({ clientId: 'secret-typed' }), /Invalid client or Invalid client credentials/);
    assert.equal((await token(assertionForm(await sign({ clientId: 'key-typed' })))).status, 200);
    assert.equal((await token(assertionForm(await hmac({ clientId: 'secret-typed' })))).status, 200);
  });

  it('verifies the previous secret during the grace period only', async () => {
    const client = (await stack.table.getClient('demo', 'sjwt-client'))!;
    const NEW = 'new-hmac-secret-0123456789abcdef0123456789';
    const now = Math.floor(Date.now() / 1000);
    const newCiphertext = await encryptClientSecret(stack.kms, secretsKeyAlias('test'), 'demo', 'sjwt-client', NEW);
    await stack.table.putClient({ ...client, secretCiphertext: newCiphertext, rotatedSecretCiphertext: client.secretCiphertext, rotatedSecretExpiresAt: now + 3600 });
    assert.equal((await token(assertionForm(await hmac()))).status, 200);
    assert.equal((await token(assertionForm(await hmac({ key: new TextEncoder().encode(NEW) })))).status, 200);
    await stack.table.putClient({ ...client, secretCiphertext: newCiphertext, rotatedSecretCiphertext: client.secretCiphertext, rotatedSecretExpiresAt: now - 1 });
    await refused(await hmac(), /signature is invalid/);
  });

  it('a ciphertext copied onto another client does not decrypt, with the secret cache warm or cold', async () => {
    const OWNER_SECRET = 'owner-hmac-secret-0123456789abcdef012345';
    const ciphertext = await encryptClientSecret(stack.kms, secretsKeyAlias('test'), 'demo', 'sjwt-owner', OWNER_SECRET);
    await putClient('sjwt-owner', { clientAuthenticatorType: 'client-secret-jwt', secretCiphertext: ciphertext });
    // The copy is signed with the very secret the copied ciphertext holds: only the encryption
    // context (realm + client) that KMS checks on decryption can refuse it.
    await putClient('copycat', { clientAuthenticatorType: 'client-secret-jwt', secretCiphertext: ciphertext });
    const key = new TextEncoder().encode(OWNER_SECRET);
    const owner = () => hmac({ clientId: 'sjwt-owner', key });
    const copycat = () => hmac({ clientId: 'copycat', key });

    // Warm: this runtime has just decrypted the ciphertext for its owner.
    assert.equal((await token(assertionForm(await owner()))).status, 200);
    const warm = await token(assertionForm(await copycat()));
    assert.equal(warm.status, 401, JSON.stringify(warm.body));
    assert.deepEqual(warm.body, { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' });

    // Cold: a new container's first request is the copy, so KMS itself is asked (and refuses).
    const cold = createRuntime({ config: stack.runtime.config, dynamodb: new DynamoDBClient({}), kms: new KMSClient({}), observability: stack.runtime.observability });
    const coldToken = call((request) => tokenEndpoint(cold, request, tokenGrants));
    const first = await coldToken(assertionForm(await copycat()));
    assert.equal(first.status, 401, JSON.stringify(first.body));
    assert.deepEqual(first.body, { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' });
    // …and the refusal is not remembered as a secret: the owner still authenticates there.
    assert.equal((await coldToken(assertionForm(await owner()))).status, 200);
  });
});

describe('the demo realm JWT clients', () => {
  it('secret-jwt-client authenticates with its HS256 assertion: the import encrypted its secret', async () => {
    const jwt = await assertion({ clientId: 'secret-jwt-client', audience: ISSUER, key: new TextEncoder().encode('hmac-secret-0123456789abcdef0123456789abcdef'), alg: 'HS256' });
    assert.equal((await token(assertionForm(jwt))).status, 200);
    const stored = (await stack.table.getClient('demo', 'secret-jwt-client'))!;
    assert.ok(stored.secretCiphertext && !stored.secretCiphertext.includes('hmac-secret'));
  });

  it('jwt-client accepts its registered key (the demo key in examples/jwt-client) and only it', async () => {
    const accepted = await token(assertionForm(await demoAssertion(ISSUER)));
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(decodeJwt(accepted.body.access_token).azp, 'jwt-client');
    await refused(await sign({ clientId: 'jwt-client', kid: 'jwt-client-key-1' }), /unregistered key/);
  });
});

describe('JWT client authentication at the other endpoints', () => {
  it('authenticates introspection with private_key_jwt', async () => {
    const issued = await token(assertionForm(await sign()));
    const inspect = call((request) => introspect(stack.runtime, request));
    const path = '/realms/demo/protocol/openid-connect/token/introspect';
    const jwt = await sign({ audience: `http://localhost:3000${path}` });
    const res = await inspect(`token=${issued.body.access_token}&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=${jwt}`, path);
    assert.equal(res.status, 200);
    assert.equal(res.body.active, true);
  });
});
