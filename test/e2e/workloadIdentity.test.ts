import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { runWorkloadIdentityExample } from '../../examples/workload-identity/workload.js';
import { startLocalIssuers, type LocalIssuers } from '../../examples/workload-identity/localIssuer.js';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { secretsKeyAlias, signingKeyAliases, tableNames } from '../../lib/deployment/stageNames.js';
import { adminCli } from '../support/adminCli.js';

/**
 * Secretless service accounts through serverless offline, as an operator sets them up: the
 * example in examples/workload-identity run against the stack (so it cannot rot), `sa-admin` as a
 * child process (presets, --claims), a realm export with `identityProviders` imported with
 * `sa-admin import-realm`, and the jti single-use rule under 50 parallel HTTP requests.
 *
 * What test/e2e/federatedClientAuth.test.ts already proves through the same stack is not repeated:
 * the admin client's identityProviders.create/find/findOne/update/del, a Kubernetes token through
 * openid-client, a GitHub token with a claim condition and its replay.
 */

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const UNIFORM_401 = { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' };
const adminId = `wi-admin-${randomUUID().slice(0, 8)}`;
const adminSecret = randomUUID();
const suffix = randomUUID().slice(0, 8);
const sa = adminCli(() => tableNames('test').clients);

let issuers: LocalIssuers;

async function token(realm: string, assertion: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: BEARER, client_assertion: assertion, ...extra }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

before(async () => {
  const ctx = createAdminContext({
    names: { stage: 'test', service: 'sa-token-service', clientsTable: tableNames('test').clients, signingKeyAliases: signingKeyAliases('test'), secretsKeyId: secretsKeyAlias('test') },
  });
  await bootstrapAdminService(ctx, adminId, adminSecret);
  issuers = await startLocalIssuers();
});

after(() => issuers?.close());

describe('examples/workload-identity against the running stack', () => {
  it('an EKS pod, a Lambda with STS web identity and a GitHub job each get a token with no secret', async () => {
    const lines: string[] = [];
    const result = await runWorkloadIdentityExample({ base, realm: 'demo', admin: { clientId: adminId, clientSecret: adminSecret }, log: (line) => lines.push(line) });
    assert.deepEqual(
      result.workloads.map(({ platform, status, azp }) => ({ platform, status, azp })),
      [
        { platform: 'eks', status: 200, azp: 'example-billing-worker' },
        { platform: 'sts', status: 200, azp: 'example-billing-lambda' },
        { platform: 'github', status: 200, azp: 'example-deployer' },
      ],
      lines.join('\n'),
    );
    assert.equal(result.kubernetesReuse, 200, 'a Kubernetes token may be sent again');
    assert.equal(result.stsReplay, 401, 'an STS token is single use');
    assert.equal(result.githubOtherRepository, 401);
    // Kubernetes: discovery + JWKS; STS and GitHub: the configured JWKS. Once each, whatever the grants.
    assert.ok(result.keyFetches >= 4 && result.keyFetches <= 8, `${result.keyFetches} fetches (one container or two)`);
    // The example leaves the realm as it found it.
    const listed = await sa.json(['idp', 'list', 'demo']);
    assert.ok(!listed.some((idp: { alias: string }) => idp.alias.startsWith('example-')), JSON.stringify(listed));
  });
});

describe('sa-admin, then the token endpoint through serverless offline', () => {
  const alias = `aws-cli-${suffix}`;
  const role = `arn:aws:iam::123456789012:role/cli-lambda-${suffix}`;
  const realmIssuer = `${base}/realms/demo`;
  const sts = (roleArn = role, orgId = 'o-cli') => issuers.stsWebIdentityToken(realmIssuer, roleArn, { account: '123456789012', orgId, region: 'eu-west-1' });

  before(async () => {
    await sa.ok(['idp', 'create', 'demo', alias, '--preset', 'aws-sts', '--issuer', issuers.issuer.sts]);
    await sa.ok(['client', 'create', 'demo', `cli-lambda-${suffix}`, '--auth', 'federated-jwt', '--idp', alias, '--subject', role, '--claims', '{"https://sts.amazonaws.com/":{"org_id":"o-cli"}}']);
  });

  it('an STS-shaped token (sub = role ARN, one audience = the realm issuer) gets a token; another org is refused', async () => {
    const res = await token('demo', await sts());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(decodeJwt(res.body.access_token!).preferred_username, `service-account-cli-lambda-${suffix}`);
    assert.deepEqual(await token('demo', await sts(role, 'o-other')), { status: 401, body: UNIFORM_401 });
    // client_id, when sent, names the resolved client (Keycloak #48026), never the token's sub.
    assert.equal((await token('demo', await sts(), { client_id: `cli-lambda-${suffix}` })).status, 200);
    assert.deepEqual(await token('demo', await sts(), { client_id: role }), { status: 401, body: UNIFORM_401 });
  });

  it('the jti is single use under 50 parallel requests: at most one token, and it is spent after', async () => {
    // serverless offline starts a worker per concurrent request; on a small loaded machine many
    // of 50 cold starts pass the function's 10 s timeout, and offline then answers its own
    // "Lambda timeout" body with status 200. Those are the stand-in's answers, not the product's,
    // so they are told apart here; the exact count (one 200, 49 401) is asserted in-process against
    // DynamoDB Local by test/integration/federatedClientAuth.test.ts.
    const assertion = await sts();
    const results = await Promise.all(Array.from({ length: 50 }, () => token('demo', assertion)));
    const offlineTimeout = (res: { body: Record<string, string> }) => /Lambda timeout/.test(res.body.errorMessage ?? '');
    const issued = results.filter((res) => res.status === 200 && res.body.access_token);
    assert.ok(issued.length <= 1, `${issued.length} tokens for one jti`);
    for (const res of results) {
      if (res.body.access_token || offlineTimeout(res)) continue;
      assert.deepEqual(res, { status: 401, body: UNIFORM_401 });
    }
    assert.deepEqual(await token('demo', assertion), { status: 401, body: UNIFORM_401 }, 'spent');
  });

  it('sa-admin idp update --disable stops the very next grant; delete removes it', async () => {
    await sa.ok(['idp', 'update', 'demo', alias, '--disable']);
    assert.deepEqual(await token('demo', await sts()), { status: 401, body: UNIFORM_401 });
    await sa.ok(['idp', 'update', 'demo', alias, '--enable']);
    assert.equal((await token('demo', await sts())).status, 200);
    await sa.ok(['client', 'delete', 'demo', `cli-lambda-${suffix}`]);
    await sa.ok(['idp', 'delete', 'demo', alias]);
    assert.deepEqual(await token('demo', await sts()), { status: 401, body: UNIFORM_401 });
  });
});

describe('sa-admin import-realm with identityProviders', () => {
  it('a Keycloak realm export with a Kubernetes and a GitHub identity provider and their clients works as imported', async () => {
    const realm = `wi-${suffix}`;
    const exported = {
      realm,
      enabled: true,
      identityProviders: [
        { alias: 'cluster', providerId: 'kubernetes', enabled: true, config: { issuer: issuers.issuer.eks } },
        {
          alias: 'github',
          providerId: 'oidc',
          enabled: true,
          hideOnLogin: true,
          config: { issuer: issuers.issuer.github, supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: issuers.jwksUrl.github, clientId: 'unused', clientAuthMethod: 'client_secret_post', syncMode: 'LEGACY' },
        },
      ],
      clients: [
        {
          clientId: 'worker',
          enabled: true,
          publicClient: false,
          serviceAccountsEnabled: true,
          clientAuthenticatorType: 'federated-jwt',
          attributes: { 'jwt.credential.issuer': 'cluster', 'jwt.credential.sub': 'system:serviceaccount:billing:worker' },
        },
        {
          clientId: 'deployer',
          enabled: true,
          publicClient: false,
          serviceAccountsEnabled: true,
          clientAuthenticatorType: 'federated-jwt',
          attributes: { 'jwt.credential.issuer': 'github', 'jwt.credential.sub': 'repo:example-org/app:environment:prod', 'jwt.credential.claims': '{"repository_owner":"example-org"}' },
        },
      ],
    };
    const run = await sa.ok(['--json', 'import-realm', '-'], { input: JSON.stringify(exported) });
    assert.equal(JSON.parse(run.stdout).counts.identityProviders, 2, run.stdout);
    const realmIssuer = `${base}/realms/${realm}`;
    const k8s = await token(realm, await issuers.kubernetesToken(realmIssuer, 'billing', 'worker'));
    assert.equal(k8s.status, 200, JSON.stringify(k8s.body));
    assert.equal(decodeJwt(k8s.body.access_token!).azp, 'worker');
    const gh = await token(realm, await issuers.githubActionsToken(realmIssuer, 'example-org/app', 'prod'));
    assert.equal(gh.status, 200, JSON.stringify(gh.body));
    assert.equal(decodeJwt(gh.body.access_token!).azp, 'deployer');
    // The audience is this realm's issuer: a token for the demo realm is refused here.
    assert.deepEqual(await token(realm, await issuers.kubernetesToken(`${base}/realms/demo`, 'billing', 'worker')), { status: 401, body: UNIFORM_401 });
    const shown = await sa.json(['idp', 'show', realm, 'github']);
    assert.equal(shown.config.clientAuthMethod, 'client_secret_post', 'config keys this service does not use round-trip');
  });
});
