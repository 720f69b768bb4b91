import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { packagingDir } from '../support/packagingDir.js';
import { KEY_ADMINISTRATION_ACTIONS } from '../../lib/deployment/keyPolicy.js';

/** `serverless package` runs offline; the generated CloudFormation is what `deploy` would create. */
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; Condition?: string };
interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
}
let resources: Record<string, Resource>;
let template: Template;
/** The same stack packaged with every security parameter set away from its default. */
let tuned: Template;
let outDir: string;
/** The same stack with `--param frontDoor=alb` (and the ALB's parameters). */
let alb: Template;
const ALB_PARAMS = {
  frontDoor: 'alb',
  albVpcId: 'vpc-0123456789abcdef0',
  albSubnetIds: 'subnet-aaaa,subnet-bbbb',
  albCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/test',
};
const TUNED_PARAMS = {
  issuerBaseUrl: 'https://auth.example.com',
  tokenReservedConcurrency: 'none',
  refreshReservedConcurrency: '25',
  wafRateLimit: '500',
  wafResourceArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/front/0123456789abcdef',
};

const FUNCTIONS: Record<string, { role: string; routes: Record<string, string[]> }> = {
  token: { role: 'TokenRole', routes: { POST: ['/realms/{realm}/protocol/openid-connect/token'] } },
  refresh: { role: 'RefreshRole', routes: { POST: ['/realms/{realm}/protocol/openid-connect/token/refresh'] } },
  logout: { role: 'LogoutRole', routes: { POST: ['/realms/{realm}/protocol/openid-connect/logout'] } },
  revoke: { role: 'RevokeRole', routes: { POST: ['/realms/{realm}/protocol/openid-connect/revoke'] } },
  introspect: { role: 'IntrospectRole', routes: { POST: ['/realms/{realm}/protocol/openid-connect/token/introspect'] } },
  certs: { role: 'ReadRealmRole', routes: { GET: ['/realms/{realm}/protocol/openid-connect/certs'] } },
  discovery: { role: 'ReadRealmRole', routes: { GET: ['/realms/{realm}/.well-known/openid-configuration'] } },
  admin: { role: 'AdminRole', routes: { ANY: ['/admin/{proxy+}'] } },
  console: { role: 'ConsoleRole', routes: { GET: ['/admin/{realm}/console/', '/admin/{realm}/console/assets/{file}'] } },
  // The Admin API's rare heavy routes (lib/adminApi/heavyFamilies.ts), with the admin function's role.
  adminHeavy: {
    role: 'AdminRole',
    routes: {
      POST: ['/admin/realms'],
      GET: ['protocol-mappers', 'scope-mappings/{roleContainerId}/granted', 'scope-mappings/{roleContainerId}/not-granted', 'generate-example-access-token', 'generate-example-id-token'].map(
        (tail) => `/admin/realms/{realm}/clients/{id}/evaluate-scopes/${tail}`,
      ),
    },
  },
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

async function packageStack(dir: string, params: Record<string, string> = {}): Promise<Template> {
  const paramArgs = Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
  // Not in the checkout: packaging deletes the service directory's `.serverless/` (test/support/packagingDir.ts).
  const service = await packagingDir();
  await promisify(execFile)(join(PROJECT_ROOT, 'node_modules/.bin/serverless'), ['package', '--stage', 'ci', '--package', dir, ...paramArgs], {
    cwd: service.dir,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
  });
  await service.remove();
  return JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

/** A file in the checkout's `.serverless/` (a developer's deploy state lives there) that packaging must leave alone. */
const userState = { dir: join(PROJECT_ROOT, '.serverless'), file: join(PROJECT_ROOT, '.serverless', `npm-test-${process.pid}.keep`), made: false };

before(async () => {
  userState.made = !(await stat(userState.dir).catch(() => undefined));
  await mkdir(userState.dir, { recursive: true });
  await writeFile(userState.file, 'kept');
  // `npm start` runs while `serverless package` builds beside it, as a developer would do.
  running = await npmStart();
  outDir = await mkdtemp(join(tmpdir(), 'sls-package-'));
  template = await packageStack(outDir);
  resources = template.Resources;
  tuned = await packageStack(join(outDir, 'tuned'), TUNED_PARAMS);
  alb = await packageStack(join(outDir, 'alb'), { ...ALB_PARAMS, wafRateLimit: '500' });
});

describe("the checkout's own .serverless/", () => {
  it('is left as it was by npm test (serverless package deletes the .serverless/ of the directory it runs in)', async () => {
    assert.equal(await readFile(userState.file, 'utf8'), 'kept');
  });
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

/** Evaluates a template condition (the Fn::Not / Fn::Equals / Fn::And / Condition subset the stack uses). */
function holds(t: Template, condition: string): boolean {
  const evaluate = (node: any): any => {
    if (typeof node !== 'object' || node === null) return node;
    if ('Fn::Not' in node) return !evaluate(node['Fn::Not'][0]);
    if ('Fn::Equals' in node) return evaluate(node['Fn::Equals'][0]) === evaluate(node['Fn::Equals'][1]);
    if ('Fn::And' in node) return node['Fn::And'].every(evaluate);
    if ('Condition' in node) return evaluate(t.Conditions![node.Condition]);
    throw new Error(`cannot evaluate ${JSON.stringify(node)}`);
  };
  assert.ok(t.Conditions?.[condition] !== undefined, `condition ${condition}`);
  return evaluate(t.Conditions![condition]);
}

/** A property written as `Fn::If` on a condition, as the deployed stack would see it. */
function resolveIf(t: Template, value: any): unknown {
  if (value && typeof value === 'object' && 'Fn::If' in value) {
    const [condition, yes, no] = value['Fn::If'];
    const chosen = holds(t, condition) ? yes : no;
    return chosen?.Ref === 'AWS::NoValue' ? undefined : chosen;
  }
  return value;
}

const statementsOf = (key: Resource): any[] => key.Properties.KeyPolicy.Statement;
const principals = (statement: any): string[] =>
  [statement.Principal.AWS].flat().map((p: any) => (typeof p === 'string' ? p : (p['Fn::GetAtt']?.[0] ?? (JSON.stringify(p).includes(':root') ? ':root' : JSON.stringify(p)))));
const actions = (statement: any): string[] => [statement.Action].flat();

describe('serverless package (CloudFormation)', () => {
  it('has every route in both path forms, each on its own function', () => {
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey as string);
    for (const { routes: byMethod } of Object.values(FUNCTIONS)) {
      for (const [method, path] of Object.entries(byMethod).flatMap(([method, paths]) => paths.map((path) => [method, path]))) {
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

  it('runs adminHeavy exactly as the admin function: same role, environment and timeout', () => {
    const [admin, heavy] = [resources.AdminLambdaFunction!.Properties, resources.AdminHeavyLambdaFunction!.Properties];
    assert.deepEqual(heavy.Role, admin.Role);
    assert.deepEqual(heavy.Environment, admin.Environment);
    assert.ok(admin.Environment.Variables.SIGNING_KEY_RS256);
    assert.equal(heavy.Timeout, 29);
    assert.equal(admin.Timeout, 29);
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

  it('grants KMS only in key policies: no role policy names a KMS action', () => {
    for (const [name, role] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
      assert.ok(!JSON.stringify(role.Properties.Policies ?? []).includes('kms:'), name);
    }
  });

  it("lets the account only administer each key, as lib/admin/keys.ts's realm keys do", () => {
    const keys = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::KMS::Key');
    assert.equal(keys.length, 3);
    for (const [name, key] of keys) {
      const admin = statementsOf(key).find((statement) => statement.Sid === 'AccountAdministersKey');
      assert.deepEqual(actions(admin), [...KEY_ADMINISTRATION_ACTIONS], name);
      // Whatever else the account may do through IAM, it is never to sign, decrypt or grant.
      for (const statement of statementsOf(key).filter((st) => JSON.stringify(st.Principal).includes(':root'))) {
        // Operators unwrap one thing only: realm peppers, to hash the secrets they set.
        const peppersOnly = statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'] === 'client-secret-pepper';
        const forbidden = peppersOnly ? /^kms:(\*|Sign|CreateGrant|Create\*|ReEncrypt.*|GenerateDataKeyPair)$/ : /^kms:(\*|Sign|Decrypt|CreateGrant|Create\*|ReEncrypt.*|GenerateDataKey(Pair)?)$/;
        for (const action of actions(statement)) assert.ok(!forbidden.test(action), `${name}: root may ${action}`);
      }
    }
  });

  it("lets only the token and refresh roles sign, with either stage signing key", () => {
    for (const name of ['SigningKeyRsa', 'SigningKeyEc']) {
      const signing = statementsOf(resources[name]!).filter((statement) => actions(statement).some((action) => action === 'kms:Sign' || action === 'kms:*'));
      assert.equal(signing.length, 1, name);
      assert.deepEqual(principals(signing[0]).sort(), ['RefreshRole', 'TokenRole']);
    }
  });

  it('conditions every Decrypt on the encryption context; only signers may unwrap signing keys; certs and discovery nothing', () => {
    const decrypts = statementsOf(resources.SecretsKey!).filter((statement) => actions(statement).includes('kms:Decrypt'));
    assert.ok(decrypts.length >= 2);
    for (const statement of decrypts) {
      assert.ok(statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'], statement.Sid);
      assert.ok(!principals(statement).includes('ReadRealmRole'), statement.Sid);
    }
    const purposesOf = (role: string) =>
      decrypts.filter((statement) => principals(statement).includes(role)).flatMap((statement) => [statement.Condition.StringEquals['kms:EncryptionContext:purpose']].flat());
    for (const role of ['TokenRole', 'RefreshRole']) assert.deepEqual(purposesOf(role).sort(), ['client-secret', 'client-secret-pepper', 'refresh-token-key', 'signing-key']);
    for (const role of ['LogoutRole', 'RevokeRole', 'IntrospectRole']) assert.deepEqual(purposesOf(role).sort(), ['client-secret', 'client-secret-pepper', 'refresh-token-key']);
    // The account (operators, through IAM) may unwrap the secret pepper, to hash new secrets, and nothing else.
    assert.deepEqual(purposesOf(':root'), ['client-secret-pepper']);
    assert.deepEqual(purposesOf('ReadRealmRole'), []);
    const allKeyPolicies = JSON.stringify(Object.values(resources).filter((r) => r.Type === 'AWS::KMS::Key').map((key) => key.Properties.KeyPolicy));
    assert.ok(!allKeyPolicies.includes('ReadRealmRole'));
  });

  it("writes JSON access logs of the HTTP API stage, correlated by API Gateway's request id, nothing secret", () => {
    const settings = resources.HttpApiStage!.Properties.AccessLogSettings;
    assert.deepEqual(settings.DestinationArn, { 'Fn::GetAtt': ['HttpApiAccessLogs', 'Arn'] });
    assert.equal(resources.HttpApiAccessLogs!.Type, 'AWS::Logs::LogGroup');
    assert.ok(resources.HttpApiAccessLogs!.Properties.RetentionInDays > 0);
    const format = JSON.parse(settings.Format) as Record<string, string>;
    // The functions log the same id as correlation_id (lib/observability.ts startRequest).
    assert.equal(format.requestId, '$context.requestId');
    assert.equal(format.sourceIp, '$context.identity.sourceIp');
    assert.equal(format.userAgent, '$context.identity.userAgent');
    assert.equal(format.status, '$context.status');
    assert.ok(!/authorization|header\.|requestBody|querystring/i.test(settings.Format));
  });

  it('reserves concurrency for the token function by default, per function by parameter', () => {
    const reserved = (t: Template, fn: string) => resolveIf(t, t.Resources[logicalName(fn)]!.Properties.ReservedConcurrentExecutions);
    assert.equal(Number(reserved(template, 'token')), 100);
    for (const fn of Object.keys(FUNCTIONS).filter((fn) => fn !== 'token')) assert.equal(reserved(template, fn), undefined, fn);
    assert.equal(reserved(tuned, 'token'), undefined);
    assert.equal(Number(reserved(tuned, 'refresh')), 25);
  });

  it('adds a WAF rate-based rule only when wafRateLimit is given, associated with wafResourceArn', () => {
    for (const name of ['WebAcl', 'WebAclAssociation']) assert.equal(holds(template, template.Resources[name]!.Condition!), false, name);
    assert.equal(holds(tuned, 'WafEnabled'), true);
    assert.equal(holds(tuned, 'WafAssociated'), true);
    const rule = tuned.Resources.WebAcl!.Properties.Rules[0];
    assert.deepEqual(rule.Action, { Block: {} });
    assert.equal(Number(rule.Statement.RateBasedStatement.Limit), 500);
    assert.equal(rule.Statement.RateBasedStatement.AggregateKeyType, 'IP');
    assert.equal(tuned.Resources.WebAclAssociation!.Properties.ResourceArn, TUNED_PARAMS.wafResourceArn);
  });

  it("fixes the issuer: the HTTP API's own URL by default, the issuerBaseUrl parameter when given", () => {
    for (const fn of Object.keys(FUNCTIONS)) {
      const issuer = resources[logicalName(fn)]!.Properties.Environment.Variables.ISSUER_BASE_URL;
      assert.deepEqual(issuer, { 'Fn::Join': ['', ['https://', { Ref: 'HttpApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] }, fn);
      assert.equal(tuned.Resources[logicalName(fn)]!.Properties.Environment.Variables.ISSUER_BASE_URL, 'https://auth.example.com', fn);
    }
  });

  it("gives the admin function its own least-privilege role: both tables, and in the secrets key's policy only client secrets, peppers and new wrapped keys", () => {
    const statements = resources.AdminRole!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement) as any[];
    const tables = statements.filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('dynamodb:')));
    // A table by its ARN, or one of its indexes by the ARN and `/index/<name>`.
    const tableOf = (resource: any) => resource['Fn::GetAtt']?.[0] ?? `${resource['Fn::Join'][1][0]['Fn::GetAtt'][0]}${resource['Fn::Join'][1][1]}`;
    assert.deepEqual(tables.flatMap((statement) => statement.Resource).map(tableOf).sort(), ['ClientsTable', 'SessionsTable', 'SessionsTable/index/byClient']);
    // A client's sessions are listed through the index alone: Query on the table itself stays out of reach.
    const sessionQueries = tables.filter((statement) => [statement.Action].flat().includes('dynamodb:Query') && statement.Resource.map(tableOf).some((name: string) => name.startsWith('SessionsTable')));
    assert.deepEqual(sessionQueries.flatMap((statement) => statement.Resource.map(tableOf)), ['SessionsTable/index/byClient']);
    const adminKeyStatements = (key: string) => statementsOf(resources[key]!).filter((statement) => principals(statement).includes('AdminRole'));
    assert.deepEqual(adminKeyStatements('SigningKeyRsa'), []);
    assert.deepEqual(adminKeyStatements('SigningKeyEc'), []);
    const granted = adminKeyStatements('SecretsKey').flatMap((statement) =>
      actions(statement).flatMap((action) => [statement.Condition.StringEquals['kms:EncryptionContext:purpose']].flat().map((purpose: string) => `${action} ${purpose}`)),
    );
    assert.deepEqual(granted.sort(), [
      'kms:Decrypt client-secret',
      'kms:Decrypt client-secret-pepper',
      'kms:Encrypt client-secret',
      'kms:GenerateDataKey client-secret-pepper',
      'kms:GenerateDataKeyPairWithoutPlaintext refresh-token-key',
      'kms:GenerateDataKeyPairWithoutPlaintext signing-key',
      'kms:GenerateDataKeyWithoutPlaintext refresh-token-key',
      'kms:GenerateDataKeyWithoutPlaintext signing-key',
    ]);
  });

  it('keeps every bundle at most 400 KB, and the admin code out of the token function', async () => {
    const sizes: Record<string, number> = {};
    // The admin function measured 429 KB on 2026-12-07; the rarely used heavy routes (realm import,
    // scope evaluation and token preview) moved to adminHeavy (lib/adminApi/heavyFamilies.ts) brought
    // it to 385 KB (docs/performance.md, "Cold starts and bundles").
    const limitKb = 400;
    for (const fn of Object.keys(FUNCTIONS)) {
      const listing = (await promisify(execFile)('unzip', ['-l', join(outDir, `${fn}.zip`)])).stdout;
      const line = listing.split('\n').find((l) => l.trim().endsWith(`functions/${fn}.mjs`))!;
      sizes[fn] = Number(line.trim().split(/\s+/)[0]);
      assert.ok(sizes[fn]! > 0 && sizes[fn]! <= limitKb * 1024, `${fn}: ${sizes[fn]} bytes`);
    }
    const token = (await promisify(execFile)('unzip', ['-p', join(outDir, 'token.zip'), 'functions/token.mjs'], { maxBuffer: 8 * 1024 * 1024 })).stdout;
    // Strings only the Admin API holds (lib/adminApi/errors.ts, lib/admin/realmManagement.ts).
    for (const marker of ['HTTP 401 Unauthorized', 'Cannot parse the JSON', 'realm-management']) assert.ok(!token.includes(marker), marker);
    assert.ok(sizes.admin! > sizes.token!, 'the admin bundle holds the admin code');
    // The heavy routes' code stays out of the admin function: strings only the realm import
    // (lib/admin/realmImportValidate.ts) and the evaluate routes (lib/adminApi/evaluateScopes.ts) hold.
    const bundle = async (fn: string) => (await promisify(execFile)('unzip', ['-p', join(outDir, `${fn}.zip`), `functions/${fn}.mjs`], { maxBuffer: 8 * 1024 * 1024 })).stdout;
    const [admin, heavy] = [await bundle('admin'), await bundle('adminHeavy')];
    for (const marker of ['duplicate clientId', 'generate-example-id-token']) assert.ok(!admin.includes(marker) && heavy.includes(marker), marker);
  });
});

describe('serverless package --param frontDoor=alb (CloudFormation)', () => {
  const ofType = (type: string) => Object.entries(alb.Resources).filter(([, r]) => r.Type === type);

  it('has no API Gateway at all, and the HTTP API template has no load balancer', () => {
    assert.deepEqual(Object.values(alb.Resources).filter((r) => r.Type.startsWith('AWS::ApiGatewayV2::')), []);
    assert.deepEqual(Object.values(resources).filter((r) => r.Type.startsWith('AWS::ElasticLoadBalancingV2::')), []);
  });

  it('puts an internet-facing ALB in the given subnets, HTTPS only with the given certificate, its DNS name the default issuer', () => {
    const [[, balancer]] = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer') as [[string, Resource]];
    assert.equal(balancer.Properties.Scheme, 'internet-facing');
    assert.deepEqual(balancer.Properties.Subnets, { 'Fn::Split': [',', 'subnet-aaaa,subnet-bbbb'] });
    const attributes = Object.fromEntries(balancer.Properties.LoadBalancerAttributes.map((a: { Key: string; Value: string }) => [a.Key, a.Value]));
    assert.equal(attributes['routing.http.xff_header_processing.mode'], 'append');
    const listeners = ofType('AWS::ElasticLoadBalancingV2::Listener').map(([, r]) => r.Properties);
    assert.deepEqual(listeners.map((l) => [l.Port, l.Protocol]), [[443, 'HTTPS']]);
    assert.equal(listeners[0]!.Certificates[0].CertificateArn, ALB_PARAMS.albCertificateArn);
    const [[, group]] = ofType('AWS::EC2::SecurityGroup') as [[string, Resource]];
    assert.equal(group.Properties.VpcId, ALB_PARAMS.albVpcId);
    assert.deepEqual(group.Properties.SecurityGroupIngress.map((rule: { FromPort: number }) => rule.FromPort), [443]);
    for (const fn of Object.keys(FUNCTIONS)) {
      const issuer = alb.Resources[logicalName(fn)]!.Properties.Environment.Variables.ISSUER_BASE_URL;
      assert.deepEqual(issuer, { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['LoadBalancer', 'DNSName'] }]] }, fn);
    }
  });

  it('ranks the ALB rules of routes inside `/admin/{proxy+}` (console, adminHeavy) before that greedy one, as API Gateway does', () => {
    const rules = ofType('AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties);
    const priorityOf = (fn: string) => rules.filter((r) => r.Actions[0].TargetGroupArn.Ref.startsWith(`${logicalName(fn).replace('LambdaFunction', '')}Alb`)).map((r) => Number(r.Priority));
    const greedy = Math.min(...priorityOf('admin'));
    for (const fn of ['console', 'adminHeavy']) assert.ok(Math.max(...priorityOf(fn)) < greedy, fn);
  });

  it("gives each function one Lambda target group, with Keycloak's paths in both forms and its methods", () => {
    const groups = ofType('AWS::ElasticLoadBalancingV2::TargetGroup');
    assert.equal(groups.length, Object.keys(FUNCTIONS).length);
    const rules = ofType('AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties);
    const priorities = rules.map((rule) => rule.Priority);
    assert.equal(new Set(priorities).size, priorities.length, 'listener rule priorities are unique');
    for (const [fn, { routes: byMethod }] of Object.entries(FUNCTIONS)) {
      const prefix = `${logicalName(fn).replace('LambdaFunction', '')}Alb`;
      const [groupName, group] = groups.find(([name]) => name.startsWith(prefix))!;
      assert.equal(group.Properties.TargetType, 'lambda', fn);
      assert.deepEqual(group.Properties.Targets, [{ Id: { 'Fn::GetAtt': [logicalName(fn), 'Arn'] } }], fn);
      assert.deepEqual(group.Properties.TargetGroupAttributes, [{ Key: 'lambda.multi_value_headers.enabled', Value: true }], fn);
      // An ALB rule holds four paths at most: a function with more has several rules, per method.
      const ownRules = rules.filter((r) => r.Actions[0].TargetGroupArn.Ref === groupName);
      const methodOf = (rule: any) => rule.Conditions.find((c: { Field: string }) => c.Field === 'http-request-method')?.HttpRequestMethodConfig.Values as string[] | undefined;
      for (const [method, paths] of Object.entries(byMethod)) {
        // ANY (the admin function) is every method: no method condition at all.
        const methodRules = ownRules.filter((rule) => (method === 'ANY' ? methodOf(rule) === undefined : methodOf(rule)?.join() === method));
        const patterns = methodRules.flatMap((r) => r.Conditions.find((c: { Field: string }) => c.Field === 'path-pattern').Values as string[]);
        const expected = paths.flatMap((path) => [path, `/auth${path}`].map((p) => p.replace(/\{[^}]+\}/g, '*')));
        assert.deepEqual([...patterns].sort(), [...expected].sort(), `${fn} ${method}`);
      }
      assert.equal(ownRules.length, Object.values(byMethod).reduce((n, paths) => n + Math.ceil((paths.length * 2) / 4), 0), fn);
      const permission = Object.values(alb.Resources).find((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.SourceArn?.Ref === groupName);
      assert.equal(permission?.Properties.Principal, 'elasticloadbalancing.amazonaws.com', fn);
    }
  });

  it('attaches the WAF rate-based rule, when there is one, to the load balancer itself', () => {
    assert.equal(holds(alb, 'WafEnabled'), true);
    assert.deepEqual(alb.Resources.AlbWebAclAssociation!.Properties.ResourceArn, { Ref: 'LoadBalancer' });
    assert.equal(alb.Resources.AlbWebAclAssociation!.Condition, 'WafEnabled');
  });

  it('refuses to package an ALB without its parameters, naming them, and an unknown front door', async () => {
    const outputOf = (err: Error & { stdout?: string; stderr?: string }) => `${err.message}${err.stdout ?? ''}${err.stderr ?? ''}`;
    await assert.rejects(packageStack(join(outDir, 'alb-bare'), { frontDoor: 'alb' }), (err: Error) => {
      const output = outputOf(err);
      return ['AlbSecurityGroup.Properties.VpcId', 'LoadBalancer.Properties.Subnets', 'Certificates.0.CertificateArn'].every((at) => output.includes(at));
    });
    await assert.rejects(packageStack(join(outDir, 'cloudfront'), { frontDoor: 'cloudfront' }), (err: Error) => outputOf(err).includes('Value not found at "file" source'));
  });
});

after(async () => {
  await running?.stop();
  await rm(outDir, { recursive: true, force: true });
  await rm(userState.made ? userState.dir : userState.file, { recursive: true, force: true });
});
