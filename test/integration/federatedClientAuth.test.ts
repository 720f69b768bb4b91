import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { LogWriter } from '../../lib/logWriter.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { createClient, deleteClient, updateClient } from '../../lib/admin/clients.js';
import { createIdentityProvider, listIdentityProviders, updateIdentityProvider } from '../../lib/admin/identityProviders.js';
import { exportRealm } from '../../lib/admin/realmExport.js';
import { importRealmExport } from '../../lib/admin/realmImport.js';
import { fetchDocument } from '../../lib/clientAuth/guardedRequest.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { introspect } from '../../lib/grants/introspect.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import { createRuntime } from '../../lib/runtime.js';
import type { OAuthError } from '../../lib/http/errors.js';
import { parseIdentityProvider } from '../../lib/representation/identityProvider.js';
import { Observability, type AuditDetails, type AuditEventType } from '../../lib/observability.js';
import { secretsKeyAlias } from '../../infra/seed.js';
import { apiEvent } from '../support/events.js';
import { adminCliInProcess } from '../support/adminCli.js';
import { countingClients, freshStack, type TestStack } from '../support/localAws.js';

/**
 * Federated client authentication against DynamoDB Local and the local KMS, with a real HTTP
 * issuer on a port of its own serving discovery and JWKS: identity providers and clients made by
 * lib/admin (as sa-admin and the Admin API do), tokens through the token endpoint, the single-use
 * jti under concurrency, the key cache counted at the issuer, export and import.
 */

const ISSUER_PORT = Number(process.env.TEST_FAKE_ISSUER_PORT ?? 3165);
const ISSUER = `http://127.0.0.1:${ISSUER_PORT}`;
const REALM_ISSUER = 'http://localhost:3000/realms/demo';
const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';
const BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const K8S_SUB = 'system:serviceaccount:billing:worker';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/billing-worker';

let stack: TestStack;
let ctx: AdminContext;
let server: Server;
let key: Awaited<ReturnType<typeof generateKeyPair>>;
let jwk: JWK;
const served: string[] = [];
let redirectJwks = false;

class AuditLog extends Observability {
  readonly events: (AuditDetails & { event: string; reason?: string })[] = [];
  override emit(type: AuditEventType, details: AuditDetails, error?: OAuthError): void {
    this.events.push({ event: error ? `${type}_ERROR` : type, ...details, ...(error ? { reason: error.logDescription ?? error.description } : {}) });
    super.emit(type, details, error);
  }
}
const audit = new AuditLog({ logger: new LogWriter({ logLevel: 'SILENT' }) });

function call(endpoint: Endpoint) {
  const handler = httpHandler(endpoint, { noStore: true, log: () => undefined });
  return async (body: string, path = TOKEN_PATH) => {
    const realm = /^\/realms\/([^/]+)/.exec(path)?.[1] ?? 'demo';
    const res = await handler(apiEvent({ path, realm, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
let token: ReturnType<typeof call>;

const form = (jwt: string, extra = '') => `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(BEARER)}&client_assertion=${jwt}${extra}`;

async function mint(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ aud: REALM_ISSUER, iat: now, exp: now + 600, jti: randomUUID(), ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'issuer-1' }).sign(key.privateKey);
}
const k8sToken = (claims: Record<string, unknown> = {}) => mint({ iss: `${ISSUER}/k8s`, sub: K8S_SUB, ...claims });
const stsToken = (claims: Record<string, unknown> = {}) =>
  mint({ iss: `${ISSUER}/sts`, sub: ROLE_ARN, 'https://sts.amazonaws.com/': { aws_account: '123456789012', org_id: 'o-abc123' }, ...claims });

before(async () => {
  key = await generateKeyPair('ES256', { extractable: true });
  jwk = { ...(await exportJWK(key.publicKey)), kid: 'issuer-1', alg: 'ES256', use: 'sig' };
  // One HTTP server plays two issuers: a Kubernetes cluster (discovery, then jwks_uri) and an AWS account's STS issuer.
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/k8s/.well-known/openid-configuration') return json({ issuer: `${ISSUER}/k8s`, jwks_uri: `${ISSUER}/k8s/openid/v1/jwks` });
    if (req.url === '/k8s/openid/v1/jwks' || req.url === '/sts/.well-known/jwks.json') {
      if (redirectJwks) return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return json({ keys: [jwk] });
    }
    if (req.url === '/big') return json({ keys: [], padding: 'x'.repeat(200_000) });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(ISSUER_PORT, '127.0.0.1', resolve));

  stack = await freshStack({ realmCacheTtlSeconds: 0, observability: audit });
  ctx = {
    names: { stage: 'test', service: 'sa-token-service', clientsTable: stack.table.tableName, signingKeyAliases: { RS256: 'x', ES256: 'x' }, secretsKeyId: secretsKeyAlias('test') },
    table: stack.table,
    kms: stack.kms,
    now: () => Math.floor(Date.now() / 1000),
    localStage: true,
  };
  token = call((request) => tokenEndpoint(stack.runtime, request, tokenGrants));
  await createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'eks', providerId: 'kubernetes', config: { issuer: `${ISSUER}/k8s` } }));
  await createIdentityProvider(
    ctx,
    'demo',
    parseIdentityProvider({ alias: 'aws-123456789012', providerId: 'oidc', config: { issuer: `${ISSUER}/sts`, supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: `${ISSUER}/sts/.well-known/jwks.json` } }),
  );
  await createClient(ctx, 'demo', 'billing', { clientAuthenticatorType: 'federated-jwt', serviceAccountsEnabled: true, attributes: { 'jwt.credential.issuer': 'eks', 'jwt.credential.sub': K8S_SUB } });
  await createClient(ctx, 'demo', 'billing-lambda', {
    clientAuthenticatorType: 'federated-jwt',
    serviceAccountsEnabled: true,
    attributes: { 'jwt.credential.issuer': 'aws-123456789012', 'jwt.credential.sub': ROLE_ARN, 'jwt.credential.claims': '{"https://sts.amazonaws.com/":{"org_id":"o-abc123"}}' },
  });
});

after(() => {
  server.closeAllConnections();
  server.close();
});

describe('federated-jwt through the token endpoint', () => {
  it('a Kubernetes-shaped token gets a token with no stored secret; the audit event names jti, iss and sub', async () => {
    const assertion = await k8sToken({ jti: 'k8s-jti-1' });
    const res = await token(form(assertion));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const claims = decodeJwt(res.body.access_token);
    assert.equal(claims.azp, 'billing');
    assert.equal(claims.preferred_username, 'service-account-billing');
    const event = audit.events.at(-1)!;
    assert.equal(event.event, 'CLIENT_LOGIN');
    assert.equal(event.client_auth_method, 'federated-jwt');
    assert.deepEqual([event.client_assertion_id, event.client_assertion_issuer, event.client_assertion_sub], ['k8s-jti-1', `${ISSUER}/k8s`, K8S_SUB]);
    assert.ok(!JSON.stringify(audit.events).includes(assertion.split('.')[2]!), 'the assertion never reaches the audit trail');
    const stored = await stack.table.getClient('demo', 'billing');
    assert.equal(stored?.secretHash, undefined);
    assert.equal(stored?.secretCiphertext, undefined);
  });

  it('an STS-shaped web identity token (sub = role ARN, one audience = the realm issuer) with a claim condition', async () => {
    const res = await token(form(await stsToken()));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(decodeJwt(res.body.access_token).azp, 'billing-lambda');
    const wrongOrg = await token(form(await stsToken({ 'https://sts.amazonaws.com/': { org_id: 'o-other' } })));
    assert.deepEqual(wrongOrg, { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' } });
    assert.equal(audit.events.at(-1)!.reason, 'Claim condition not met: https://sts.amazonaws.com/.org_id');
    const twoAudiences = await token(form(await stsToken({ aud: [REALM_ISSUER, 'https://other.example.com'] })));
    assert.equal(twoAudiences.status, 401);
    assert.equal(audit.events.at(-1)!.reason, 'Multiple audiences not allowed');
  });

  it('authenticates the client on introspection too', async () => {
    const issued = await token(form(await k8sToken()));
    const introspection = call((request) => introspect(stack.runtime, request));
    const res = await introspection(`${form(await k8sToken()).replace('grant_type=client_credentials&', '')}&token=${issued.body.access_token}`, '/realms/demo/protocol/openid-connect/token/introspect');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.active, true);
  });

  it('an STS token is single use, exactly, under 50 parallel requests', async () => {
    // A warm container (realm and clients cached), so the 50 requests race on the jti write alone.
    const warm = createRuntime({
      config: { ...stack.runtime.config, realmCacheTtlSeconds: 60, clientCacheTtlSeconds: 60 },
      ...countingClients(),
      signsTokens: true,
      observability: audit,
    });
    const warmToken = call((request) => tokenEndpoint(warm, request, tokenGrants));
    assert.equal((await warmToken(form(await stsToken()))).status, 200);
    const assertion = await stsToken();
    const results = await Promise.all(Array.from({ length: 50 }, () => warmToken(form(assertion))));
    const statuses = results.map((res) => res.status);
    assert.equal(statuses.filter((status) => status === 200).length, 1, JSON.stringify(statuses));
    assert.equal(statuses.filter((status) => status === 401).length, 49);
    // The 50 requests' audit events, in the order they finished: the one success may finish after some refusals.
    assert.equal(audit.events.slice(-50).filter((event) => event.reason === 'Token reuse detected').length, 49);
  });

  it('keys are fetched once per issuer, not per grant', async () => {
    const before = served.length;
    for (let i = 0; i < 3; i++) assert.equal((await token(form(await k8sToken()))).status, 200);
    assert.equal(served.length, before, 'warm grants fetch nothing');
    const count = (path: string) => served.filter((url) => url === path).length;
    assert.equal(count('/k8s/.well-known/openid-configuration'), 1);
    assert.equal(count('/k8s/openid/v1/jwks'), 1);
    assert.equal(count('/sts/.well-known/jwks.json'), 2, 'once per container: the test stack and the warm one of the parallel test');
  });

  it('a warm Kubernetes grant costs the same calls as a client-secret grant: no jti write, no key fetch', async () => {
    await token(form(await k8sToken()));
    stack.resetCounts();
    assert.equal((await token(form(await k8sToken()))).status, 200);
    const federated = { ...stack.counts };
    stack.resetCounts();
    assert.equal((await token(form(await stsToken()))).status, 200);
    const withJti = { ...stack.counts };
    assert.equal((withJti.PutItemCommand ?? 0) - (federated.PutItemCommand ?? 0), 1, 'the OIDC grant adds exactly its jti write');
    assert.equal(federated.PutItemCommand ?? 0, 0);
  });

  it('a disabled IdP, a changed subject and a deleted client stop working at once', async () => {
    const idp = (await listIdentityProviders(ctx, 'demo')).find((candidate) => candidate.alias === 'eks')!;
    await updateIdentityProvider(ctx, 'demo', 'eks', { ...idp, enabled: false });
    assert.equal((await token(form(await k8sToken()))).status, 401);
    assert.equal(audit.events.at(-1)!.reason, 'No identity provider for the client assertion');
    await updateIdentityProvider(ctx, 'demo', 'eks', { ...idp, enabled: true });

    await createClient(ctx, 'demo', 'temp', { clientAuthenticatorType: 'federated-jwt', serviceAccountsEnabled: true, attributes: { 'jwt.credential.issuer': 'eks', 'jwt.credential.sub': 'system:serviceaccount:temp:sa' } });
    assert.equal((await token(form(await k8sToken({ sub: 'system:serviceaccount:temp:sa' })))).status, 200);
    await updateClient(ctx, 'demo', 'temp', { attributes: { 'jwt.credential.issuer': 'eks', 'jwt.credential.sub': 'system:serviceaccount:temp:other' } });
    assert.equal((await token(form(await k8sToken({ sub: 'system:serviceaccount:temp:sa' })))).status, 401);
    assert.equal((await token(form(await k8sToken({ sub: 'system:serviceaccount:temp:other' })))).status, 200);
    await deleteClient(ctx, 'demo', 'temp');
    assert.equal((await token(form(await k8sToken({ sub: 'system:serviceaccount:temp:other' })))).status, 401);
    const links = (await stack.table.listRealmItems('demo')).filter((item) => item.kind === 'federatedLink' && item.clientId === 'temp');
    assert.deepEqual(links, [], 'update and delete leave no link behind');
  });

  it('a realm export carries identityProviders; importing it elsewhere gives a realm where the same token works', async () => {
    const exported = await exportRealm(stack.table, 'demo');
    const idps = exported.identityProviders as Record<string, unknown>[];
    assert.deepEqual(idps.map((idp) => idp.alias).sort(), ['aws-123456789012', 'eks']);
    const copy = { ...exported, realm: 'demo-copy', id: undefined };
    const report = await importRealmExport(ctx, copy, { signingMode: 'envelope', generateSecrets: true });
    assert.equal(report.counts.identityProviders, 2);
    const res = await token(form(await k8sToken({ aud: 'http://localhost:3000/realms/demo-copy' })), '/realms/demo-copy/protocol/openid-connect/token');
    assert.equal(res.status, 200, JSON.stringify(audit.events.at(-1)));
    assert.equal(decodeJwt(res.body.access_token).azp, 'billing');
  });
});

describe('identity provider rules and the fetch guard', () => {
  it('refuses a loopback issuer outside the local stage, a private address anywhere, and two IdPs for one issuer', async () => {
    const deployed = { ...ctx, localStage: false };
    await assert.rejects(createIdentityProvider(deployed, 'demo', parseIdentityProvider({ alias: 'lo', providerId: 'kubernetes', config: { issuer: `${ISSUER}/other` } })), /Invalid issuer URL/);
    await assert.rejects(createIdentityProvider(deployed, 'demo', parseIdentityProvider({ alias: 'lo2', providerId: 'kubernetes', config: { issuer: 'https://127.0.0.1/x' } })), /Invalid issuer URL/);
    await assert.rejects(createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'imds', providerId: 'kubernetes', config: { issuer: 'https://169.254.169.254/latest' } })), /Invalid issuer URL/);
    await assert.rejects(createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'eks2', providerId: 'kubernetes', config: { issuer: `${ISSUER}/k8s` } })), /Issuer URL already used for IDP 'eks'/);
    await assert.rejects(createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'eks', providerId: 'kubernetes', config: { issuer: `${ISSUER}/new` } })), /already exists/);
    await assert.rejects(createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 's', providerId: 'spiffe', config: { trustDomain: 'spiffe://example.org:8443', bundleEndpoint: `${ISSUER}/b` } })), /Invalid trust domain name/);
    assert.throws(() => parseIdentityProvider(JSON.parse('{"alias":"p","providerId":"oidc","config":{"__proto__":{"polluted":"yes"}}}')), /not allowed/);
  });

  it('follows no redirect, caps the size, and a failure is a 401 with a warning, never a 5xx', async () => {
    const limits = { allowLoopbackHttp: true, timeoutMs: 1000, maxBytes: 64 * 1024 };
    await assert.rejects(fetchDocument(`${ISSUER}/big`, limits, 'application/json'), /too large/);
    redirectJwks = true;
    await assert.rejects(fetchDocument(`${ISSUER}/sts/.well-known/jwks.json`, limits, 'application/json'), /status 302/);
    await assert.rejects(fetchDocument('http://169.254.169.254/latest/meta-data/', limits, 'application/json'), /metadata address/);
    await assert.rejects(fetchDocument('https://169.254.169.254/latest/meta-data/', limits, 'application/json'), /metadata address/);
    // A new IdP (new cache entry) whose JWKS now redirects: the caller sees the uniform 401.
    await createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'gh', providerId: 'oidc', config: { issuer: `${ISSUER}/gh`, supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: `${ISSUER}/sts/.well-known/jwks.json` } }));
    await createClient(ctx, 'demo', 'ci', { clientAuthenticatorType: 'federated-jwt', serviceAccountsEnabled: true, attributes: { 'jwt.credential.issuer': 'gh', 'jwt.credential.sub': 'repo:org/app:ref:refs/heads/main' } });
    const res = await token(form(await mint({ iss: `${ISSUER}/gh`, sub: 'repo:org/app:ref:refs/heads/main' })));
    redirectJwks = false;
    assert.deepEqual(res, { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' } });
    assert.equal(audit.events.at(-1)!.reason, "Unable to load the identity provider's keys");
  });
});

describe('sa-admin idp and client create --auth federated-jwt', () => {
  const sa = () => adminCliInProcess(() => stack.table.tableName);

  it('creates an EKS preset, a federated client, lists, shows, disables and deletes', async () => {
    const { ok, json, fails } = sa();
    await ok(['idp', 'delete', 'demo', 'eks']);
    await fails(['idp', 'create', 'demo', 'acct', '--preset', 'aws-sts'], 1, /--preset aws-sts needs --issuer: https:\/\/<id>\.tokens\.sts\.global\.api\.aws/);
    const created = await json(['idp', 'create', 'demo', 'eks-cli', '--preset', 'eks', '--issuer', `${ISSUER}/k8s`, '--max-age', '600']);
    assert.equal(created.providerId, 'kubernetes');
    assert.equal(created.config.federatedClientAssertionMaxExpiration, '600');
    await fails(['client', 'create', 'demo', 'x', '--idp', 'eks-cli', '--subject', 's'], 2, /for --auth federated-jwt/);
    await fails(['client', 'create', 'demo', 'x', '--auth', 'federated-jwt', '--idp', 'eks-cli'], 1, /needs the attribute jwt\.credential\.sub/);
    const made = await json(['client', 'create', 'demo', 'cli-worker', '--auth', 'federated-jwt', '--idp', 'eks-cli', '--subject', 'system:serviceaccount:cli:sa']);
    assert.deepEqual(made, { clientId: 'cli-worker' }, 'no secret is made');
    const res = await token(form(await k8sToken({ sub: 'system:serviceaccount:cli:sa' })));
    assert.equal(res.status, 200, JSON.stringify(audit.events.at(-1)));
    assert.equal(decodeJwt(res.body.access_token).azp, 'cli-worker');

    const listed = await json(['idp', 'list', 'demo']);
    assert.ok(listed.some((idp: { alias: string }) => idp.alias === 'eks-cli'));
    assert.equal((await json(['idp', 'show', 'demo', 'eks-cli'])).config.issuer, `${ISSUER}/k8s`);
    await ok(['idp', 'update', 'demo', 'eks-cli', '--disable']);
    assert.equal((await token(form(await k8sToken({ sub: 'system:serviceaccount:cli:sa' })))).status, 401);
    await ok(['idp', 'update', 'demo', 'eks-cli', '--enable']);
    assert.equal((await token(form(await k8sToken({ sub: 'system:serviceaccount:cli:sa' })))).status, 200);
    await ok(['idp', 'delete', 'demo', 'eks-cli']);
    await fails(['idp', 'show', 'demo', 'eks-cli'], 1, /no identity provider 'eks-cli'/);
  });
});
