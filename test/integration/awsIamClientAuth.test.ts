import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { LogWriter } from '../../lib/logWriter.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { createClient } from '../../lib/admin/clients.js';
import { createIdentityProvider, updateIdentityProvider } from '../../lib/admin/identityProviders.js';
import { exportRealm } from '../../lib/admin/realmExport.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import type { OAuthError } from '../../lib/http/errors.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import { parseIdentityProvider } from '../../lib/representation/identityProvider.js';
import { Observability, type AuditDetails, type AuditEventType } from '../../lib/observability.js';
import { secretsKeyAlias } from '../../infra/seed.js';
import { apiEvent } from '../support/events.js';
import { adminCliInProcess } from '../support/adminCli.js';
import { countingClients, freshStack, type TestStack } from '../support/localAws.js';
import { AWS_IAM_FORM, awsIamClientAssertion, presignCallerIdentity, startStsDouble, type SignedRequest, type StsDouble } from '../support/stsDouble.js';

/**
 * The `aws-iam` identity provider (ours, Vault's design) against a local STS double that checks
 * SigV4 signatures with known keys, through the token endpoint of a runtime on DynamoDB Local and
 * the local KMS. Requests are presigned by the real @aws-sdk/client-sts. The double counts what
 * reaches it: a request refused on its form, its age or as a replay never does.
 */

const REALM_ISSUER = 'http://localhost:3000/realms/demo';
const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/billing-worker`;
const WORKER = { accessKeyId: 'ASIAWORKEREXAMPLE001', secretAccessKey: 'worker/secret/key/EXAMPLE', sessionToken: 'worker-session-token' };
const OTHER_ROLE = { accessKeyId: 'ASIAOTHERROLEEXAMPLE', secretAccessKey: 'other/secret/key/EXAMPLE' };
const LAMBDA = { accessKeyId: 'ASIALAMBDAEXAMPLE001', secretAccessKey: 'lambda/secret/key/EXAMPLE' };

class Recorder extends Observability {
  readonly events: (AuditDetails & { event: string; reason?: string })[] = [];
  readonly logs: Record<string, unknown>[] = [];
  override emit(type: AuditEventType, details: AuditDetails, error?: OAuthError): void {
    this.events.push({ event: error ? `${type}_ERROR` : type, ...details, ...(error ? { reason: error.logDescription ?? error.description } : {}) });
    super.emit(type, details, error);
  }
  override log(entry: Record<string, unknown>): void {
    this.logs.push(entry);
    super.log(entry);
  }
}
const recorder = new Recorder({ logger: new LogWriter({ logLevel: 'SILENT' }) });

let stack: TestStack;
let ctx: AdminContext;
let sts: StsDouble;
let runtime: Runtime;

function tokenCall(rt: () => Runtime) {
  const handler = httpHandler((request) => tokenEndpoint(rt(), request, tokenGrants), { noStore: true, log: () => undefined });
  return async (body: string) => {
    const res = await handler(apiEvent({ path: TOKEN_PATH, realm: 'demo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
    return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
  };
}
const token = tokenCall(() => runtime);
const UNIFORM_401 = { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' } };
const lastReason = () => recorder.events.at(-1)!.reason;

const signed = (options: Partial<Parameters<typeof presignCallerIdentity>[0]> = {}) => presignCallerIdentity({ ...WORKER, serverId: REALM_ISSUER, ...options });
const assertion = async (options: Partial<Parameters<typeof presignCallerIdentity>[0]> = {}) => awsIamClientAssertion(await signed(options));

/** Refused for `reason`, with the uniform 401, and STS never asked. */
async function refusedBeforeSts(request: SignedRequest | string, reason: string | RegExp): Promise<void> {
  const before = sts.received.length;
  const res = await token(AWS_IAM_FORM(typeof request === 'string' ? request : awsIamClientAssertion(request)));
  assert.deepEqual(res, UNIFORM_401);
  if (typeof reason === 'string') assert.equal(lastReason(), reason);
  else assert.match(lastReason() ?? '', reason);
  assert.equal(sts.received.length, before, 'STS is not asked');
}

before(async () => {
  sts = await startStsDouble(
    new Map([
      [WORKER.accessKeyId, { secretAccessKey: WORKER.secretAccessKey, sessionToken: WORKER.sessionToken, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/billing-worker/i-0abc123` }],
      [OTHER_ROLE.accessKeyId, { secretAccessKey: OTHER_ROLE.secretAccessKey, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/reporting/i-0def456` }],
      [LAMBDA.accessKeyId, { secretAccessKey: LAMBDA.secretAccessKey, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/billing-lambda/billing-fn` }],
    ]),
  );
  stack = await freshStack({ realmCacheTtlSeconds: 0, observability: recorder });
  runtime = withSts(sts.url);
  ctx = {
    names: { stage: 'test', service: 'sa-token-service', clientsTable: stack.table.tableName, signingKeyAliases: { RS256: 'x', ES256: 'x' }, secretsKeyId: secretsKeyAlias('test') },
    table: stack.table,
    kms: stack.kms,
    now: () => Math.floor(Date.now() / 1000),
    localStage: true,
  };
  await createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'aws', providerId: 'aws-iam', config: {} }));
  await createClient(ctx, 'demo', 'billing', { clientAuthenticatorType: 'federated-jwt', serviceAccountsEnabled: true, attributes: { 'jwt.credential.issuer': 'aws', 'jwt.credential.sub': ROLE_ARN } });
});

/** A container whose STS requests go to `endpoint` (config LOCAL_STS_ENDPOINT). */
function withSts(endpoint: string): Runtime {
  return createRuntime({ config: { ...stack.runtime.config, localStsEndpoint: endpoint }, ...countingClients(), signsTokens: true, observability: recorder });
}

after(async () => {
  await sts.close();
});

describe('aws-iam: a presigned GetCallerIdentity as the client assertion', () => {
  it('a request presigned by @aws-sdk/client-sts gets a token for the client bound to its role ARN', async () => {
    const before = sts.received.length;
    const request = await signed();
    const res = await token(AWS_IAM_FORM(awsIamClientAssertion(request)));
    assert.equal(res.status, 200, JSON.stringify(recorder.events.at(-1)));
    const claims = decodeJwt(res.body.access_token);
    assert.equal(claims.azp, 'billing');
    assert.equal(claims.preferred_username, 'service-account-billing');
    assert.equal(sts.received.length, before + 1);
    // Sent with the Host the request was signed for, and only the signed headers plus Authorization.
    const sent = sts.received.at(-1)!;
    assert.equal(sent.host, 'sts.eu-west-1.amazonaws.com');
    assert.equal(sent.headers['user-agent'], undefined, 'an unsigned header is not forwarded');
    const event = recorder.events.at(-1)!;
    assert.equal(event.event, 'CLIENT_LOGIN');
    assert.equal(event.client_auth_method, 'federated-jwt');
    assert.equal(event.client_assertion_sub, ROLE_ARN, 'the assumed-role ARN, canonicalised to its role');
    assert.equal(event.client_assertion_issuer, 'sts.eu-west-1.amazonaws.com');
    const signature = /Signature=([0-9a-f]+)/.exec(request.headers.authorization!)![1]!;
    assert.ok(!JSON.stringify(recorder.events).includes(signature), 'the signature never reaches the audit trail');
    assert.ok(!JSON.stringify(recorder.events).includes(WORKER.sessionToken));
  });

  it('a signature is single use: a replay, even 50 at once, never reaches STS twice', async () => {
    // A warm container (realm and clients cached), so the 50 requests race on the signature's write alone.
    const warm = createRuntime({
      config: { ...stack.runtime.config, localStsEndpoint: sts.url, realmCacheTtlSeconds: 60, clientCacheTtlSeconds: 60 },
      ...countingClients(),
      signsTokens: true,
      observability: recorder,
    });
    const warmToken = tokenCall(() => warm);
    assert.equal((await warmToken(AWS_IAM_FORM(await assertion()))).status, 200, lastReason());
    const request = awsIamClientAssertion(await signed());
    const before = sts.received.length;
    const results = await Promise.all(Array.from({ length: 50 }, () => warmToken(AWS_IAM_FORM(request))));
    assert.equal(results.filter((res) => res.status === 200).length, 1, JSON.stringify(recorder.events.slice(-50).filter((event) => event.reason !== 'Token reuse detected')));
    assert.equal(recorder.events.slice(-50).filter((event) => event.reason === 'Token reuse detected').length, 49);
    assert.equal(sts.received.length, before + 1, 'one STS call for 50 requests');
    await refusedBeforeSts(request, 'Token reuse detected');
  });

  it('refuses a request for another host, whatever it is signed for, without sending it anywhere', async () => {
    await refusedBeforeSts(await signed({ endpoint: 'https://sts.evil.example.com' }), 'The request is not for an STS endpoint of the region it is signed for');
    // An STS host, but of another region than the signature's scope.
    await refusedBeforeSts(await signed({ endpoint: 'https://sts.us-east-1.amazonaws.com' }), 'The request is not for an STS endpoint of the region it is signed for');
    await refusedBeforeSts(await signed({ endpoint: 'https://169.254.169.254' }), 'The request is not for an STS endpoint of the region it is signed for');
    await refusedBeforeSts(await signed({ endpoint: 'https://sts.eu-west-1.amazonaws.com:8443' }), /no port, path or query/);
    // The global endpoint signs with us-east-1 and is allowed.
    assert.equal((await token(AWS_IAM_FORM(await assertion({ region: 'us-east-1', endpoint: 'https://sts.amazonaws.com' })))).status, 200, lastReason());
    assert.equal(sts.received.at(-1)!.host, 'sts.amazonaws.com');
    // A URL naming one host and a Host header naming another.
    const request = await signed();
    await refusedBeforeSts({ ...request, url: 'https://sts.us-east-1.amazonaws.com/' }, 'The request is not for an STS endpoint of the region it is signed for');
  });

  it('refuses any body but exactly Action=GetCallerIdentity&Version=2011-06-15, and any method but POST', async () => {
    await refusedBeforeSts(await signed({ body: 'Action=GetCallerIdentity&Version=2011-06-15&RoleArn=x' }), 'The request body must be exactly Action=GetCallerIdentity&Version=2011-06-15');
    await refusedBeforeSts(await signed({ body: 'Action=AssumeRole&Version=2011-06-15' }), 'The request body must be exactly Action=GetCallerIdentity&Version=2011-06-15');
    await refusedBeforeSts({ ...(await signed()), method: 'GET' }, 'The request method must be POST');
  });

  it('requires the server-id header, signed, equal to the realm issuer', async () => {
    const unsigned = await signed({ serverId: undefined });
    await refusedBeforeSts({ ...unsigned, headers: { ...unsigned.headers, 'x-sa-server-id': REALM_ISSUER } }, 'The x-sa-server-id header is not signed');
    await refusedBeforeSts(await signed({ serverId: 'http://localhost:3000/realms/other' }), 'The x-sa-server-id header is not the realm issuer');
    await refusedBeforeSts(await signed({ serverId: 'https://vault.example.com' }), 'The x-sa-server-id header is not the realm issuer');
    const withoutHeader = await signed();
    const { 'x-sa-server-id': _dropped, ...rest } = withoutHeader.headers;
    await refusedBeforeSts({ ...withoutHeader, headers: rest }, 'The signed header x-sa-server-id is missing');
  });

  it('refuses a signature older than the max age or from the future', async () => {
    await refusedBeforeSts(await signed({ clockOffsetMs: -301_000 }), 'Request was signed too far in the past to be used now');
    await refusedBeforeSts(await signed({ clockOffsetMs: 60_000 }), 'Request was signed in the future');
    // 200 s old is within the default 300 s.
    assert.equal((await token(AWS_IAM_FORM(await assertion({ clockOffsetMs: -200_000 })))).status, 200, lastReason());
  });

  it("STS's refusal is the uniform 401 with STS's code in the audit event", async () => {
    const res = await token(AWS_IAM_FORM(await assertion({ accessKeyId: 'ASIAUNKNOWNEXAMPLE01' })));
    assert.deepEqual(res, UNIFORM_401);
    assert.equal(lastReason(), 'STS refused the request: InvalidClientTokenId');
    // A signed header changed after signing: STS (the double) finds the signature wrong.
    const request = await signed();
    const tampered = { ...request, headers: { ...request.headers, 'amz-sdk-invocation-id': '00000000-0000-0000-0000-000000000000' } };
    assert.deepEqual(await token(AWS_IAM_FORM(awsIamClientAssertion(tampered))), UNIFORM_401);
    assert.equal(lastReason(), 'STS refused the request: SignatureDoesNotMatch');
  });

  it('STS down, failing, redirecting or answering nonsense: 401 and a warning, never a 5xx', async () => {
    const warnings = () => recorder.logs.filter((entry) => entry.message === 'STS unavailable for an aws-iam assertion').length;
    for (const mode of ['error500', 'redirect', 'huge', 'not-xml'] as const) {
      sts.mode = mode;
      const before = warnings();
      const res = await token(AWS_IAM_FORM(await assertion()));
      sts.mode = 'sts';
      assert.deepEqual(res, UNIFORM_401, mode);
      assert.equal(lastReason(), 'Unable to ask STS who signed the request');
      assert.equal(warnings(), before + 1, mode);
    }
    // Nothing listening at all.
    const closed = await startStsDouble(new Map());
    const url = closed.url;
    await closed.close();
    const down = withSts(url);
    const res = await tokenCall(() => down)(AWS_IAM_FORM(await assertion()));
    assert.deepEqual(res, UNIFORM_401);
    assert.match(String(recorder.logs.at(-1)?.reason), /could not be reached/);
  });

  it('binds by the canonical role ARN: another role, or a role path, matches no client', async () => {
    const res = await token(AWS_IAM_FORM(await assertion(OTHER_ROLE)));
    assert.deepEqual(res, UNIFORM_401);
    assert.equal(lastReason(), 'No client for the assertion subject');
    assert.equal(recorder.events.at(-1)!.client_assertion_sub, `arn:aws:iam::${ACCOUNT}:role/reporting`);
    // STS does not return a role's path, so a client bound to the ARN with its path never matches (documented).
    await createClient(ctx, 'demo', 'with-path', { clientAuthenticatorType: 'federated-jwt', serviceAccountsEnabled: true, attributes: { 'jwt.credential.issuer': 'aws', 'jwt.credential.sub': `arn:aws:iam::${ACCOUNT}:role/team/reporting` } });
    assert.deepEqual(await token(AWS_IAM_FORM(await assertion(OTHER_ROLE))), UNIFORM_401);
  });

  it('several clients for one role: client_id chooses; claim conditions on account and session ARN', async () => {
    const lambdaRole = `arn:aws:iam::${ACCOUNT}:role/billing-lambda`;
    await createClient(ctx, 'demo', 'lambda-a', { clientAuthenticatorType: 'federated-jwt', serviceAccountsEnabled: true, attributes: { 'jwt.credential.issuer': 'aws', 'jwt.credential.sub': lambdaRole } });
    await createClient(ctx, 'demo', 'lambda-b', {
      clientAuthenticatorType: 'federated-jwt',
      serviceAccountsEnabled: true,
      attributes: { 'jwt.credential.issuer': 'aws', 'jwt.credential.sub': lambdaRole, 'jwt.credential.claims': JSON.stringify({ account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/billing-lambda/billing-*` }) },
    });
    assert.deepEqual(await token(AWS_IAM_FORM(await assertion(LAMBDA))), UNIFORM_401);
    assert.equal(lastReason(), 'Multiple clients matches attributes: send client_id to choose one');
    const chosen = await token(AWS_IAM_FORM(await assertion(LAMBDA), '&client_id=lambda-b'));
    assert.equal(chosen.status, 200, lastReason());
    assert.equal(decodeJwt(chosen.body.access_token).azp, 'lambda-b');
    await createClient(ctx, 'demo', 'lambda-c', {
      clientAuthenticatorType: 'federated-jwt',
      serviceAccountsEnabled: true,
      attributes: { 'jwt.credential.issuer': 'aws', 'jwt.credential.sub': lambdaRole, 'jwt.credential.claims': JSON.stringify({ account: '999999999999' }) },
    });
    assert.deepEqual(await token(AWS_IAM_FORM(await assertion(LAMBDA), '&client_id=lambda-c')), UNIFORM_401);
    assert.equal(lastReason(), 'Claim condition not met: account');
    assert.deepEqual(await token(AWS_IAM_FORM(await assertion(LAMBDA), '&client_id=billing')), UNIFORM_401);
    assert.equal(lastReason(), 'client_id does not name a client of the assertion subject');
  });

  it('a disabled IdP, or none for the partition, trusts nothing', async () => {
    await refusedBeforeSts(await signed({ region: 'cn-north-1', endpoint: 'https://sts.cn-north-1.amazonaws.com.cn' }), 'No identity provider for the client assertion');
    const idp = parseIdentityProvider({ alias: 'aws', providerId: 'aws-iam', enabled: false, config: {} });
    await updateIdentityProvider(ctx, 'demo', 'aws', idp);
    await refusedBeforeSts(await signed(), 'No identity provider for the client assertion');
    await updateIdentityProvider(ctx, 'demo', 'aws', { ...idp, enabled: true });
    assert.equal((await token(AWS_IAM_FORM(await assertion()))).status, 200, lastReason());
  });

  it('malformed assertions are the uniform 401, never a 5xx', async () => {
    const request = await signed();
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const hostile of [
      '',
      'not base64!',
      b64('[]'),
      b64('{"iam_http_request_method":"POST"}'),
      b64(JSON.stringify({ iam_http_request_method: 'POST', iam_request_url: b64(request.url), iam_request_body: b64(request.body), iam_request_headers: { ...request.headers, 'x-evil': 'a\r\nb: c' } })),
      b64(JSON.stringify({ iam_http_request_method: 'POST', iam_request_url: b64(request.url), iam_request_body: b64(request.body), iam_request_headers: { ...request.headers, HOST: 'sts.eu-west-1.amazonaws.com' } })),
      b64(JSON.stringify({ iam_http_request_method: 'POST', iam_request_url: b64(request.url), iam_request_body: b64(request.body), iam_request_headers: JSON.parse('{"__proto__":{"polluted":"yes"}}') })),
      'A'.repeat(16_000),
    ]) {
      await refusedBeforeSts(hostile, /./);
    }
    // Longer than any form value may be: refused by the form parser, before client authentication.
    assert.deepEqual(await token(AWS_IAM_FORM('A'.repeat(20_000))), { status: 400, body: { error: 'invalid_request', error_description: 'Parameter too long' } });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('aws-iam identity providers: admin', () => {
  it('one enabled aws-iam IdP per partition; a known partition only; exported with the realm', async () => {
    await assert.rejects(createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'aws2', providerId: 'aws-iam', config: { partition: 'aws' } })), /Partition 'aws' already trusted by IDP 'aws'/);
    await assert.rejects(createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'aws3', providerId: 'aws-iam', config: { partition: 'aws-iso' } })), /Invalid partition/);
    await createIdentityProvider(ctx, 'demo', parseIdentityProvider({ alias: 'aws-china', providerId: 'aws-iam', config: { partition: 'aws-cn' } }));
    const exported = await exportRealm(stack.table, 'demo');
    const idps = (exported.identityProviders as Record<string, unknown>[]).filter((idp) => idp.providerId === 'aws-iam');
    assert.deepEqual(
      idps.map((idp) => [idp.alias, idp.enabled, idp.config]),
      [
        ['aws', true, { partition: 'aws' }],
        ['aws-china', true, { partition: 'aws-cn' }],
      ],
    );
  });

  it('sa-admin idp create --type aws-iam, then a client bound to a role', async () => {
    const { json } = adminCliInProcess(() => stack.table.tableName);
    const created = await json(['idp', 'create', 'demo', 'aws-gov', '--type', 'aws-iam', '--partition', 'aws-us-gov', '--max-age', '120']);
    assert.equal(created.providerId, 'aws-iam');
    assert.deepEqual(created.config, { partition: 'aws-us-gov', federatedClientAssertionMaxExpiration: '120' });
    const made = await json(['client', 'create', 'demo', 'gov-worker', '--auth', 'federated-jwt', '--idp', 'aws-gov', '--subject', 'arn:aws-us-gov:iam::123456789012:role/worker']);
    assert.deepEqual(made, { clientId: 'gov-worker' });
  });
});
