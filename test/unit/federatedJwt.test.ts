import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { authenticateClient, type ClientAuthDeps } from '../../lib/clientAuth/authenticate.js';
import { unmetClaimCondition, claimConditionsProblem } from '../../lib/clientAuth/claimConditions.js';
import { activeLifespan, federatedJwt } from '../../lib/clientAuth/federatedJwt.js';
import { IssuerKeys, DEFAULT_ISSUER_KEYS_OPTIONS } from '../../lib/clientAuth/issuerKeys.js';
import type { AssertionDetails } from '../../lib/clientAuth/method.js';
import { privateKeyJwt } from '../../lib/clientAuth/privateKeyJwt.js';
import { JwksFetcher } from '../../lib/clientAuth/jwksFetcher.js';
import { parseUrlEncoded } from '../../lib/http/form.js';
import { OAuthError } from '../../lib/http/errors.js';
import { fromApiGatewayEvent } from '../../lib/http/request.js';
import { identityProviderProblem, type IdentityProvider } from '../../lib/model/identityProvider.js';
import { federatedLinkOf } from '../../lib/store/clientsTable.js';
import type { ClientRecord } from '../../lib/model/stored.js';
import { apiEvent } from '../support/events.js';

/**
 * The federated-jwt authenticator against fake issuer keys (jose), with Keycloak's own cases
 * (tests/…/client/authentication/external/) and the negative matrix of issue 19. Every failure
 * must be the uniform 401 invalid_client; the rule goes to the audit reason.
 */

const ISSUER = 'http://localhost:3000/realms/demo';
const BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SPIFFE = 'urn:ietf:params:oauth:client-assertion-type:jwt-spiffe';
const K8S_ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC';
const CORP_ISSUER = 'https://corp.example.com';
const K8S_SUB = 'system:serviceaccount:billing:worker';

const issuerKey = await generateKeyPair('RS256');
const otherKey = await generateKeyPair('RS256');
const publicJwk: JWK = { ...(await exportJWK(issuerKey.publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
const rotatedKey = await generateKeyPair('ES256');
const rotatedJwk: JWK = { ...(await exportJWK(rotatedKey.publicKey)), kid: 'k2', alg: 'ES256' };

const idp = (alias: string, providerId: string, config: Record<string, string>, enabled = true): IdentityProvider => ({ alias, internalId: `id-${alias}`, providerId, enabled, config });

function client(clientId: string, alias: string, sub: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    realm: 'demo',
    clientId,
    id: `id-${clientId}`,
    enabled: true,
    publicClient: false,
    bearerOnly: false,
    serviceAccountsEnabled: true,
    fullScopeAllowed: true,
    clientAuthenticatorType: 'federated-jwt',
    defaultClientScopes: [],
    optionalClientScopes: [],
    attributes: { 'jwt.credential.issuer': alias, 'jwt.credential.sub': sub },
    notBefore: 0,
    scopeMappings: { realm: [], client: {} },
    ...overrides,
  };
}

interface World {
  idps: IdentityProvider[];
  clients: ClientRecord[];
  documents: Map<string, unknown>;
  fetched: string[];
  now: number;
  used: Set<string>;
  keys: IssuerKeys;
}

function world(): World {
  const documents = new Map<string, unknown>([
    [`${CORP_ISSUER}/jwks`, { keys: [publicJwk] }],
    [`${K8S_ISSUER}/.well-known/openid-configuration`, { issuer: K8S_ISSUER, jwks_uri: `${K8S_ISSUER}/keys` }],
    [`${K8S_ISSUER}/keys`, { keys: [publicJwk] }],
    ['https://spire.example.org/bundle', { keys: [{ ...publicJwk, use: 'jwt-svid' }], spiffe_refresh_hint: 300 }],
  ]);
  const w: World = {
    idps: [
      idp('corp', 'oidc', { issuer: CORP_ISSUER, supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: `${CORP_ISSUER}/jwks` }),
      idp('k8s', 'kubernetes', { issuer: K8S_ISSUER }),
      idp('spire', 'spiffe', { trustDomain: 'spiffe://example.org', bundleEndpoint: 'https://spire.example.org/bundle' }),
      idp('browser-only', 'oidc', { issuer: 'https://login.example.com', useJwksUrl: 'true', jwksUrl: `${CORP_ISSUER}/jwks` }),
      idp('off', 'oidc', { issuer: 'https://off.example.com', supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: `${CORP_ISSUER}/jwks` }, false),
    ],
    clients: [
      client('billing', 'k8s', K8S_SUB),
      client('corp-app', 'corp', 'svc-1'),
      client('shared-a', 'corp', 'shared'),
      client('shared-b', 'corp', 'shared'),
      client('workload', 'spire', 'spiffe://example.org/workload'),
      client('browser-app', 'browser-only', 'svc-1'),
      client('off-app', 'off', 'svc-1'),
      client('disabled-app', 'corp', 'svc-disabled', { enabled: false }),
      client('secret-app', 'corp', 'svc-secret', { clientAuthenticatorType: 'client-secret' }),
      client('prod-only', 'corp', 'gh', { attributes: { 'jwt.credential.issuer': 'corp', 'jwt.credential.sub': 'gh', 'jwt.credential.claims': '{"environment":["prod","prod-*"],"https://sts.amazonaws.com/":{"org_id":"o-abc"}}' } }),
    ],
    documents,
    fetched: [],
    now: Math.floor(Date.now() / 1000),
    used: new Set(),
    keys: undefined as unknown as IssuerKeys,
  };
  w.keys = new IssuerKeys(DEFAULT_ISSUER_KEYS_OPTIONS, () => w.now * 1000, async (url) => {
    w.fetched.push(url);
    if (!w.documents.has(url)) throw new Error('status 404');
    return structuredClone(w.documents.get(url));
  });
  return w;
}

async function attempt(w: World, jwt: string, options: { type?: string; extra?: string } = {}) {
  const body = `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(options.type ?? BEARER)}&client_assertion=${jwt}${options.extra ?? ''}`;
  const details: AssertionDetails[] = [];
  const links = w.clients.flatMap((c) => {
    const link = federatedLinkOf(c);
    return link ? [link] : [];
  });
  const method = federatedJwt({
    keys: w.keys,
    now: () => w.now,
    async useOnce(key) {
      if (w.used.has(key)) return false;
      w.used.add(key);
      return true;
    },
  });
  const deps: ClientAuthDeps = {
    methods: [privateKeyJwt({ useOnce: async () => true, now: () => w.now }, new JwksFetcher()), method],
    lookup: async (_realm, clientId) => w.clients.find((c) => c.clientId === clientId),
    recordFailure: async () => {},
  };
  const result = await authenticateClient(deps, {
    request: fromApiGatewayEvent(apiEvent({ path: '/realms/demo/protocol/openid-connect/token', body })),
    form: parseUrlEncoded(body),
    realm: 'demo',
    issuer: ISSUER,
    federation: { identityProviders: w.idps, links },
    onAssertion: (d) => details.push(d),
  });
  return { ...result, details };
}

async function token(w: World, claims: Record<string, unknown>, options: { key?: CryptoKeyLike; alg?: string; kid?: string | null; omit?: string[] } = {}) {
  const payload: Record<string, unknown> = { iss: K8S_ISSUER, sub: K8S_SUB, aud: ISSUER, iat: w.now, exp: w.now + 300, jti: randomUUID(), ...claims };
  for (const claim of options.omit ?? []) delete payload[claim];
  const kid = options.kid === null ? {} : { kid: options.kid ?? 'k1' };
  return new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'RS256', ...kid }).sign(options.key ?? issuerKey.privateKey);
}
type CryptoKeyLike = Parameters<SignJWT['sign']>[0];

/** The answer for an unknown or disabled client, decided outside the method (lib/clientAuth/authenticate.ts). */
const generic = (err: unknown) => err instanceof OAuthError && err.status === 401 && err.error === 'invalid_client' && err.description === 'Invalid client or Invalid client credentials';

const corp = (claims: Record<string, unknown> = {}) => ({ iss: CORP_ISSUER, sub: 'svc-1', ...claims });

/** Rejected with the uniform answer, for the reason given (the audit log's text). */
const refused = (reason: string | RegExp) => (err: unknown) => {
  assert.ok(err instanceof OAuthError, String(err));
  assert.equal(err.status, 401);
  assert.equal(err.error, 'invalid_client');
  assert.equal(err.description, 'Invalid client or Invalid client credentials');
  if (typeof reason === 'string') assert.equal(err.logDescription, reason);
  else assert.match(err.logDescription ?? '', reason);
  return true;
};

describe('federated-jwt: lookup (DefaultClientAssertionStrategy, SpiffeClientAssertionStrategy)', () => {
  it('a Kubernetes service-account token authenticates its client, and the event gets jti, iss and sub, never the token', async () => {
    const w = world();
    const jwt = await token(w, { jti: 'j-1' });
    const result = await attempt(w, jwt);
    assert.equal(result.client.clientId, 'billing');
    assert.equal(result.method, 'federated_jwt');
    assert.deepEqual(result.details, [{ client_assertion_id: 'j-1', client_assertion_issuer: K8S_ISSUER, client_assertion_sub: K8S_SUB }]);
  });

  it('an unknown or missing issuer, a disabled IdP and an OIDC IdP without client assertions find nothing', async () => {
    const w = world();
    await assert.rejects(attempt(w, await token(w, { iss: 'https://unknown.example.com' })), refused('No identity provider for the client assertion'));
    await assert.rejects(attempt(w, await token(w, { iss: `${K8S_ISSUER}/` })), refused('No identity provider for the client assertion'), 'issuer equality is exact');
    await assert.rejects(attempt(w, await token(w, corp({ iss: 'https://login.example.com' }))), refused('No identity provider for the client assertion'));
    await assert.rejects(attempt(w, await token(w, corp({ iss: 'https://off.example.com' }))), refused('No identity provider for the client assertion'));
    // Without iss the assertion is not federated: it goes to private_key_jwt and fails there, with the same answer.
    await assert.rejects(attempt(w, await token(w, {}, { omit: ['iss'] })), refused(/issuer must equal its subject/));
  });

  it('two IdPs with one issuer are refused (AlternativeLookupProviderTest), and so is saving the second', async () => {
    const w = world();
    const twin = idp('corp2', 'oidc', { ...w.idps[0]!.config });
    w.idps.push(twin);
    await assert.rejects(attempt(w, await token(w, corp())), refused('Multiple IDPs match the same issuer: [corp, corp2]'));
    assert.match(identityProviderProblem(twin, w.idps.slice(0, 1), () => undefined)!, /^Issuer URL already used for IDP 'corp'/);
    assert.equal(identityProviderProblem({ ...twin, enabled: false }, w.idps.slice(0, 1), () => undefined), undefined, 'a disabled twin is allowed');
  });

  it('no client for the subject, a client of another type, a disabled client: the same 401', async () => {
    const w = world();
    await assert.rejects(attempt(w, await token(w, { sub: 'system:serviceaccount:other:sa' })), refused('No client for the assertion subject'));
    await assert.rejects(attempt(w, await token(w, corp({ sub: 'svc-secret' }))), refused('No client for the assertion subject'));
    await assert.rejects(attempt(w, await token(w, corp({ sub: 'svc-disabled' }))), generic);
  });

  it('one external identity, several clients: client_id chooses; without it a clear refusal; a client of another subject never', async () => {
    const w = world();
    await assert.rejects(attempt(w, await token(w, corp({ sub: 'shared' }))), refused('Multiple clients matches attributes: send client_id to choose one'));
    assert.equal((await attempt(w, await token(w, corp({ sub: 'shared' })), { extra: '&client_id=shared-b' })).client.clientId, 'shared-b');
    await assert.rejects(attempt(w, await token(w, corp({ sub: 'shared' })), { extra: '&client_id=corp-app' }), refused('client_id does not name a client of the assertion subject'));
    // Keycloak #48026: client_id is the resolved client's id, never the external subject.
    assert.equal((await attempt(w, await token(w, {}), { extra: '&client_id=billing' })).client.clientId, 'billing');
    await assert.rejects(attempt(w, await token(w, {}), { extra: `&client_id=${encodeURIComponent(K8S_SUB)}` }), refused('client_id does not name a client of the assertion subject'));
  });

  it('SPIFFE: found by subject alone with the jwt-spiffe type, iss ignored, the trust domain enforced, reuse allowed', async () => {
    const w = world();
    const svid = await token(w, { iss: 'anything', sub: 'spiffe://example.org/workload', jti: 'same' });
    assert.equal((await attempt(w, svid, { type: SPIFFE })).client.clientId, 'workload');
    assert.equal((await attempt(w, svid, { type: SPIFFE })).client.clientId, 'workload', 'SPIFFE reuse is always allowed');
    assert.equal((await attempt(w, await token(w, { sub: 'spiffe://example.org/workload' }, { omit: ['iss', 'jti'] }), { type: SPIFFE })).client.clientId, 'workload');
    await assert.rejects(attempt(w, await token(w, { iss: 'x', sub: 'spiffe://example.org/nobody' }), { type: SPIFFE }), refused('No identity provider for the client assertion'));
    w.clients.push(client('evil', 'spire', 'spiffe://evil.org/workload'));
    await assert.rejects(attempt(w, await token(w, { iss: 'x', sub: 'spiffe://evil.org/workload' }), { type: SPIFFE }), refused('Invalid trust-domain'));
    // The jwt-bearer type never reaches the SPIFFE IdP.
    await assert.rejects(attempt(w, await token(w, { iss: 'x', sub: 'spiffe://example.org/workload' })), refused('No identity provider for the client assertion'));
  });

  it('an unsupported client_assertion_type, or a self-signed assertion (iss = sub), never reaches the federated path', async () => {
    const w = world();
    await assert.rejects(attempt(w, await token(w, {}), { type: 'urn:example:other' }), (err: OAuthError) => err.status === 401 && err.error === 'invalid_client');
    // private_key_jwt takes it: no client 'svc-1' exists, so the generic answer.
    await assert.rejects(attempt(w, await token(w, { iss: 'svc-1', sub: 'svc-1' })), generic);
  });
});

describe('federated-jwt: signature and algorithm', () => {
  it('a bad signature, a key not in the JWKS, alg none and HS256 with the public key are refused', async () => {
    const w = world();
    await assert.rejects(attempt(w, await token(w, corp(), { key: otherKey.privateKey })), refused('Failed to verify token signature'));
    await assert.rejects(attempt(w, await token(w, corp(), { key: otherKey.privateKey, kid: 'unknown' })), refused("Failed to verify token signature: no key with kid 'unknown'"));
    const [header, payload] = (await token(w, corp())).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${payload}.`;
    await assert.rejects(attempt(w, none), refused('Invalid signature algorithm'));
    // KubernetesClientAuthTest.testHS256AlgorithmConfusion: the public key's text as an HMAC secret.
    const hs = await token(w, {}, { alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(publicJwk)) });
    await assert.rejects(attempt(w, hs), refused('Invalid signature algorithm'));
    assert.ok(header);
  });

  it('keys are fetched once and kept (testKeysCached); an unknown kid refetches at most once per 10 s per IdP', async () => {
    const w = world();
    for (let i = 0; i < 3; i++) await attempt(w, await token(w, corp()));
    assert.deepEqual(w.fetched, [`${CORP_ISSUER}/jwks`]);
    for (let i = 0; i < 3; i++) await attempt(w, await token(w, {}));
    assert.deepEqual(w.fetched.slice(1), [`${K8S_ISSUER}/.well-known/openid-configuration`, `${K8S_ISSUER}/keys`], 'Kubernetes: discovery, then its jwks_uri');

    w.now += 11;
    const unknown = () => token(w, corp(), { key: rotatedKey.privateKey, alg: 'ES256', kid: 'k2' });
    for (let i = 0; i < 5; i++) await assert.rejects(attempt(w, await unknown()), refused(/no key with kid 'k2'/));
    assert.equal(w.fetched.filter((url) => url === `${CORP_ISSUER}/jwks`).length, 2, 'five unknown kids within 10 s: one refetch');
    w.documents.set(`${CORP_ISSUER}/jwks`, { keys: [publicJwk, rotatedJwk] });
    await assert.rejects(attempt(w, await unknown()), refused(/no key with kid 'k2'/), 'still inside the 10 s');
    w.now += 10;
    assert.equal((await attempt(w, await unknown())).client.clientId, 'corp-app', 'the rotated key is found after 10 s');
    assert.equal(w.fetched.filter((url) => url === `${CORP_ISSUER}/jwks`).length, 3);
  });

  it('a key fetch failure is the uniform 401', async () => {
    const w = world();
    w.documents.delete(`${CORP_ISSUER}/jwks`);
    await assert.rejects(attempt(w, await token(w, corp())), refused("Unable to load the identity provider's keys"));
  });

  it("OIDC with a static validating public key (publicKeySignatureVerifier)", async () => {
    const w = world();
    const { exportSPKI } = await import('jose');
    w.idps[0] = idp('corp', 'oidc', { issuer: CORP_ISSUER, supportsClientAssertions: 'true', useJwksUrl: 'false', publicKeySignatureVerifier: await exportSPKI(issuerKey.publicKey) });
    assert.equal((await attempt(w, await token(w, corp(), { kid: null }))).client.clientId, 'corp-app');
    assert.deepEqual(w.fetched, []);
  });
});

describe('federated-jwt: audience (FederatedJWTClientValidator)', () => {
  it('exactly one audience, the realm issuer; the token endpoint URL is not accepted', async () => {
    const w = world();
    await assert.rejects(attempt(w, await token(w, { aud: 'https://elsewhere.example.com' })), refused('Invalid token audience'));
    await assert.rejects(attempt(w, await token(w, {}, { omit: ['aud'] })), refused('Invalid token audience'));
    await assert.rejects(attempt(w, await token(w, { aud: `${ISSUER}/protocol/openid-connect/token` })), refused('Invalid token audience'));
    await assert.rejects(attempt(w, await token(w, { aud: [ISSUER, 'other'] })), refused('Multiple audiences not allowed'));
    assert.equal((await attempt(w, await token(w, { aud: [ISSUER] }))).client.clientId, 'billing');
  });

  it('allowClientIdAsAudience: only the configured clientId (BaseClientAuthTest.testClientIdAllowedAsAudience)', async () => {
    const w = world();
    Object.assign(w.idps[0]!.config, { allowClientIdAsAudience: 'true', clientId: 'my-audience' });
    assert.equal((await attempt(w, await token(w, corp({ aud: 'my-audience' })))).client.clientId, 'corp-app');
    await assert.rejects(attempt(w, await token(w, corp())), refused('Invalid token audience'));
  });
});

describe('federated-jwt: time and replay', () => {
  it('exp required, no skew on exp, nbf in the future, iat in the future', async () => {
    const w = world();
    await assert.rejects(attempt(w, await token(w, {}, { omit: ['exp'] })), refused('Token exp claim is required'));
    await assert.rejects(attempt(w, await token(w, { exp: w.now - 1 })), refused('Token is not active'));
    await assert.rejects(attempt(w, await token(w, { nbf: w.now + 5 })), refused('Token is not active'));
    await assert.rejects(attempt(w, await token(w, { iat: w.now + 5 })), refused('Token was issued in the future'));
    w.idps[1]!.config.allowedClockSkew = '10';
    assert.equal((await attempt(w, await token(w, { nbf: w.now + 5, iat: w.now + 5 }))).client.clientId, 'billing', 'the IdP skew covers nbf and iat');
    await assert.rejects(attempt(w, await token(w, { exp: w.now - 1 })), refused('Token is not active'), 'but never exp');
  });

  it('the age limit counts from iat (testClientAssertionMaxExpiration, testOldIAt) or bounds exp without iat', async () => {
    const w = world();
    assert.equal((await attempt(w, await token(w, { iat: w.now - 3550 }))).client.clientId, 'billing', 'Kubernetes: 3600 s');
    await assert.rejects(attempt(w, await token(w, { iat: w.now - 3601 })), refused('Token was issued too far in the past to be used now'));
    assert.equal((await attempt(w, await token(w, corp({ exp: w.now + 6 * 3600 })))).client.clientId, 'corp-app', 'iat now, exp in 6 h: accepted');
    await assert.rejects(attempt(w, await token(w, corp({ iat: w.now - 301 }))), refused('Token was issued too far in the past to be used now'));
    w.idps[0]!.config.federatedClientAssertionMaxExpiration = '60';
    await assert.rejects(attempt(w, await token(w, corp({ iat: w.now - 120 }))), refused('Token was issued too far in the past to be used now'));
    await assert.rejects(attempt(w, await token(w, corp({ exp: w.now + 61 }), { omit: ['iat'] })), refused('Token expiration is too far in the future and iat claim not present in token'));
    assert.equal((await attempt(w, await token(w, corp({ exp: w.now + 60 }), { omit: ['iat'] }))).client.clientId, 'corp-app');
  });

  it('OIDC: jti required and single use unless supportsClientAssertionReuse; Kubernetes: reuse allowed, jti optional', async () => {
    const w = world();
    await assert.rejects(attempt(w, await token(w, corp(), { omit: ['jti'] })), refused('Token jti claim is required'));
    const once = await token(w, corp());
    await attempt(w, once);
    await assert.rejects(attempt(w, once), refused('Token reuse detected'));
    w.idps[0]!.config.supportsClientAssertionReuse = 'true';
    const reusable = await token(w, corp());
    await attempt(w, reusable);
    await attempt(w, reusable);
    const k8s = await token(w, {}, { omit: ['jti'] });
    await attempt(w, k8s);
    await attempt(w, k8s);
    assert.ok([...w.used].every((key) => key.startsWith('JTI#demo#federated#corp#')), 'federated jti keys are namespaced by realm and IdP');
  });

  it('activeLifespan clamps the remembered lifespan to the max age', () => {
    const fail = (reason: string) => new Error(reason);
    assert.equal(activeLifespan({ exp: 1000 + 6 * 3600, iat: 1000 }, 1000, 0, 300, fail), 300);
    assert.equal(activeLifespan({ exp: 1100 }, 1000, 0, 300, fail), 100);
  });
});

describe('federated-jwt: claim conditions (ours)', () => {
  it('checked after the signature; exact, wildcard, list and nested (AWS namespace) conditions', async () => {
    const w = world();
    const gh = (claims: Record<string, unknown>) => token(w, corp({ sub: 'gh', ...claims }));
    const aws = { 'https://sts.amazonaws.com/': { org_id: 'o-abc' } };
    assert.equal((await attempt(w, await gh({ environment: 'prod', ...aws }))).client.clientId, 'prod-only');
    assert.equal((await attempt(w, await gh({ environment: 'prod-eu', ...aws }))).client.clientId, 'prod-only');
    await assert.rejects(attempt(w, await gh({ environment: 'staging', ...aws })), refused('Claim condition not met: environment'));
    await assert.rejects(attempt(w, await gh({ environment: 'prod', 'https://sts.amazonaws.com/': { org_id: 'o-other' } })), refused('Claim condition not met: https://sts.amazonaws.com/.org_id'));
    await assert.rejects(attempt(w, await gh({ environment: 'prod' })), refused('Claim condition not met: https://sts.amazonaws.com/'));
  });

  it('patterns match linearly, inherited names never count, structural names are refused', () => {
    assert.equal(unmetClaimCondition({ repo: 'org/app' }, '{"repo":"org/*"}'), undefined);
    assert.equal(unmetClaimCondition({ repo: 'org/app' }, '{"repo":"*/app*"}'), undefined);
    assert.equal(unmetClaimCondition({ repo: 'org/app' }, '{"repo":"org/*x"}'), 'repo');
    assert.equal(unmetClaimCondition({ repo: 'ab' }, '{"repo":"ab*b"}'), 'repo');
    assert.equal(unmetClaimCondition({ groups: ['a', 'b'] }, '{"groups":"b"}'), undefined);
    assert.equal(unmetClaimCondition({}, '{"toString":"*"}'), 'toString');
    assert.equal(unmetClaimCondition({ a: 'x' }, 'not json'), '(invalid conditions)');
    assert.match(claimConditionsProblem('{"__proto__":{"x":"y"}}')!, /not allowed/);
    assert.match(claimConditionsProblem('{"a":[1]}')!, /patterns/);
    assert.equal(claimConditionsProblem('{"a":["x","y*"],"b":{"c":"d"}}'), undefined);
  });
});
