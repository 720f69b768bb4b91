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
  admin: { role: 'AdminRole', method: 'ANY', paths: ['/admin/{proxy+}'] },
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

  it("gives the admin function its own least-privilege role: both tables, client secrets under their encryption context, no signing", () => {
    const statements = resources.AdminRole!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement) as any[];
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
    assert.ok(!actions.includes('kms:Sign'));
    assert.ok(!actions.some((action: string) => /kms:(CreateKey|GenerateDataKey|ScheduleKeyDeletion)/.test(action)), actions.join());
    const secrets = statements.find((statement) => [statement.Action].flat().includes('kms:Decrypt'));
    assert.deepEqual([secrets.Action].flat().sort(), ['kms:Decrypt', 'kms:Encrypt']);
    assert.deepEqual(secrets.Resource, [{ 'Fn::GetAtt': ['SecretsKey', 'Arn'] }]);
    assert.deepEqual(secrets.Condition, { StringEquals: { 'kms:EncryptionContext:purpose': 'client-secret' } });
    const tables = statements.filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('dynamodb:')));
    assert.deepEqual(tables.flatMap((statement) => statement.Resource).map((resource: any) => resource['Fn::GetAtt'][0]).sort(), ['ClientsTable', 'SessionsTable']);
    // Only the admin role may decrypt under the client-secret context without signing: the token role unwraps, never encrypts.
    const encrypters = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties.Policies).includes('kms:Encrypt'))
      .map(([name]) => name);
    assert.deepEqual(encrypters, ['AdminRole']);
  });

  it('keeps every bundle at most 400 KB, and the admin code out of the token function', async () => {
    const sizes: Record<string, number> = {};
    for (const fn of Object.keys(FUNCTIONS)) {
      const listing = (await promisify(execFile)('unzip', ['-l', join(outDir, `${fn}.zip`)])).stdout;
      const line = listing.split('\n').find((l) => l.trim().endsWith(`functions/${fn}.mjs`))!;
      sizes[fn] = Number(line.trim().split(/\s+/)[0]);
      assert.ok(sizes[fn]! > 0 && sizes[fn]! <= 400 * 1024, `${fn}: ${sizes[fn]} bytes`);
    }
    const token = (await promisify(execFile)('unzip', ['-p', join(outDir, 'token.zip'), 'functions/token.mjs'], { maxBuffer: 8 * 1024 * 1024 })).stdout;
    // Strings only the Admin API holds (lib/adminApi/errors.ts, lib/admin/realmManagement.ts).
    for (const marker of ['HTTP 401 Unauthorized', 'Cannot parse the JSON', 'realm-management']) assert.ok(!token.includes(marker), marker);
    assert.ok(sizes.admin! > sizes.token!, 'the admin bundle holds the admin code');
  });
});

after(() => rm(outDir, { recursive: true, force: true }));
