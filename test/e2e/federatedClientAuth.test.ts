import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import * as oidc from 'openid-client';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { tableNames } from '../../infra/local/tables.js';
import { secretsKeyAlias, signingKeyAliases } from '../../infra/seed.js';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';

/**
 * Secretless service accounts end to end, through serverless offline: identity providers and a
 * federated-jwt client made with @keycloak/keycloak-admin-client (identityProviders.create / find /
 * findOne / update / del, clients.create), a local issuer serving Kubernetes-style discovery and
 * JWKS, and openid-client sending the issuer's token as its client assertion.
 */

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const realmIssuer = `${base}/realms/demo`;
const ISSUER_PORT = Number(process.env.TEST_FAKE_ISSUER_PORT_E2E ?? 3166);
const CLUSTER = `http://127.0.0.1:${ISSUER_PORT}/cluster`;
const GITHUB = `http://127.0.0.1:${ISSUER_PORT}/github`;
const BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const adminId = `fed-admin-${randomUUID().slice(0, 8)}`;
const adminSecret = randomUUID();
const suffix = randomUUID().slice(0, 8);

let server: Server;
let key: Awaited<ReturnType<typeof generateKeyPair>>;
let jwk: JWK;
let kc: KcAdminClient;

async function mint(iss: string, sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss, sub, aud: realmIssuer, iat: now, exp: now + 3600, jti: randomUUID(), ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'cluster-key' }).sign(key.privateKey);
}

before(async () => {
  key = await generateKeyPair('RS256', { extractable: true });
  jwk = { ...(await exportJWK(key.publicKey)), kid: 'cluster-key', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/cluster/.well-known/openid-configuration') return json({ issuer: CLUSTER, jwks_uri: `${CLUSTER}/openid/v1/jwks` });
    if (req.url === '/cluster/openid/v1/jwks' || req.url === '/github/.well-known/jwks') return json({ keys: [jwk] });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(ISSUER_PORT, '127.0.0.1', resolve));
  const ctx = createAdminContext({
    names: { stage: 'test', service: 'sa-token-service', clientsTable: tableNames('test').clients, signingKeyAliases: signingKeyAliases('test'), secretsKeyId: secretsKeyAlias('test') },
  });
  await bootstrapAdminService(ctx, adminId, adminSecret);
  kc = new KcAdminClient({ baseUrl: base, realmName: 'master' });
  await kc.auth({ grantType: 'client_credentials', clientId: adminId, clientSecret: adminSecret });
  kc.setConfig({ realmName: 'demo' });
});

after(() => {
  server.closeAllConnections();
  server.close();
});

describe('identity providers through @keycloak/keycloak-admin-client', () => {
  it('create, find, findOne, update and del answer as Keycloak does', async () => {
    const alias = `k8s-${suffix}`;
    const created = await kc.identityProviders.create({ alias, providerId: 'kubernetes', config: { issuer: CLUSTER } });
    assert.equal(created.id, alias);
    const found = await kc.identityProviders.find();
    assert.ok(found.some((idp) => idp.alias === alias));
    const one = await kc.identityProviders.findOne({ alias });
    assert.equal(one?.providerId, 'kubernetes');
    assert.equal(one?.config?.issuer, CLUSTER);
    assert.deepEqual(one?.types, ['CLIENT_ASSERTION']);
    assert.equal(one?.hideOnLogin, undefined, 'Kubernetes IdPs carry no login booleans (Keycloak 26.5+)');
    await kc.identityProviders.update({ alias }, { ...one!, config: { ...one!.config, federatedClientAssertionMaxExpiration: '600' } });
    assert.equal((await kc.identityProviders.findOne({ alias }))?.config?.federatedClientAssertionMaxExpiration, '600');
    await assert.rejects(kc.identityProviders.create({ alias, providerId: 'kubernetes', config: { issuer: `${CLUSTER}/x` } }), (err: { response?: { status: number } }) => err.response?.status === 409);
    await assert.rejects(kc.identityProviders.create({ alias: `dup-${suffix}`, providerId: 'kubernetes', config: { issuer: CLUSTER } }), (err: { response?: { status: number } }) => err.response?.status === 400);
    await kc.identityProviders.del({ alias });
    assert.equal(await kc.identityProviders.findOne({ alias }), null, 'the admin client reads a 404 as null');
  });
});

describe('a workload with no stored secret gets a token', () => {
  it('with a Kubernetes-shaped token, through openid-client, and introspects with it', async () => {
    await kc.identityProviders.create({ alias: `cluster-${suffix}`, providerId: 'kubernetes', config: { issuer: CLUSTER } });
    const sub = `system:serviceaccount:e2e-${suffix}:worker`;
    await kc.clients.create({
      clientId: `worker-${suffix}`,
      clientAuthenticatorType: 'federated-jwt',
      serviceAccountsEnabled: true,
      publicClient: false,
      attributes: { 'jwt.credential.issuer': `cluster-${suffix}`, 'jwt.credential.sub': sub },
    });
    // The client holds no secret: openid-client sends the platform's token as client_assertion.
    const config = await oidc.discovery(new URL(realmIssuer), `worker-${suffix}`, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const clusterToken = await mint(CLUSTER, sub);
    const tokens = await oidc.clientCredentialsGrant(config, { client_assertion_type: BEARER, client_assertion: clusterToken });
    assert.equal(decodeJwt(tokens.access_token).azp, `worker-${suffix}`);
    // Kubernetes tokens are cached by the kubelet and sent again: reuse is allowed.
    const again = await oidc.clientCredentialsGrant(config, { client_assertion_type: BEARER, client_assertion: clusterToken });
    assert.ok(again.access_token);
  });

  it('with a GitHub-shaped token, without client_id; replay and a foreign repository are the uniform 401', async () => {
    await kc.identityProviders.create({
      alias: `github-${suffix}`,
      providerId: 'oidc',
      config: { issuer: GITHUB, supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: `${GITHUB}/.well-known/jwks`, clientId: 'x', clientSecret: 'unused' },
    });
    const read = await kc.identityProviders.findOne({ alias: `github-${suffix}` });
    assert.equal(read?.config?.clientSecret, '**********', 'a secret sent is never returned');
    const sub = `repo:example/app-${suffix}:environment:prod`;
    await kc.clients.create({
      clientId: `deployer-${suffix}`,
      clientAuthenticatorType: 'federated-jwt',
      serviceAccountsEnabled: true,
      attributes: { 'jwt.credential.issuer': `github-${suffix}`, 'jwt.credential.sub': sub, 'jwt.credential.claims': '{"repository_owner":"example"}' },
    });
    const post = (assertion: string) =>
      fetch(`${realmIssuer}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: BEARER, client_assertion: assertion }),
      });
    const gh = await mint(GITHUB, sub, { repository_owner: 'example', nbf: Math.floor(Date.now() / 1000) - 300 });
    const res = await post(gh);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(decodeJwt(((await res.json()) as { access_token: string }).access_token).azp, `deployer-${suffix}`);
    const replay = await post(gh);
    assert.equal(replay.status, 401);
    assert.deepEqual(await replay.json(), { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' });
    const foreign = await post(await mint(GITHUB, sub, { repository_owner: 'attacker' }));
    assert.equal(foreign.status, 401);
  });
});
