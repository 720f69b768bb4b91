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
/** The same stack with `--param frontDoor=alb`. */
let albResources: Record<string, Resource>;
let albOutDir: string;
const ALB_PARAMS = ['albVpcId=vpc-0123456789abcdef0', 'albSubnetIds=subnet-aaaa,subnet-bbbb', 'albCertificateArn=arn:aws:acm:us-east-1:111111111111:certificate/test'];
const serverless = join(PROJECT_ROOT, 'node_modules/.bin/serverless');
const slsEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1' };

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

async function packageStack(args: string[]): Promise<{ dir: string; resources: Record<string, Resource> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sls-package-'));
  await promisify(execFile)(serverless, ['package', '--stage', 'ci', '--package', dir, ...args], { cwd: PROJECT_ROOT, env: slsEnv });
  return { dir, resources: JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources };
}

before(async () => {
  ({ dir: outDir, resources } = await packageStack([]));
  ({ dir: albOutDir, resources: albResources } = await packageStack(['--param', 'frontDoor=alb', ...ALB_PARAMS.flatMap((param) => ['--param', param])]));
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

describe('serverless package --param frontDoor=alb (CloudFormation)', () => {
  const ofType = (type: string) => Object.entries(albResources).filter(([, r]) => r.Type === type);

  it('has no API Gateway at all, and the HTTP API template has no load balancer', () => {
    assert.deepEqual(Object.values(albResources).filter((r) => r.Type.startsWith('AWS::ApiGatewayV2::')), []);
    assert.deepEqual(Object.values(resources).filter((r) => r.Type.startsWith('AWS::ElasticLoadBalancingV2::')), []);
  });

  it('puts an internet-facing ALB in the given subnets, HTTPS only with the given certificate', () => {
    const [[, alb]] = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer') as [[string, Resource]];
    assert.equal(alb.Properties.Scheme, 'internet-facing');
    assert.deepEqual(alb.Properties.Subnets, { 'Fn::Split': [',', 'subnet-aaaa,subnet-bbbb'] });
    const attributes = Object.fromEntries(alb.Properties.LoadBalancerAttributes.map((a: { Key: string; Value: string }) => [a.Key, a.Value]));
    assert.equal(attributes['routing.http.xff_header_processing.mode'], 'append');
    const listeners = ofType('AWS::ElasticLoadBalancingV2::Listener').map(([, r]) => r.Properties);
    assert.deepEqual(listeners.map((l) => [l.Port, l.Protocol]), [[443, 'HTTPS']]);
    assert.equal(listeners[0]!.Certificates[0].CertificateArn, 'arn:aws:acm:us-east-1:111111111111:certificate/test');
    const [[, group]] = ofType('AWS::EC2::SecurityGroup') as [[string, Resource]];
    assert.equal(group.Properties.VpcId, 'vpc-0123456789abcdef0');
    assert.deepEqual(group.Properties.SecurityGroupIngress.map((rule: { FromPort: number }) => rule.FromPort), [443]);
  });

  it('gives each function one Lambda target group, with Keycloak\'s paths in both forms and its method', () => {
    const groups = ofType('AWS::ElasticLoadBalancingV2::TargetGroup');
    assert.equal(groups.length, Object.keys(FUNCTIONS).length);
    const rules = ofType('AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties);
    const priorities = rules.map((rule) => rule.Priority);
    assert.equal(new Set(priorities).size, priorities.length, 'listener rule priorities are unique');
    for (const [fn, { method, paths }] of Object.entries(FUNCTIONS)) {
      const groupName = Object.keys(albResources).find((name) => albResources[name]!.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup' && name.startsWith(`${logicalName(fn).replace('LambdaFunction', '')}Alb`))!;
      const group = albResources[groupName]!.Properties;
      assert.equal(group.TargetType, 'lambda', fn);
      assert.deepEqual(group.Targets, [{ Id: { 'Fn::GetAtt': [logicalName(fn), 'Arn'] } }], fn);
      assert.deepEqual(group.TargetGroupAttributes, [{ Key: 'lambda.multi_value_headers.enabled', Value: true }], fn);
      const rule = rules.find((r) => r.Actions[0].TargetGroupArn.Ref === groupName)!;
      const conditions = Object.fromEntries(rule.Conditions.map((c: { Field: string }) => [c.Field, c]));
      const expected = paths.flatMap((path) => [path, `/auth${path}`].map((p) => p.replace('{realm}', '*')));
      assert.deepEqual(conditions['path-pattern'].Values, expected, fn);
      assert.deepEqual(conditions['http-request-method'].HttpRequestMethodConfig.Values, [method], fn);
      const permission = Object.values(albResources).find((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.SourceArn?.Ref === groupName);
      assert.equal(permission?.Properties.Principal, 'elasticloadbalancing.amazonaws.com', fn);
    }
  });

  it('refuses to package an ALB without its parameters, naming them, and an unknown front door', async () => {
    const outputOf = (err: Error & { stdout?: string; stderr?: string }) => `${err.message}${err.stdout ?? ''}${err.stderr ?? ''}`;
    await assert.rejects(packageStack(['--param', 'frontDoor=alb']), (err: Error) => {
      const output = outputOf(err);
      return ['AlbSecurityGroup.Properties.VpcId', 'LoadBalancer.Properties.Subnets', 'Certificates.0.CertificateArn'].every((at) => output.includes(at));
    });
    await assert.rejects(packageStack(['--param', 'frontDoor=cloudfront']), (err: Error) => outputOf(err).includes('Value not found at "file" source'));
  });
});

after(() => Promise.all([rm(outDir, { recursive: true, force: true }), rm(albOutDir, { recursive: true, force: true })]));
