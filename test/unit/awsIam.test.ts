import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { GET_CALLER_IDENTITY_BODY, readCallerIdentityRequest, stsHostsFor } from '../../lib/clientAuth/callerIdentityRequest.js';
import { canonicalArn, parseCallerIdentity, StsRefused, stsCallerIdentity, StsUnavailable } from '../../lib/clientAuth/stsCallerIdentity.js';
import { loadConfig } from '../../lib/config.js';
import { identityProviderProblem } from '../../lib/model/identityProvider.js';
import { parseIdentityProvider } from '../../lib/representation/identityProvider.js';
import { adminApiFixture } from '../support/adminApiFixture.js';

/**
 * The `aws-iam` pieces that need no AWS: reading a presigned GetCallerIdentity request, STS's
 * answer, the canonical ARN, the STS call's limits, the local-only endpoint override, and the
 * IdP through the Admin REST API.
 */

const SERVER_ID = 'https://auth.example.com/realms/prod';
const AUTH = (signedHeaders: string, region = 'eu-west-1') =>
  `AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE01/20261207/${region}/sts/aws4_request, SignedHeaders=${signedHeaders}, Signature=${'a'.repeat(64)}`;

function login(overrides: { method?: string; url?: string; body?: string; headers?: Record<string, unknown> } = {}, region = 'eu-west-1'): string {
  const host = region === 'us-east-1' ? 'sts.amazonaws.com' : `sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
  const headers = overrides.headers ?? {
    host,
    'content-type': 'application/x-www-form-urlencoded',
    'x-amz-date': '20261207T050000Z',
    'x-sa-server-id': SERVER_ID,
    authorization: AUTH('content-type;host;x-amz-date;x-sa-server-id', region),
  };
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return Buffer.from(
    JSON.stringify({
      iam_http_request_method: overrides.method ?? 'POST',
      iam_request_url: b64(overrides.url ?? `https://${host}/`),
      iam_request_body: b64(overrides.body ?? GET_CALLER_IDENTITY_BODY),
      iam_request_headers: headers,
    }),
  ).toString('base64url');
}
const fail = (reason: string) => new Error(reason);
const read = (assertion: string) => readCallerIdentityRequest(assertion, SERVER_ID, fail);

describe('aws-iam: reading the presigned request', () => {
  it('reads a well-formed request and forwards only the signed headers and Authorization', () => {
    const headers = {
      Host: 'sts.eu-west-1.amazonaws.com',
      'Content-Type': ['application/x-www-form-urlencoded'],
      'X-Amz-Date': '20261207T050000Z',
      'X-Sa-Server-Id': SERVER_ID,
      'User-Agent': 'not signed',
      Authorization: AUTH('content-type;host;x-amz-date;x-sa-server-id'),
    };
    const request = read(login({ headers }));
    assert.equal(request.host, 'sts.eu-west-1.amazonaws.com');
    assert.equal(request.partition, 'aws');
    assert.equal(request.signedAt, Date.UTC(2026, 11, 7, 5, 0, 0) / 1000);
    assert.deepEqual(
      request.headers.map(([name]) => name),
      ['content-type', 'host', 'x-amz-date', 'x-sa-server-id', 'authorization'],
    );
  });

  it('knows the partitions: regional hosts, the global endpoint for us-east-1 only, China and GovCloud', () => {
    assert.deepEqual(stsHostsFor('us-east-1'), { partition: 'aws', hosts: ['sts.us-east-1.amazonaws.com', 'sts.amazonaws.com'] });
    assert.deepEqual(stsHostsFor('eu-central-2'), { partition: 'aws', hosts: ['sts.eu-central-2.amazonaws.com'] });
    assert.deepEqual(stsHostsFor('cn-north-1'), { partition: 'aws-cn', hosts: ['sts.cn-north-1.amazonaws.com.cn'] });
    assert.deepEqual(stsHostsFor('us-gov-west-1'), { partition: 'aws-us-gov', hosts: ['sts.us-gov-west-1.amazonaws.com'] });
    assert.equal(stsHostsFor('us-iso-east-1'), undefined);
    assert.equal(stsHostsFor('local'), undefined);
    assert.equal(read(login({}, 'cn-north-1')).partition, 'aws-cn');
  });

  it('refuses every deviation, each with its reason', () => {
    const base = {
      host: 'sts.eu-west-1.amazonaws.com',
      'x-amz-date': '20261207T050000Z',
      'x-sa-server-id': SERVER_ID,
      authorization: AUTH('host;x-amz-date;x-sa-server-id'),
    };
    const cases: [string, string | RegExp][] = [
      [login({ method: 'GET' }), 'The request method must be POST'],
      [login({ body: `${GET_CALLER_IDENTITY_BODY}&x=1` }), /body must be exactly/],
      [login({ url: 'http://sts.eu-west-1.amazonaws.com/' }), /must be https/],
      [login({ url: 'https://sts.eu-west-1.amazonaws.com/?Action=AssumeRole' }), /no port, path or query/],
      [login({ url: 'https://sts.eu-west-1.amazonaws.com/x' }), /no port, path or query/],
      [login({ url: 'https://user@sts.eu-west-1.amazonaws.com/' }), /no port, path or query/],
      [login({ url: 'https://sts.eu-west-1.amazonaws.com./' }), /not for an STS endpoint/],
      [login({ url: 'https://sts.us-east-1.amazonaws.com/' }), /not for an STS endpoint/],
      [login({ headers: { ...base, host: 'sts.us-east-1.amazonaws.com' } }), /not for an STS endpoint/],
      [login({ headers: { ...base, authorization: AUTH('host;x-amz-date;x-sa-server-id').replace('/sts/', '/iam/') } }), /no SigV4 Authorization header for sts/],
      [login({ headers: { ...base, authorization: 'AWS4-HMAC-SHA256 Credential=x' } }), /no SigV4 Authorization/],
      [login({ headers: { ...base, authorization: AUTH('host;x-sa-server-id') } }), 'The x-amz-date header is not signed'],
      [login({ headers: { ...base, authorization: AUTH('host;x-amz-date') } }), 'The x-sa-server-id header is not signed'],
      [login({ headers: { ...base, authorization: AUTH('host;x-amz-date;x-amz-security-token;x-sa-server-id') } }), 'The signed header x-amz-security-token is missing'],
      [login({ headers: { ...base, 'x-sa-server-id': `${SERVER_ID}/` } }), /not the realm issuer/],
      [login({ headers: { ...base, 'x-amz-date': '20261208T050000Z' } }), /not a SigV4 date of the credential scope/],
      [login({ headers: { ...base, 'x-amz-date': '2026-12-07T05:00:00Z' } }), /not a SigV4 date/],
      [login({ headers: { ...base, authorization: AUTH('content-length;host;x-amz-date;x-sa-server-id'), 'content-length': '44' } }), /content-length/],
      [login({ headers: { ...base, 'X-Sa-Server-Id': SERVER_ID } }), /twice/],
      [login({ headers: { ...base, 'x-extra': 'a\nb' } }), /malformed header/],
      [login({ headers: { ...base, 'bad name': 'x' } }), /malformed header/],
      [login({ headers: { ...base, 'x-two': ['a', 'b'] } }), /malformed header/],
      [login({ headers: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`x-h${i}`, 'v'])) }), /too many headers/],
      ['%%%', /not base64url-encoded JSON/],
      [Buffer.from('{"iam_http_request_method":"POST"}').toString('base64url'), /lacks/],
      ['A'.repeat(17_000), /too large/],
    ];
    for (const [assertion, reason] of cases) assert.throws(() => read(assertion), reason instanceof RegExp ? reason : { message: reason }, String(reason));
  });
});

describe('aws-iam: any login data', () => {
  class Refused extends Error {}
  /** Mostly the valid value, sometimes one of the others: most runs break one rule, many none. */
  const mostly = <T>(valid: T, ...others: T[]) => fc.oneof({ weight: 7, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
  const hosts = ['sts.eu-west-1.amazonaws.com', 'sts.amazonaws.com', 'sts.us-east-1.amazonaws.com', 'sts.cn-north-1.amazonaws.com.cn', 'sts.us-gov-west-1.amazonaws.com', 'evil.example.com', '169.254.169.254', 'sts.eu-west-1.amazonaws.com.evil.example.com'];
  const required = ['host', 'x-amz-date', 'x-sa-server-id'];
  const loginData = fc
    .record({
      method: mostly('POST', 'GET', 'post'),
      urlHost: mostly(hosts[0]!, ...hosts.slice(1)),
      urlTail: mostly('/', '/?Action=AssumeRole', ':444/', '/x'),
      body: mostly(GET_CALLER_IDENTITY_BODY, `${GET_CALLER_IDENTITY_BODY}&a=b`, '', 'Action=AssumeRole&Version=2011-06-15'),
      hostHeader: mostly(hosts[0]!, ...hosts.slice(1)),
      region: mostly('eu-west-1', 'us-east-1', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'x'),
      signed: mostly(['content-type', ...required], required.slice(1), ['host', 'x-amz-date'], [...required, 'x-amz-security-token'], [...required, 'content-length']),
      absent: mostly<string[]>([], ['x-sa-server-id'], ['content-type'], ['x-amz-date']),
      serverId: mostly(SERVER_ID, `${SERVER_ID}x`, ''),
      date: mostly('20261207T050000Z', '20261208T050000Z', 'yesterday'),
      extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string(), { maxLength: 2 }), fc.integer())) }),
    })
    .map((d) => {
      const values: Record<string, unknown> = { 'content-type': 'application/x-www-form-urlencoded', host: d.hostHeader, 'x-amz-date': d.date, 'x-sa-server-id': d.serverId, 'x-amz-security-token': 't', 'content-length': '43' };
      const headers: Record<string, unknown> = Object.fromEntries(Object.entries(values).filter(([name]) => !d.absent.includes(name)));
      Object.assign(headers, d.extra);
      headers.authorization = AUTH([...d.signed].sort().join(';'), d.region);
      return login({ method: d.method, url: `https://${d.urlHost}${d.urlTail}`, body: d.body, headers });
    });
  let accepted = 0;

  it('is refused with a reason, or is a GetCallerIdentity for an STS host of its region, bound to the realm', () => {
    fc.assert(
      fc.property(loginData, (assertion) => {
        let request;
        try {
          request = readCallerIdentityRequest(assertion, SERVER_ID, (reason) => new Refused(reason));
        } catch (err) {
          assert.ok(err instanceof Refused, String(err));
          return;
        }
        accepted++;
        assert.ok(stsHostsFor(request.region)!.hosts.includes(request.host));
        assert.equal(request.body, GET_CALLER_IDENTITY_BODY);
        const sent = new Map(request.headers);
        assert.equal(sent.get('host'), request.host);
        assert.equal(sent.get('x-sa-server-id'), SERVER_ID);
        const signed = /SignedHeaders=([^,]+)/.exec(sent.get('authorization')!)![1]!.split(';');
        for (const name of sent.keys()) assert.ok(signed.includes(name) || name === 'authorization' || name === 'content-type', name);
      }),
      { numRuns: 2000 },
    );
    assert.ok(accepted > 50, `only ${accepted} of 2000 were well-formed: the property would be vacuous`);
  });
});

describe("aws-iam: STS's answer", () => {
  const ok = (arn: string, account = '123456789012') =>
    `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AROAX:s</UserId><Account>${account}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`;

  it('reads Arn, Account and UserId, each exactly once and of the documented shape', () => {
    assert.deepEqual(parseCallerIdentity(ok('arn:aws:sts::123456789012:assumed-role/r/s')), { arn: 'arn:aws:sts::123456789012:assumed-role/r/s', account: '123456789012', userId: 'AROAX:s' });
    assert.throws(() => parseCallerIdentity(ok('arn:aws:sts::123456789012:assumed-role/r/s</Arn><Arn>arn:aws:iam::1:root')), StsUnavailable);
    assert.throws(() => parseCallerIdentity(ok('arn:aws:sts::123456789012:assumed-role/r/s', '999999999999')), StsUnavailable, 'the account must be the ARN’s');
    assert.throws(() => parseCallerIdentity(ok('not-an-arn')), StsUnavailable);
    assert.throws(() => parseCallerIdentity('<ErrorResponse/>'), StsUnavailable);
  });

  it('canonicalises an assumed role to its role ARN, and leaves other ARNs as they are', () => {
    assert.equal(canonicalArn('arn:aws:sts::123456789012:assumed-role/billing/i-0abc'), 'arn:aws:iam::123456789012:role/billing');
    assert.equal(canonicalArn('arn:aws-cn:sts::123456789012:assumed-role/billing/fn'), 'arn:aws-cn:iam::123456789012:role/billing');
    assert.equal(canonicalArn('arn:aws:iam::123456789012:user/ops/alice'), 'arn:aws:iam::123456789012:user/ops/alice');
  });

  it('caps time and size, follows no redirect, and tells a refusal from an outage', async () => {
    let behaviour: 'hang' | 'refuse' | 'redirect' | 'big' = 'hang';
    const server = createServer((_req, res) => {
      if (behaviour === 'refuse') return res.writeHead(403).end('<ErrorResponse><Error><Code>ExpiredToken</Code></Error></ErrorResponse>');
      if (behaviour === 'redirect') return res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      if (behaviour === 'big') return res.writeHead(200).end('x'.repeat(20_000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const sts = stsCallerIdentity({ timeoutMs: 200, maxBytes: 16 * 1024, allowLoopbackHttp: true, endpointOverride: url });
    const request = { ...read(login()), headers: [['host', 'sts.eu-west-1.amazonaws.com']] as [string, string][] };
    try {
      await assert.rejects(sts(request), /too slow/);
      behaviour = 'refuse';
      await assert.rejects(sts(request), (err: unknown) => err instanceof StsRefused && err.code === 'ExpiredToken');
      behaviour = 'redirect';
      await assert.rejects(sts(request), (err: unknown) => err instanceof StsUnavailable && /status 302/.test(err.message));
      behaviour = 'big';
      await assert.rejects(sts(request), /too large/);
      assert.equal(sts.calls(), 4);
      // Without the override, a loopback URL is never used: the request goes to its STS host.
      const deployed = stsCallerIdentity({ timeoutMs: 200, maxBytes: 1024, allowLoopbackHttp: false });
      await assert.rejects(deployed({ ...request, host: '127.0.0.1' }), StsUnavailable);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('LOCAL_STS_ENDPOINT is refused outside the local stage and off this machine', () => {
    const env = { CLIENTS_TABLE: 'c', SESSIONS_TABLE: 's' };
    assert.equal(loadConfig({ ...env, LOCAL_STAGE: 'true', LOCAL_STS_ENDPOINT: 'http://127.0.0.1:4566/' }).localStsEndpoint, 'http://127.0.0.1:4566/');
    assert.throws(() => loadConfig({ ...env, LOCAL_STS_ENDPOINT: 'http://127.0.0.1:4566/' }), /local stage only/);
    assert.throws(() => loadConfig({ ...env, LOCAL_STAGE: 'true', LOCAL_STS_ENDPOINT: 'https://sts.evil.example.com/' }), /on this machine/);
  });
});

describe('aws-iam identity providers', () => {
  it('one enabled per partition; a disabled one does not count', () => {
    const aws = parseIdentityProvider({ alias: 'aws', providerId: 'aws-iam' });
    assert.deepEqual(aws.config, { partition: 'aws' }, 'the default partition is stored');
    const url = () => undefined;
    assert.match(identityProviderProblem(parseIdentityProvider({ alias: 'b', providerId: 'aws-iam' }), [aws], url)!, /Partition 'aws' already trusted by IDP 'aws'/);
    assert.equal(identityProviderProblem(parseIdentityProvider({ alias: 'b', providerId: 'aws-iam' }), [{ ...aws, enabled: false }], url), undefined);
    assert.equal(identityProviderProblem(parseIdentityProvider({ alias: 'cn', providerId: 'aws-iam', config: { partition: 'aws-cn' } }), [aws], url), undefined);
    assert.match(identityProviderProblem(parseIdentityProvider({ alias: 'x', providerId: 'aws-iam', config: { partition: 'mars' } }), [], url)!, /Invalid partition/);
  });

  it('through the Admin REST API as Keycloak represents an assertion-only IdP', async () => {
    const { call } = await adminApiFixture();
    const PATH = '/admin/realms/r/identity-provider/instances';
    const created = await call('POST', PATH, { token: 'r-admin', body: { alias: 'aws', providerId: 'aws-iam', enabled: true, config: { federatedClientAssertionMaxExpiration: '120' } } });
    assert.equal(created.status, 201);
    const read = await call('GET', `${PATH}/aws`, { token: 'r-admin' });
    assert.deepEqual({ ...read.body, internalId: 'x' }, { alias: 'aws', internalId: 'x', providerId: 'aws-iam', enabled: true, config: { federatedClientAssertionMaxExpiration: '120', partition: 'aws' }, types: ['CLIENT_ASSERTION'] });
    assert.deepEqual((await call('GET', `${PATH}?type=CLIENT_ASSERTION`, { token: 'r-admin' })).body.map((idp: { alias: string }) => idp.alias), ['aws']);
    const clash = await call('POST', PATH, { token: 'r-admin', body: { alias: 'aws2', providerId: 'aws-iam' } });
    assert.equal(clash.status, 400);
    assert.match(clash.body.errorMessage, /already trusted by IDP 'aws'/);
    assert.equal((await call('GET', '/admin/realms/r/identity-provider/providers/aws-iam', { token: 'r-admin' })).status, 200);
  });
});
