/**
 * What a newcomer met in sa-admin (issue 17): --local follows what `npm start` prints, token
 * preview's issuer follows the stack's port, import problems are one line each naming the client,
 * a missing region says what to do, `sa show` and `group list` read as text, and no text claims a
 * secret is kept only as a hash. Run in-process against DynamoDB Local and the local KMS.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adminCliInProcess } from '../support/adminCli.js';
import { freshStack, type TestStack } from '../support/localAws.js';

let stack: TestStack;
const { ok, json, fails } = adminCliInProcess(() => stack.table.tableName);

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
});

describe('sa-admin as a newcomer meets it', () => {
  it('--local follows the AWS_ENDPOINT_URL_* lines npm start prints, ahead of DYNAMODB_PORT', async () => {
    // The test process has AWS_ENDPOINT_URL_DYNAMODB/KMS exported, as after `npm start`; port 9 has nothing.
    const shown = await json(['--local', 'realm', 'show', 'demo'], { env: { DYNAMODB_PORT: '9', KMS_PORT: '9' } });
    assert.equal(shown.settings.realm, 'demo');
  });

  it("token preview's issuer follows the stack's ISSUER_BASE_URL or PORT without --issuer", async () => {
    const byPort = await json(['token', 'preview', 'demo', 'product-sa-client'], { env: { PORT: '4321', ISSUER_BASE_URL: '' } });
    assert.equal(byPort.accessToken.iss, 'http://localhost:4321/realms/demo');
    const byBase = await json(['token', 'preview', 'demo', 'product-sa-client'], { env: { ISSUER_BASE_URL: 'https://sso.example.com/' } });
    assert.equal(byBase.accessToken.iss, 'https://sso.example.com/realms/demo');
    const given = await json(['token', 'preview', 'demo', 'product-sa-client', '--issuer', 'https://x.example/realms/demo'], { env: { PORT: '4321' } });
    assert.equal(given.accessToken.iss, 'https://x.example/realms/demo');
  });

  it('import problems come one line each, a client named by its clientId', async () => {
    const file = JSON.stringify({
      realm: 'newcomer',
      clients: [
        { clientId: 'billing', serviceAccountsEnabled: true },
        { clientId: 'reports', serviceAccountsEnabled: true, secret: '**********' },
      ],
    });
    const run = await fails(['import-realm', '-'], 1, /^sa-admin: the realm export has 2 problems:\n/, { input: file });
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 3, run.stderr);
    assert.match(lines[1]!, /^ {2}client 'billing' secret: confidential client has no secret/);
    assert.match(lines[2]!, /^ {2}client 'reports' secret: is the admin console's mask/);
    assert.doesNotMatch(run.stderr, /clients\[\d\]/);
    // --json still lists the problems by their JSON path, for tools.
    const listed = await fails(['--json', 'import-realm', '-'], 1, /problems:/, { input: file });
    assert.deepEqual(JSON.parse(listed.stdout).problems.map((p: { path: string }) => p.path), ['clients[0].secret', 'clients[1].secret']);
  });

  it('without --local or --stage and no region, says what to do', async () => {
    const saved = { region: process.env.AWS_REGION, config: process.env.AWS_CONFIG_FILE, profile: process.env.AWS_PROFILE };
    delete process.env.AWS_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    try {
      await fails(['realm', 'show', 'demo'], 1, /no AWS region: give --local .* or --stage STAGE with AWS_REGION/);
    } finally {
      for (const [name, value] of [['AWS_REGION', saved.region], ['AWS_CONFIG_FILE', saved.config], ['AWS_PROFILE', saved.profile]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('sa show and group list print text, not JSON', async () => {
    await ok(['sa', 'set-attribute', 'demo', 'product-sa-client', 'team', 'billing', 'finance']);
    const account = (await ok(['sa', 'show', 'demo', 'product-sa-client'])).stdout;
    assert.match(account, /^username: service-account-product-sa-client$/m);
    assert.match(account, /^roles: .*default-roles-demo/m);
    assert.match(account, /^attributes: team=billing,finance$/m);
    assert.doesNotMatch(account, /[{[]"/);

    await ok(['group', 'create', 'demo', '/ops']);
    await ok(['group', 'set-attribute', 'demo', '/ops', 'tier', 'gold']);
    const groups = (await ok(['group', 'list', 'demo'])).stdout;
    assert.match(groups, /^\/ops\s+\(none\)\s+tier=gold$/m);
    assert.doesNotMatch(groups, /[{[]"/);
  });

  it('a new secret is said to be kept as a hash and a KMS-encrypted copy, never "only its hash"', async () => {
    const created = (await ok(['client', 'create', 'demo', 'newcomer-worker', '--service-accounts'])).stdout;
    assert.match(created, /only a hash and a KMS-encrypted copy are stored/);
    assert.doesNotMatch(created, /only its hash is stored|SHA-256 only/);
    const rotated = (await ok(['client', 'rotate-secret', 'demo', 'newcomer-worker'])).stdout;
    assert.match(rotated, /KMS-encrypted copy/);
  });
});
