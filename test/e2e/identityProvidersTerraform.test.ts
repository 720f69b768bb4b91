import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt } from 'jose';
import { startLocalIssuers, type LocalIssuers } from '../../examples/workload-identity/localIssuer.js';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { secretsKeyAlias, signingKeyAliases, tableNames } from '../../lib/deployment/stageNames.js';

/**
 * The Terraform provider's identity-provider resources, replayed call for call through serverless
 * offline: keycloak/terraform-provider-keycloak @05accfd8, `keycloak/identity_provider.go` (the
 * four calls: POST instances, GET/PUT/DELETE instances/{alias}), `provider/generic_keycloak_identity_provider.go`
 * (create → read; update = GET then PUT; delete; read after delete = 404 → gone from state),
 * `provider/resource_keycloak_{kubernetes,oidc,spiffe}_identity_provider.go` (what each puts in the
 * body) and `keycloak/extra_config.go` (how `config` is written: EVERY key of IdentityProviderConfig,
 * empty strings and "false" included, then `extra_config` on top; and read: each value must be a
 * string, Go's `.(string)`). Then @keycloak/keycloak-admin-client's identity-provider calls that
 * test/e2e/federatedClientAuth.test.ts does not make.
 */

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const adminId = `tf-idp-${randomUUID().slice(0, 8)}`;
const adminSecret = randomUUID();
const realm = 'demo';
const suffix = randomUUID().slice(0, 8);
const INSTANCES = `/admin/realms/${realm}/identity-provider/instances`;

let adminToken: string;
let issuers: LocalIssuers;

/** IdentityProviderConfig's fields in the Go struct's order: S a string, B a KeycloakBoolQuoted, L a KeycloakSliceQuoted. */
const CONFIG_FIELDS: [string, 'S' | 'B' | 'L'][] = [
  ['key', 'S'], ['hostIp', 'S'], ['useJwksUrl', 'B'], ['jwksUrl', 'S'], ['clientId', 'S'], ['clientSecret', 'S'], ['disableUserInfo', 'B'],
  ['disableTypeClaimCheck', 'B'], ['userInfoUrl', 'S'], ['nameIDPolicyFormat', 'S'], ['entityId', 'S'], ['singleLogoutServiceUrl', 'S'],
  ['singleSignOnServiceUrl', 'S'], ['signingCertificate', 'S'], ['signatureAlgorithm', 'S'], ['xmlSigKeyInfoKeyNameTransformer', 'S'],
  ['postBindingAuthnRequest', 'B'], ['postBindingResponse', 'B'], ['postBindingLogout', 'B'], ['forceAuthn', 'B'], ['wantAuthnRequestsSigned', 'B'],
  ['wantAssertionsSigned', 'B'], ['wantAssertionsEncrypted', 'B'], ['backchannelSupported', 'B'], ['validateSignature', 'B'], ['authorizationUrl', 'S'],
  ['tokenUrl', 'S'], ['loginHint', 'S'], ['uiLocales', 'B'], ['logoutUrl', 'S'], ['defaultScope', 'S'], ['acceptsPromptNoneForwardFromClient', 'B'],
  ['hostedDomain', 'S'], ['userIp', 'B'], ['offlineAccess', 'B'], ['principalType', 'S'], ['principalAttribute', 'S'], ['guiOrder', 'S'], ['syncMode', 'S'],
  ['authnContextClassRefs', 'L'], ['authnContextComparisonType', 'S'], ['authnContextDeclRefs', 'L'], ['issuer', 'S'], ['trustDomain', 'S'],
  ['bundleEndpoint', 'S'], ['kc.org.broker.redirect.mode.email-matches', 'B'], ['kc.org.domain', 'S'], ['apiUrl', 'S'], ['baseUrl', 'S'],
  ['githubJsonFormat', 'B'], ['fetchedFields', 'S'],
];

/** marshalExtraConfig: extra_config first, then every struct field over it (zero values included). */
function goConfig(fields: Record<string, string | boolean>, extraConfig: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...extraConfig };
  for (const [key, kind] of CONFIG_FIELDS) {
    const value = fields[key];
    out[key] = kind === 'B' ? String(value === true) : kind === 'L' ? '' : ((value as string | undefined) ?? '');
  }
  return out;
}

/**
 * getIdentityProviderFromData with the schema's defaults (store_token true, first broker login
 * flow, sync_mode LEGACY); `hideOnLogin` is omitempty, so false is left out.
 */
function goIdentityProvider(alias: string, providerId: string, hideOnLogin: boolean, config: Record<string, string>, internalId?: string) {
  return {
    ...(internalId ? { internalId } : {}),
    alias,
    displayName: '',
    providerId,
    enabled: true,
    storeToken: true,
    addReadTokenRoleOnCreate: false,
    authenticateByDefault: false,
    linkOnly: false,
    ...(hideOnLogin ? { hideOnLogin: true } : {}),
    trustEmail: false,
    firstBrokerLoginFlowAlias: 'first broker login',
    postBrokerLoginFlowAlias: '',
    config,
  };
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** What the Go client's unmarshal needs: booleans as JSON booleans, every config value a string. */
function assertDecodable(idp: Record<string, any>) {
  for (const field of ['enabled', 'storeToken', 'addReadTokenRoleOnCreate', 'authenticateByDefault', 'linkOnly', 'trustEmail']) {
    if (field in idp) assert.equal(typeof idp[field], 'boolean', field);
  }
  for (const [key, value] of Object.entries(idp.config)) assert.equal(typeof value, 'string', `config.${key}`);
}

/** The whole lifecycle of one resource: create, read, plan (read again), update (GET, PUT), read, delete, read = 404. */
async function terraformLifecycle(alias: string, created: ReturnType<typeof goIdentityProvider>, changed: (read: Record<string, any>) => ReturnType<typeof goIdentityProvider>) {
  const post = await call('POST', INSTANCES, created);
  assert.equal(post.status, 201, JSON.stringify(post.body));
  const read = await call('GET', `${INSTANCES}/${alias}`);
  assert.equal(read.status, 200);
  assertDecodable(read.body);
  // Everything the provider sent reads back as sent: the next plan is empty.
  for (const [key, value] of Object.entries(created)) if (key !== 'config') assert.deepEqual(read.body[key], value, key);
  for (const [key, value] of Object.entries(created.config)) if (key !== 'clientSecret') assert.equal(read.body.config[key], value, `config.${key}`);

  // resourceKeycloakIdentityProviderUpdate: GET the current one, then PUT the whole body (with the internal id from state).
  const current = await call('GET', `${INSTANCES}/${alias}`);
  const next = changed(current.body);
  assert.equal((await call('PUT', `${INSTANCES}/${alias}`, next)).status, 204);
  const after = await call('GET', `${INSTANCES}/${alias}`);
  assertDecodable(after.body);
  assert.equal(after.body.internalId, read.body.internalId, 'the internal id survives an update');
  for (const [key, value] of Object.entries(next.config)) if (key !== 'clientSecret') assert.equal(after.body.config[key], value, `config.${key} after update`);
  return { read: read.body, after: after.body };
}

async function destroy(alias: string) {
  assert.equal((await call('DELETE', `${INSTANCES}/${alias}`)).status, 204);
  // handleNotFoundError: a 404 on read removes the resource from state.
  assert.equal((await call('GET', `${INSTANCES}/${alias}`)).status, 404);
}

async function federatedToken(assertion: string) {
  const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** keycloak_openid_client with client_authenticator_type = "federated-jwt" and the two attributes in extra_config. */
async function federatedClient(clientId: string, alias: string, subject: string) {
  const res = await call('POST', `/admin/realms/${realm}/clients`, {
    clientId,
    enabled: true,
    publicClient: false,
    serviceAccountsEnabled: true,
    clientAuthenticatorType: 'federated-jwt',
    attributes: { 'jwt.credential.issuer': alias, 'jwt.credential.sub': subject },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.headers.get('location')!.split('/').pop()!;
}

before(async () => {
  const ctx = createAdminContext({
    names: { stage: 'test', service: 'sa-token-service', clientsTable: tableNames('test').clients, signingKeyAliases: signingKeyAliases('test'), secretsKeyId: secretsKeyAlias('test') },
  });
  await bootstrapAdminService(ctx, adminId, adminSecret);
  const res = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: adminId, client_secret: adminSecret }),
  });
  adminToken = ((await res.json()) as { access_token: string }).access_token;
  issuers = await startLocalIssuers();
});

after(() => issuers?.close());

describe("the Terraform provider's identity-provider resources, replayed", () => {
  it('keycloakClient.Version: GET /admin/serverinfo before every create, read and update', async () => {
    const info = await call('GET', '/admin/serverinfo');
    assert.equal(info.status, 200);
    assert.match(info.body.systemInfo.version, /^\d+\.\d+\.\d+/);
  });

  it('keycloak_kubernetes_identity_provider: create, read, update, delete; its tokens work in between', async () => {
    const alias = `tf-k8s-${suffix}`;
    const body = goIdentityProvider(alias, 'kubernetes', true, goConfig({ issuer: issuers.issuer.eks, syncMode: 'LEGACY' }));
    const { read } = await terraformLifecycle(alias, body, (current) =>
      goIdentityProvider(alias, 'kubernetes', true, goConfig({ issuer: issuers.issuer.eks, syncMode: 'LEGACY' }, { federatedClientAssertionMaxExpiration: '600' }), current.internalId),
    );
    assert.deepEqual(read.types, ['CLIENT_ASSERTION']);
    const clientUuid = await federatedClient(`tf-k8s-worker-${suffix}`, alias, 'system:serviceaccount:tf:worker');
    const issued = await federatedToken(await issuers.kubernetesToken(`${base}/realms/${realm}`, 'tf', 'worker'));
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    assert.equal(decodeJwt(issued.body.access_token!).azp, `tf-k8s-worker-${suffix}`);
    assert.equal((await call('DELETE', `/admin/realms/${realm}/clients/${clientUuid}`)).status, 204);
    await destroy(alias);
  });

  it('keycloak_oidc_identity_provider with extra_config supportsClientAssertions: an STS issuer; removing the key from extra_config sends "" and turns it off', async () => {
    const alias = `tf-aws-${suffix}`;
    const fields = {
      backchannelSupported: true,
      validateSignature: false,
      authorizationUrl: 'https://unused.example.com/authorize',
      clientId: 'unused',
      clientSecret: 'unused-secret',
      tokenUrl: 'https://unused.example.com/token',
      uiLocales: false,
      jwksUrl: issuers.jwksUrl.sts,
      useJwksUrl: true,
      disableUserInfo: false,
      defaultScope: 'openid',
      acceptsPromptNoneForwardFromClient: false,
      issuer: issuers.issuer.sts,
      disableTypeClaimCheck: false,
      syncMode: 'LEGACY',
    };
    const body = goIdentityProvider(alias, 'oidc', false, goConfig(fields, { supportsClientAssertions: 'true' }));
    const { read, after } = await terraformLifecycle(alias, body, (current) =>
      // The update preserves the masked secret it read (resourceKeycloakIdentityProviderUpdate) only when its own is empty; here it is set.
      goIdentityProvider(alias, 'oidc', false, goConfig({ ...fields, loginHint: 'x' }, { supportsClientAssertions: 'true', allowedClockSkew: '5' }), current.internalId),
    );
    assert.equal(read.config.clientSecret, '**********');
    assert.equal(read.hideOnLogin, false);
    assert.deepEqual(after.types.includes('CLIENT_ASSERTION'), true);

    const role = `arn:aws:iam::123456789012:role/tf-${suffix}`;
    const clientUuid = await federatedClient(`tf-lambda-${suffix}`, alias, role);
    const sts = () => issuers.stsWebIdentityToken(`${base}/realms/${realm}`, role, { account: '123456789012', orgId: 'o-tf', region: 'eu-west-1' });
    const issued = await federatedToken(await sts());
    assert.equal(issued.status, 200, JSON.stringify(issued.body));

    // extra_config loses supportsClientAssertions: getExtraConfigFromData sends it as "".
    const current = await call('GET', `${INSTANCES}/${alias}`);
    assert.equal((await call('PUT', `${INSTANCES}/${alias}`, goIdentityProvider(alias, 'oidc', false, goConfig(fields, { supportsClientAssertions: '', allowedClockSkew: '' }), current.body.internalId))).status, 204);
    const off = await call('GET', `${INSTANCES}/${alias}`);
    assertDecodable(off.body);
    assert.ok(!off.body.types.includes('CLIENT_ASSERTION'), JSON.stringify(off.body.types));
    assert.equal((await federatedToken(await sts())).status, 401, 'an OIDC IdP without client assertions trusts no assertion');

    assert.equal((await call('DELETE', `/admin/realms/${realm}/clients/${clientUuid}`)).status, 204);
    await destroy(alias);
  });

  it('keycloak_spiffe_identity_provider: create, read, update, delete', async () => {
    const alias = `tf-spiffe-${suffix}`;
    const config = { trustDomain: `spiffe://tf-${suffix}.example.org`, bundleEndpoint: `${issuers.jwksUrl.eks}`, syncMode: 'LEGACY' };
    const { read } = await terraformLifecycle(alias, goIdentityProvider(alias, 'spiffe', true, goConfig(config)), (current) =>
      goIdentityProvider(alias, 'spiffe', true, goConfig({ ...config, bundleEndpoint: issuers.jwksUrl.github }), current.internalId),
    );
    assert.deepEqual(read.types, ['CLIENT_ASSERTION']);
    await destroy(alias);
  });

  it('a second resource with an issuer already in use fails the apply with 400, as Keycloak 26.5+ does', async () => {
    const alias = `tf-k8s-a-${suffix}`;
    const issuer = `${issuers.issuer.eks}/twin`;
    assert.equal((await call('POST', INSTANCES, goIdentityProvider(alias, 'kubernetes', true, goConfig({ issuer, syncMode: 'LEGACY' })))).status, 201);
    const twin = await call('POST', INSTANCES, goIdentityProvider(`tf-k8s-b-${suffix}`, 'kubernetes', true, goConfig({ issuer, syncMode: 'LEGACY' })));
    assert.equal(twin.status, 400);
    assert.match(twin.body.errorMessage, /Issuer URL already used for IDP/);
    await destroy(alias);
  });
});

describe("@keycloak/keycloak-admin-client's other identity-provider calls", () => {
  let kc: KcAdminClient;
  const alias = `kc-${suffix}`;

  before(async () => {
    kc = new KcAdminClient({ baseUrl: base, realmName: 'master' });
    await kc.auth({ grantType: 'client_credentials', clientId: adminId, clientSecret: adminSecret });
    kc.setConfig({ realmName: realm });
    await kc.identityProviders.create({ alias, providerId: 'kubernetes', config: { issuer: `${issuers.issuer.eks}/kc` } });
  });

  it('findMappers answers [] (mappers shape brokered user logins, which this service has none of)', async () => {
    assert.deepEqual(await kc.identityProviders.findMappers({ alias }), []);
  });

  it('mapper writes and importFromUrl are refused with a clear 4xx, never a 5xx (docs/admin-api.md)', async () => {
    const status = (err: { response?: { status: number } }) => err.response?.status;
    let createMapper: number | undefined;
    await kc.identityProviders.createMapper({ alias, identityProviderMapper: { name: 'm', identityProviderMapper: 'hardcoded-attribute-idp-mapper', config: {} } }).catch((err) => (createMapper = status(err)));
    let importFromUrl: number | undefined;
    await kc.identityProviders.importFromUrl({ fromUrl: `${issuers.issuer.eks}/.well-known/openid-configuration`, providerId: 'oidc' }).catch((err) => (importFromUrl = status(err)));
    const raw = await call('POST', `${INSTANCES}/${alias}/mappers`, { name: 'm', identityProviderAlias: alias, identityProviderMapper: 'hardcoded-attribute-idp-mapper', config: {} });
    const rawImport = await call('POST', `/admin/realms/${realm}/identity-provider/import-config`, { fromUrl: 'http://127.0.0.1:1/x', providerId: 'oidc' });
    // The mappers path exists for GET (always []), so a write is 405; import-config is not served at all.
    assert.deepEqual([createMapper, importFromUrl], [405, 404]);
    assert.deepEqual(raw, { ...raw, status: 405, body: { error: 'HTTP 405 Method Not Allowed' } });
    assert.deepEqual(rawImport, { ...rawImport, status: 404, body: { error: 'HTTP 404 Not Found' } });
  });

  it('del of an unknown alias is 404, as in Keycloak', async () => {
    await kc.identityProviders.del({ alias });
    await assert.rejects(kc.identityProviders.del({ alias }), (err: { response?: { status: number } }) => err.response?.status === 404);
  });
});
