import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../infra/local/stack.js';

/** `serverless package` runs offline; the generated CloudFormation is what `deploy` would create. */
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
let resources: Record<string, Resource>;
let outDir: string;

const FUNCTIONS: Record<string, { role: string; paths: string[]; method: string }> = {
  token: { role: 'TokenRole', method: 'POST', paths: ['/realms/{realm}/protocol/openid-connect/token'] },
  refresh: { role: 'RefreshRole', method: 'POST', paths: ['/realms/{realm}/protocol/openid-connect/token/refresh'] },
  logout: { role: 'LogoutRole', method: 'POST', paths: ['/realms/{realm}/protocol/openid-connect/logout'] },
  revoke: { role: 'RevokeRole', method: 'POST', paths: ['/realms/{realm}/protocol/openid-connect/revoke'] },
  introspect: { role: 'IntrospectRole', method: 'POST', paths: ['/realms/{realm}/protocol/openid-connect/token/introspect'] },
  certs: { role: 'ReadRealmRole', method: 'GET', paths: ['/realms/{realm}/protocol/openid-connect/certs'] },
  discovery: { role: 'ReadRealmRole', method: 'GET', paths: ['/realms/{realm}/.well-known/openid-configuration'] },
};
const logicalName = (fn: string) => `${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`;

/** A port the OS says is free now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm start` as a developer runs it, on free ports and a throw-away data directory. */
async function npmStart(): Promise<{ baseUrl: string; output: () => string; stop(): Promise<void> }> {
  const [port, dynamodbPort, kmsPort, lambdaPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'sa-token-start-'));
  const env = { ...process.env, PORT: String(port), DYNAMODB_PORT: String(dynamodbPort), KMS_PORT: String(kmsPort), LAMBDA_PORT: String(lambdaPort), LOCAL_DATA_DIR: dataDir };
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    new Promise<void>((resolve) => child.stdout.on('data', () => output.includes('Token service ready') && resolve())),
    exited.then(() => Promise.reject(new Error(`npm start exited:\n${output}`))),
  ]);
  return {
    baseUrl: `http://localhost:${port}`,
    output: () => output,
    async stop() {
      child.kill('SIGINT'); // start.ts stops serverless offline, DynamoDB Local and the KMS
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let running: Awaited<ReturnType<typeof npmStart>>;

before(async () => {
  // `npm start` runs while `serverless package` builds beside it, as a developer would do.
  running = await npmStart();
  outDir = await mkdtemp(join(tmpdir(), 'sls-package-'));
  await promisify(execFile)(join(PROJECT_ROOT, 'node_modules/.bin/serverless'), ['package', '--stage', 'ci', '--package', outDir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
  });
  resources = JSON.parse(await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
});

describe('npm start beside serverless package', () => {
  it('still answers every endpoint after a package run in the same checkout', async () => {
    const oidc = `${running.baseUrl}/realms/demo/protocol/openid-connect`;
    const basic = `Basic ${Buffer.from('product-sa-client:password').toString('base64')}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
    // The first call of each function after the package run loads its bundle from the build folder.
    const granted = await fetch(`${oidc}/token`, { method: 'POST', headers: form, body: 'grant_type=client_credentials' });
    const body = (await granted.json()) as { access_token: string; refresh_token: string };
    assert.equal(granted.status, 200, JSON.stringify(body));
    assert.equal(typeof body.access_token, 'string');
    const refreshed = await fetch(`${oidc}/token/refresh`, { method: 'POST', headers: form, body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(body.refresh_token)}` });
    assert.equal(refreshed.status, 200, await refreshed.text());
    const certs = await fetch(`${oidc}/certs`);
    assert.equal(certs.status, 200);
    assert.ok(((await certs.json()) as { keys: unknown[] }).keys.length > 0);
    assert.doesNotMatch(running.output(), /Cannot find module/);
  });
});

describe('serverless package (CloudFormation)', () => {
  it('has every route in both path forms, each on its own function', () => {
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey as string);
    for (const { method, paths } of Object.values(FUNCTIONS)) {
      for (const path of paths) {
        assert.ok(routes.includes(`${method} ${path}`), `${method} ${path}`);
        assert.ok(routes.includes(`${method} /auth${path}`), `${method} /auth${path}`);
      }
    }
  });

  it('runs nodejs22.x on arm64, one small minified bundle per function', async () => {
    for (const fn of Object.keys(FUNCTIONS)) {
      const props = resources[logicalName(fn)]!.Properties;
      assert.equal(props.Runtime, 'nodejs22.x');
      assert.deepEqual(props.Architectures, ['arm64']);
      assert.ok((await stat(join(outDir, `${fn}.zip`))).size > 0);
    }
  });

  it('creates the tables on demand, with point-in-time recovery, retained, sessions with TTL', () => {
    const tables = Object.values(resources).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    assert.equal(tables.length, 2);
    for (const table of tables) {
      assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
      assert.equal(table.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled, true);
      assert.equal(table.DeletionPolicy, 'Retain');
    }
    assert.equal(resources.SessionsTable!.Properties.TimeToLiveSpecification.AttributeName, 'ttl');
  });

  it('throttles the HTTP API stage (rate and burst)', () => {
    const settings = resources.HttpApiStage!.Properties.DefaultRouteSettings;
    assert.ok(settings.ThrottlingRateLimit > 0);
    assert.ok(settings.ThrottlingBurstLimit > 0);
  });

  it('creates the RSA_2048 and P-256 signing keys and the wrapping key', () => {
    assert.equal(resources.SigningKeyRsa!.Properties.KeySpec, 'RSA_2048');
    assert.equal(resources.SigningKeyRsa!.Properties.KeyUsage, 'SIGN_VERIFY');
    assert.equal(resources.SigningKeyEc!.Properties.KeySpec, 'ECC_NIST_P256');
    assert.equal(resources.SecretsKey!.Properties.KeyUsage, 'ENCRYPT_DECRYPT');
  });

  it('gives each function its own role, and no role a wildcard action or resource', () => {
    for (const [fn, { role }] of Object.entries(FUNCTIONS)) {
      assert.deepEqual(resources[logicalName(fn)]!.Properties.Role, { 'Fn::GetAtt': [role, 'Arn'] }, fn);
    }
    const roles = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    assert.ok(roles.length >= 6);
    for (const [name, role] of roles) {
      for (const policy of role.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument.Statement) {
          for (const action of [statement.Action].flat()) assert.ok(!String(action).includes('*'), `${name}: action ${action}`);
          for (const resource of [statement.Resource].flat()) {
            assert.ok(typeof resource === 'object' || !String(resource).includes('*'), `${name}: resource ${resource}`);
            const text = JSON.stringify(resource);
            assert.ok(!/:\*"|\/\*"/.test(text) || text.includes('log-group:/aws/lambda/'), `${name}: resource ${text}`);
          }
        }
      }
    }
  });

  it('only the signing functions may sign, and only with the stack keys', () => {
    const roles = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    const signing = roles.flatMap(([name, role]) =>
      (role.Properties.Policies ?? []).flatMap((policy: any) =>
        policy.PolicyDocument.Statement.filter((statement: any) => [statement.Action].flat().some((action: string) => /^kms:(Sign|\*)$/.test(action))).map((statement: any) => ({ name, statement })),
      ),
    );
    assert.deepEqual([...new Set(signing.map(({ name }) => name))].sort(), ['RefreshRole', 'TokenRole']);
    for (const { name, statement } of signing) {
      assert.deepEqual([statement.Action].flat(), ['kms:Sign'], name);
      // Rotated keys are granted to these roles by their own key policies (`sa-admin keys rotate`), not here.
      assert.deepEqual([statement.Resource].flat(), [{ 'Fn::GetAtt': ['SigningKeyRsa', 'Arn'] }, { 'Fn::GetAtt': ['SigningKeyEc', 'Arn'] }], name);
    }
  });
});

after(async () => {
  await running?.stop();
  await rm(outDir, { recursive: true, force: true });
});
