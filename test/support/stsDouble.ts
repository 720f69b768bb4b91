import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AWS_IAM_ASSERTION } from '../../lib/model/identityProvider.js';

/**
 * A stand-in for AWS STS's GetCallerIdentity on a loopback port: it checks the SigV4 signature
 * itself (written from the SigV4 specification, not with the SDK's signer, so a request the real
 * SDK presigned is checked by an independent implementation) against the keys it was given, and
 * answers as STS does: the caller's identity in XML, or STS's ErrorResponse.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export interface StsKey {
  secretAccessKey: string;
  sessionToken?: string;
  arn: string;
}

export interface StsDouble {
  url: string;
  /** Requests received, with the Host header each carried. */
  received: { host: string | undefined; headers: IncomingMessage['headers'] }[];
  /** How it misbehaves next: a 500, never answering, a redirect, an oversized answer. */
  mode: 'sts' | 'error500' | 'hang' | 'redirect' | 'huge' | 'not-xml';
  close(): Promise<void>;
}

export async function startStsDouble(keys: ReadonlyMap<string, StsKey>): Promise<StsDouble> {
  const double: StsDouble = { url: '', received: [], mode: 'sts', close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      double.received.push({ host: req.headers.host, headers: req.headers });
      const body = Buffer.concat(chunks).toString('utf8');
      const xml = (status: number, text: string) => res.writeHead(status, { 'content-type': 'text/xml' }).end(text);
      switch (double.mode) {
        case 'error500':
          return xml(500, '<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>');
        case 'hang':
          return undefined;
        case 'redirect':
          return res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        case 'huge':
          return xml(200, `<GetCallerIdentityResponse>${' '.repeat(100_000)}</GetCallerIdentityResponse>`);
        case 'not-xml':
          return xml(200, '{"Arn":"arn:aws:iam::123456789012:role/admin"}');
      }
      const outcome = check(req, body, keys);
      if ('code' in outcome) return xml(outcome.status, errorResponse(outcome.code));
      return xml(200, identityResponse(outcome.arn));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  double.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return double;
}

function check(req: IncomingMessage, body: string, keys: ReadonlyMap<string, StsKey>): { arn: string } | { status: number; code: string } {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/sts\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
  if (!auth) return { status: 403, code: 'IncompleteSignature' };
  const [, keyId, date, region, signedHeaders, signature] = auth as unknown as string[];
  const key = keys.get(keyId!);
  if (!key || (key.sessionToken !== undefined && req.headers['x-amz-security-token'] !== key.sessionToken)) return { status: 403, code: 'InvalidClientTokenId' };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  // STS refuses a signature more than 15 minutes from its clock.
  if (!(Math.abs(Date.now() - signedAt) <= 15 * 60_000)) return { status: 403, code: 'SignatureDoesNotMatch' };
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names.map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, req.url?.split('?')[0], req.url?.split('?')[1] ?? '', canonicalHeaders, signedHeaders, sha256(body)].join('\n');
  const scope = `${date}/${region}/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = [date!, region!, 'sts', 'aws4_request'].reduce<Buffer>((k, part) => hmac(k, part), Buffer.from(`AWS4${key.secretAccessKey}`));
  if (hmac(signingKey, stringToSign).toString('hex') !== signature) return { status: 403, code: 'SignatureDoesNotMatch' };
  if (body !== 'Action=GetCallerIdentity&Version=2011-06-15') return { status: 400, code: 'InvalidAction' };
  return { arn: key.arn };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

function identityResponse(arn: string): string {
  const account = /^arn:[^:]+:[^:]+::(\d{12}):/.exec(arn)![1];
  const session = arn.split('/').at(-1);
  return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${arn}</Arn>
    <UserId>AROAEXAMPLEROLEID:${session}</UserId>
    <Account>${account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;
}

function errorResponse(code: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ErrorResponse>`;
}

/** A request as the SDK would have sent it. */
export interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * What a workload does: the real `@aws-sdk/client-sts` builds and signs GetCallerIdentity with the
 * server-id header added before signing, and the request is captured instead of sent. Options
 * bend it the ways the tests need (another region or endpoint, a skewed clock, another body).
 */
export async function presignCallerIdentity(options: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  serverId?: string;
  region?: string;
  endpoint?: string;
  clockOffsetMs?: number;
  body?: string;
}): Promise<SignedRequest> {
  let captured: SignedRequest | undefined;
  const client = new STSClient({
    region: options.region ?? 'eu-west-1',
    maxAttempts: 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.clockOffsetMs ? { systemClockOffset: options.clockOffsetMs } : {}),
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) },
    requestHandler: {
      async handle(request: { method: string; protocol: string; hostname: string; port?: number; path: string; headers: Record<string, string>; body: unknown }) {
        captured = { method: request.method, url: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`, headers: { ...request.headers }, body: String(request.body) };
        throw new Error('captured, not sent');
      },
    } as never,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string>; body: unknown };
      if (options.serverId !== undefined) request.headers['x-sa-server-id'] = options.serverId;
      if (options.body !== undefined) request.body = options.body;
      return next(args);
    },
    { step: 'build', name: 'serverIdHeader' },
  );
  await client.send(new GetCallerIdentityCommand({})).catch(() => undefined);
  client.destroy();
  if (!captured) throw new Error('the SDK signed nothing');
  return captured;
}

/** The `aws-iam` client assertion: Vault's login data, base64url JSON. */
export function awsIamClientAssertion(request: SignedRequest): string {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const login = {
    iam_http_request_method: request.method,
    iam_request_url: b64(request.url),
    iam_request_body: b64(request.body),
    iam_request_headers: b64(JSON.stringify(request.headers)),
  };
  return Buffer.from(JSON.stringify(login), 'utf8').toString('base64url');
}

export const AWS_IAM_FORM = (assertion: string, extra = '') =>
  `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(AWS_IAM_ASSERTION)}&client_assertion=${assertion}${extra}`;
