/**
 * sa-admin as a process: the CLI contract (help, --json, exit codes, one-line errors, --local),
 * realms, signing keys and not-before, against fresh tables on DynamoDB Local and the local KMS.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { introspect } from '../../lib/grants/introspect.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler, type Endpoint } from '../../lib/http/handler.js';
import { adminCli, ROOT } from '../support/adminCli.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

let stack: TestStack;
const { ok, json, fails } = adminCli(() => stack.table.tableName);

function endpoint(fn: Endpoint) {
  const handler = httpHandler(fn, { noStore: true, log: () => undefined });
  return async (realm: string, path: string, body: string, headers: Record<string, string>) => {
    const res = await handler(
      apiEvent({ path: `/realms/${realm}/protocol/openid-connect${path}`, realm, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }),
    );
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
let tokenCall: ReturnType<typeof endpoint>;
let introspectCall: ReturnType<typeof endpoint>;
const token = (realm: string, clientId: string, secret: string) =>
  tokenCall(realm, '/token', 'grant_type=client_credentials', { authorization: basic(clientId, secret) });

/** Seconds added to the stack's clock: tokens "issued earlier" without sleeping. */
let clockOffset = 0;

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0, now: () => Math.floor(Date.now() / 1000) + clockOffset });
  tokenCall = endpoint((request) => tokenEndpoint(stack.runtime, request, tokenGrants));
  introspectCall = endpoint((request) => introspect(stack.runtime, request));
});

describe('the CLI contract', () => {
  it('has --help for the program and every command, exit 0', async () => {
    const root = await ok(['--help']);
    for (const command of ['import-realm', 'export-realm', 'realm', 'client', 'role', 'sa', 'scope', 'not-before', 'keys']) {
      assert.match(root.stdout, new RegExp(`^  ${command}\\b`, 'm'), command);
    }
    const commands = [
      ['import-realm'], ['export-realm'], ['realm', 'create'], ['realm', 'show'], ['realm', 'update'], ['realm', 'delete'],
      ['client', 'create'], ['client', 'list'], ['client', 'show'], ['client', 'delete'], ['client', 'enable'], ['client', 'disable'],
      ['client', 'rotate-secret'], ['role', 'create'], ['role', 'update'], ['role', 'list'], ['role', 'delete'], ['sa', 'grant'],
      ['sa', 'revoke'], ['scope', 'add'], ['scope', 'remove'], ['not-before', 'push'], ['keys', 'list'], ['keys', 'rotate'],
    ];
    for (const command of commands) {
      const run = await ok([...command, '--help']);
      assert.match(run.stdout, new RegExp(`^Usage: sa-admin ${command.join(' ')} `), command.join(' '));
    }
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    assert.equal((await ok(['--version'])).stdout, `${version}\n`);
    const create = await ok(['client', 'create', '--help']);
    for (const option of ['--service-accounts', '--full-scope', '--no-full-scope', '--refresh-tokens', '--auth <type>', '--jwks <file>', '--jwks-url <url>']) {
      assert.ok(create.stdout.includes(option), option);
    }
  });

  it('usage errors exit 2 with one line', async () => {
    await fails(['bogus'], 2, /unknown command 'bogus'/);
    await fails(['client'], 2, /client: missing command \(one of create, list/);
    await fails(['client', 'frobnicate', 'demo'], 2, /client: unknown command 'frobnicate'/);
    await fails(['client', 'create', 'demo'], 2, /missing required argument 'clientId'/);
    await fails(['client', 'rotate-secret', 'demo', 'x', '--grace', 'soon'], 2, /--grace <seconds>.*expected a whole number/);
    await fails(['client', 'create', 'demo', 'x', '--auth', 'password'], 2, /expected one of client-secret, client-jwt, client-secret-jwt/);
    await fails(['client', 'list', 'demo', '--bogus'], 2, /unknown option '--bogus'/);
    await fails(['realm', 'delete', 'demo'], 2, /needs --yes/);
    await fails(['realm', 'update', 'demo'], 2, /nothing to update/);
    await fails(['realm', 'create', 'x', '--enabled', '--disabled'], 2, /cannot be used with/);
    await fails(['--local', '--stage', 'prod', 'realm', 'show', 'demo'], 2, /give --local or --stage, not both/);
  });

  it('other errors exit 1 with one line naming what is wrong', async () => {
    await fails(['realm', 'show', 'nope'], 1, /^sa-admin: realm 'nope' does not exist\n$/);
    await fails(['client', 'show', 'demo', 'nope'], 1, /^sa-admin: client 'nope' does not exist in realm 'demo'\n$/);
    await fails(['sa', 'grant', 'demo', 'full-scope-client', 'ghost'], 1, /realm role 'ghost' does not exist/);
    await fails(['import-realm', '/nonexistent/realm.json'], 1, /cannot read \/nonexistent\/realm\.json/);
    await fails(['--stage', 'nosuchstage', 'realm', 'show', 'demo'], 1, /non-existent table.*is the stage deployed/, { env: { SA_ADMIN_CLIENTS_TABLE: '' } });
  });

  it('--local talks to the local stack on DYNAMODB_PORT and KMS_PORT when no AWS_ENDPOINT_URL_* is exported', async () => {
    const port = (url: string | undefined) => new URL(url!).port;
    const noEndpoints = { AWS_ENDPOINT_URL_DYNAMODB: '', AWS_ENDPOINT_URL_KMS: '', AWS_ENDPOINT_URL: '' };
    const env = { ...noEndpoints, DYNAMODB_PORT: port(process.env.AWS_ENDPOINT_URL_DYNAMODB), KMS_PORT: port(process.env.AWS_ENDPOINT_URL_KMS) };
    const run = await ok(['--local', '--json', 'realm', 'show', 'demo'], { env });
    assert.equal(JSON.parse(run.stdout).settings.realm, 'demo');
    // Nothing listens on port 9: a connection error, on one line.
    await fails(['--local', 'realm', 'show', 'demo'], 1, /ECONNREFUSED|connect/, { env: { ...noEndpoints, DYNAMODB_PORT: '9' } });
  });

  it('--json is machine-readable, human output is lines', async () => {
    const list = await json(['client', 'list', 'demo']);
    assert.ok(Array.isArray(list));
    assert.ok(list.some((c: { clientId: string }) => c.clientId === 'product-sa-client'));
    const text = (await ok(['client', 'list', 'demo'])).stdout;
    assert.match(text, /^CLIENT_ID\s+STATE\s+AUTH\s+SERVICE_ACCOUNT$/m);
    assert.match(text, /^product-api\s+enabled\s+bearer-only\s+-$/m);
    // kcadm's --offset/--limit: a page of the same order.
    const ids = list.map((c: { clientId: string }) => c.clientId);
    assert.deepEqual((await json(['client', 'list', 'demo', '--offset', '2', '--limit', '3'])).map((c: { clientId: string }) => c.clientId), ids.slice(2, 5));
    await fails(['client', 'list', 'demo', '--limit', '-1'], 2, /whole number/);
  });
});

describe('realm create, show, update, delete', () => {
  it("creates a realm with Keycloak's defaults and both signing keys; a new client gets tokens from it", async () => {
    const created = await json(['realm', 'create', 'ops', '--access-token-lifespan', '600']);
    assert.equal(created.accessTokenLifespan, 600);
    assert.equal(created.defaultRole, 'default-roles-ops');
    assert.deepEqual(created.keys.map((k: { alg: string }) => k.alg).sort(), ['ES256', 'RS256']);
    await fails(['realm', 'create', 'ops'], 1, /realm 'ops' already exists/);
    await fails(['realm', 'create', 'a/b'], 1, /not a valid realm name/);

    const view = await json(['realm', 'show', 'ops']);
    assert.equal(view.settings.revokeRefreshToken, false);
    assert.deepEqual(view.settings.defaultDefaultClientScopes, ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email']);
    // Keycloak's defaults plus the realm-management client and its 19 roles (the Admin REST API's rights).
    assert.deepEqual(view.counts, { clients: 1, roles: 22, clientScopes: 12 });

    const { secret } = await json(['client', 'create', 'ops', 'worker', '--service-accounts']);
    const res = await token('ops', 'worker', secret);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.expires_in, 600);
    assert.equal(res.body.scope, 'profile email');
    const claims = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual(new Set(claims.realm_access.roles), new Set(['default-roles-ops', 'offline_access', 'uma_authorization']));
  });

  it('updates settings, which the next token uses', async () => {
    const settings = await json(['realm', 'update', 'ops', '--access-token-lifespan', '120', '--revoke-refresh-token', '--refresh-token-max-reuse', '2', '--signature-algorithm', 'ES256']);
    assert.equal(settings.accessTokenLifespan, 120);
    assert.equal(settings.revokeRefreshToken, true);
    assert.equal(settings.refreshTokenMaxReuse, 2);
    const { secret } = await json(['client', 'create', 'ops', 'worker2', '--service-accounts']);
    const res = await token('ops', 'worker2', secret);
    assert.equal(res.body.expires_in, 120);
    assert.equal(decodeProtectedHeader(res.body.access_token).alg, 'ES256');
    const text = await ok(['realm', 'update', 'ops', '--no-revoke-refresh-token', '--sso-session-idle-timeout', '900']);
    assert.match(text.stdout, /^updated realm ops: .*\brevokeRefreshToken=false\b/m);
    assert.match(text.stdout, /\bssoSessionIdleTimeout=900\b/);
  });

  it('a disabled realm is gone for the token endpoint until enabled again', async () => {
    const { secret } = await json(['client', 'create', 'ops', 'worker3', '--service-accounts']);
    await ok(['realm', 'update', 'ops', '--disabled']);
    assert.equal((await token('ops', 'worker3', secret)).status, 404);
    await ok(['realm', 'update', 'ops', '--enabled']);
    assert.equal((await token('ops', 'worker3', secret)).status, 200);
  });

  it('envelope signing mode: keys wrapped under the stage secrets key, tokens verify', async () => {
    const created = await json(['realm', 'create', 'env', '--signing-mode', 'envelope']);
    assert.equal(created.signingMode, 'envelope');
    assert.deepEqual(created.keys.map((k: { provider: string }) => k.provider), ['envelope', 'envelope']);
    const { secret } = await json(['client', 'create', 'env', 'worker', '--service-accounts']);
    const res = await token('env', 'worker', secret);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const realm = await stack.runtime.realms.get('env');
    await jwtVerify(res.body.access_token, createLocalJWKSet(realm.keys.jwks(stack.runtime.now())));
  });

  it('deletes every item of a realm with --yes', async () => {
    const { secret } = await json(['client', 'create', 'env', 'doomed', '--service-accounts']);
    const run = await ok(['realm', 'delete', 'env', '--yes']);
    assert.match(run.stdout, /^deleted realm env \(\d+ items\)$/m);
    assert.deepEqual(await stack.table.listRealmItems('env'), []);
    assert.equal((await token('env', 'doomed', secret)).status, 404);
    await fails(['realm', 'delete', 'env', '--yes'], 1, /realm 'env' does not exist/);
  });
});

describe('signing keys', () => {
  it('lists kid, alg, provider, status, createdAt and retireAt', async () => {
    const keys = await json(['keys', 'list', 'demo']);
    assert.deepEqual(keys.map((k: { alg: string }) => k.alg), ['ES256', 'RS256']);
    for (const key of keys) {
      assert.deepEqual(Object.keys(key).sort(), ['alg', 'createdAt', 'kid', 'kmsKeyId', 'provider', 'status']);
      assert.match(key.kmsKeyId, /^arn:aws:kms:us-east-1:000000000000:key\//);
      assert.equal(key.status, 'active');
    }
    const text = (await ok(['keys', 'list', 'demo'])).stdout;
    assert.match(text, /^KID\s+ALG\s+PROVIDER\s+STATUS\s+CREATED\s+RETIRE_AT$/m);
  });

  it('rotates: new tokens use the new key, the old key stays published until its tokens expire', async () => {
    const before = await token('demo', 'full-scope-client', 'full-secret');
    const oldKid = decodeProtectedHeader(before.body.access_token).kid;
    // A client whose tokens live longer sets how long the old key must stay.
    const client = (await stack.table.getClient('demo', 'full-scope-client'))!;
    await stack.table.putClient({ ...client, clientId: 'long-lived', attributes: { 'access.token.lifespan': '900' } });

    const rotated = await json(['keys', 'rotate', 'demo']);
    const now = Math.floor(Date.now() / 1000);
    // The realm cache time (60) + the longest token lifetime (900) + clock skew (60).
    assert.equal(rotated.retainPreviousFor, 1020);
    assert.deepEqual(rotated.created.map((k: { alg: string }) => k.alg).sort(), ['ES256', 'RS256']);

    const after = await token('demo', 'full-scope-client', 'full-secret');
    const newKid = decodeProtectedHeader(after.body.access_token).kid;
    assert.notEqual(newKid, oldKid);
    assert.equal(newKid, rotated.created.find((k: { alg: string }) => k.alg === 'RS256').kid);

    const realm = await stack.runtime.realms.get('demo');
    const jwks = realm.keys.jwks(stack.runtime.now());
    assert.ok(jwks.keys.some((k) => k.kid === oldKid) && jwks.keys.some((k) => k.kid === newKid));
    await jwtVerify(before.body.access_token, createLocalJWKSet(jwks));
    // …and not after every token it signed has expired.
    assert.ok(!realm.keys.jwks(now + 1021).keys.some((k) => k.kid === oldKid));

    const keys = await json(['keys', 'list', 'demo']);
    const old = keys.find((k: { kid: string }) => k.kid === oldKid);
    assert.equal(old.status, 'passive');
    assert.ok(Math.abs(old.retireAt - (now + 1020)) <= 5);
    assert.notEqual(rotated.created[0].kmsKeyId, old.kmsKeyId, 'a new KMS key');
    const short = await json(['keys', 'rotate', 'demo', '--alg', 'RS256', '--realm-cache-ttl', '0']);
    assert.equal(short.retainPreviousFor, 960);
    await stack.table.deleteItem('demo', { kind: 'client', clientId: 'long-lived' });
  });

  it('rotates one algorithm onto a given KMS key, or to envelope mode', async () => {
    const es = await json(['keys', 'rotate', 'demo', '--alg', 'ES256', '--kms-key-id', 'alias/sa-token-service-test-signing-es256']);
    assert.equal(es.created.length, 1);
    assert.equal(es.created[0].alg, 'ES256');
    const envelope = await json(['keys', 'rotate', 'demo', '--alg', 'RS256', '--mode', 'envelope']);
    assert.equal(envelope.created[0].provider, 'envelope');
    const res = await token('demo', 'full-scope-client', 'full-secret');
    assert.equal(decodeProtectedHeader(res.body.access_token).kid, envelope.created[0].kid);
    await fails(['keys', 'rotate', 'demo', '--kms-key-id', 'alias/x'], 1, /--kms-key-id names one key/);
    await fails(['keys', 'rotate', 'demo', '--alg', 'RS256', '--mode', 'envelope', '--kms-key-id', 'alias/x'], 1, /kms signing mode only/);
  });
});

describe('not-before push', () => {
  const full = { authorization: basic('full-scope-client', 'full-secret') };
  const inspect = async (t: string) => (await introspectCall('demo', '/token/introspect', `token=${encodeURIComponent(t)}`, full)).body;
  /** A token issued `secondsAgo` by the stack's clock: the CLI pushes the not-before at the real time. */
  async function issuedEarlier(clientId: string, secret: string, secondsAgo = 5) {
    clockOffset = -secondsAgo;
    try {
      return (await token('demo', clientId, secret)).body.access_token as string;
    } finally {
      clockOffset = 0;
    }
  }

  // The client push first: after the realm push every token issued earlier is inactive anyway.
  it('client: only that client', async () => {
    const special = 's3cr3t:with/reserved+chars & space';
    const earlySpecial = await issuedEarlier('special-client', special);
    const earlyOther = await issuedEarlier('full-scope-client', 'full-secret');
    assert.equal((await inspect(earlySpecial)).active, true);
    assert.equal((await inspect(earlyOther)).active, true);
    const pushed = await json(['not-before', 'push', 'demo', '--client', 'special-client']);
    assert.equal(pushed.clientId, 'special-client');
    assert.equal((await stack.table.getClient('demo', 'special-client'))!.notBefore, pushed.notBefore);
    assert.deepEqual(await inspect(earlySpecial), { active: false }, "that client's earlier token");
    assert.equal((await inspect(earlyOther)).active, true, "another client's earlier token");
    const later = await token('demo', 'special-client', special);
    assert.equal(later.body['not-before-policy'], pushed.notBefore);
    assert.equal((await inspect(later.body.access_token)).active, true);
    await fails(['not-before', 'push', 'demo', '--client', 'ghost'], 1, /client 'ghost' does not exist/);
  });

  it('realm: earlier tokens become inactive, and token responses carry the new policy', async () => {
    const early = await issuedEarlier('full-scope-client', 'full-secret');
    assert.equal((await inspect(early)).active, true);
    const pushed = await json(['not-before', 'push', 'demo']);
    assert.ok(Math.abs(pushed.notBefore - Math.floor(Date.now() / 1000)) <= 2);
    assert.deepEqual(await inspect(early), { active: false });
    const later = await token('demo', 'full-scope-client', 'full-secret');
    assert.equal(later.body['not-before-policy'], pushed.notBefore);
    assert.equal((await inspect(later.body.access_token)).active, true);
  });
});
