import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'sls-package-'));
  await promisify(execFile)(join(PROJECT_ROOT, 'node_modules/.bin/serverless'), ['package', '--stage', 'ci', '--package', outDir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
  });
  resources = JSON.parse(await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
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
    const signers = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .filter(([, r]) => JSON.stringify(r.Properties.Policies).includes('kms:Sign'))
      .map(([name]) => name)
      .sort();
    assert.deepEqual(signers, ['RefreshRole', 'TokenRole']);
  });
});

after(() => rm(outDir, { recursive: true, force: true }));
