import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { checkTemplate, type Template } from '../support/cloudFormationSchema.js';

/**
 * Both packaged templates (HTTP API and ALB front doors), under every documented `--param`
 * (docs/deployment.md), checked against AWS's resource schemas and IAM action list: what
 * `serverless deploy` would hand CloudFormation, without an AWS account.
 */
const ALB = { frontDoor: 'alb', albVpcId: 'vpc-0123456789abcdef0', albSubnetIds: 'subnet-aaaa,subnet-bbbb', albCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/test' };
const VARIANTS: Record<string, Record<string, string>> = {
  'HTTP API, defaults': {},
  'HTTP API, every param away from its default': {
    issuerBaseUrl: 'https://auth.example.com',
    realmCacheTtlSeconds: '5',
    clientCacheTtlSeconds: '5',
    preloadRealms: 'demo,master',
    refreshRetryGraceSeconds: '0',
    apiRateLimit: '500',
    apiBurstLimit: '200',
    accessLogRetentionDays: '14',
    tokenReservedConcurrency: 'none',
    refreshReservedConcurrency: '25',
    logoutReservedConcurrency: '5',
    revokeReservedConcurrency: '5',
    introspectReservedConcurrency: '10',
    certsReservedConcurrency: '5',
    discoveryReservedConcurrency: '5',
    wafRateLimit: '500',
    wafResourceArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/front/0123456789abcdef',
  },
  'ALB, required params only': ALB,
  'ALB with WAF, ingress CIDR and preload': { ...ALB, wafRateLimit: '1000', albIngressCidr: '10.0.0.0/8', preloadRealms: 'demo' },
};

const templates = new Map<string, Template>();
let outDir: string;

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'sls-schema-'));
  let index = 0;
  for (const [name, params] of Object.entries(VARIANTS)) {
    const dir = join(outDir, String(index++));
    const paramArgs = Object.entries(params).flatMap(([key, value]) => ['--param', `${key}=${value}`]);
    await promisify(execFile)(join(PROJECT_ROOT, 'node_modules/.bin/serverless'), ['package', '--stage', 'ci', '--package', dir, ...paramArgs], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    });
    templates.set(name, JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template);
  }
});

after(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('packaged templates against the CloudFormation resource schemas', () => {
  for (const name of Object.keys(VARIANTS)) {
    it(`${name}: every resource type, property, attribute and IAM action is real`, async () => {
      const report = await checkTemplate(templates.get(name)!);
      assert.deepEqual(report.problems, []);
      // The check looked at the whole stack, not an empty one.
      assert.ok(report.resourcesChecked >= 40, `${report.resourcesChecked} resources`);
      assert.ok(report.propertiesChecked >= 200, `${report.propertiesChecked} properties`);
      assert.ok(report.iamActionsChecked.includes('kms:Sign') && report.iamActionsChecked.includes('dynamodb:Query'));
    });
  }

  it('the ALB variant creates the load balancer and the HTTP API variant does not', () => {
    const types = (name: string) => new Set(Object.values(templates.get(name)!.Resources).map((resource) => resource.Type));
    assert.ok(types('ALB, required params only').has('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    assert.ok(!types('HTTP API, defaults').has('AWS::ElasticLoadBalancingV2::LoadBalancer'));
  });
});

describe('the checker finds what CloudFormation would refuse', () => {
  /** A copy of the default template with one mistake made by `edit`. */
  const withMistake = (edit: (template: Template) => void): Template => {
    const copy = structuredClone(templates.get('HTTP API, defaults')!);
    edit(copy);
    return copy;
  };
  const firstOf = (template: Template, type: string) => Object.values(template.Resources).find((resource) => resource.Type === type)!;
  const cases: Record<string, [(template: Template) => void, RegExp]> = {
    'a resource type that does not exist': [(t) => (t.Resources.Extra = { Type: 'AWS::Lambda::Functions', Properties: {} }), /does not exist/],
    'an unknown property': [(t) => (firstOf(t, 'AWS::DynamoDB::Table').Properties!.BillingModes = 'PAY_PER_REQUEST'), /unknown property/],
    'a missing required property': [(t) => delete firstOf(t, 'AWS::Lambda::Function').Properties!.Code, /required property is missing/],
    'a value outside an enumeration': [(t) => (firstOf(t, 'AWS::KMS::Key').Properties!.KeyUsage = 'SIGN'), /is not one of/],
    'a retention CloudWatch does not offer': [(t) => (firstOf(t, 'AWS::Logs::LogGroup').Properties!.RetentionInDays = 10), /10 is not one of/],
    'a wrong primitive type': [(t) => (firstOf(t, 'AWS::Lambda::Function').Properties!.MemorySize = 'large'), /expected an integer/],
    'Fn::GetAtt of an attribute the type lacks': [(t) => (firstOf(t, 'AWS::Lambda::Function').Properties!.Description = { 'Fn::GetAtt': ['SecretsKey', 'Name'] }), /has no attribute Name/],
    'Ref to nothing': [(t) => (firstOf(t, 'AWS::Lambda::Function').Properties!.Description = { Ref: 'Nowhere' }), /neither a resource/],
    'an IAM action that names no operation': [
      (t) => {
        const role = firstOf(t, 'AWS::IAM::Role').Properties as { Policies: { PolicyDocument: { Statement: { Action: unknown }[] } }[] };
        role.Policies[0]!.PolicyDocument.Statement[0]!.Action = ['dynamodb:GetItems'];
      },
      /has no action GetItems/,
    ],
    'an IAM wildcard that matches nothing': [
      (t) => {
        const role = firstOf(t, 'AWS::IAM::Role').Properties as { Policies: { PolicyDocument: { Statement: { Action: unknown }[] } }[] };
        role.Policies[0]!.PolicyDocument.Statement[0]!.Action = 'kms:Frobnicate*';
      },
      /matches no action/,
    ],
  };
  for (const [name, [edit, expected]] of Object.entries(cases)) {
    it(name, async () => {
      const report = await checkTemplate(withMistake(edit));
      assert.ok(report.problems.some((problem) => expected.test(problem.problem)), JSON.stringify(report.problems));
    });
  }
});
