/**
 * The `aws-iam` assertion: a `sts:GetCallerIdentity` request the workload signed with its AWS
 * credentials (SigV4) and did not send. We send it to STS, and STS tells us whose signature it is
 * (Vault's `aws` auth method, builtin/credential/aws/path_login.go). This module only reads the
 * request and applies every rule that needs no network; it is pure.
 *
 * The assertion is Vault's login data, base64url-encoded JSON, so Vault's client libraries'
 * output (awsutil.GenerateLoginData) can be sent as it is:
 *   {"iam_http_request_method":"POST", "iam_request_url":<base64 URL>,
 *    "iam_request_body":<base64 body>, "iam_request_headers":<base64 JSON, or a JSON object>}
 *
 * Why each rule (docs/workload-identity.md):
 * - The host must be an STS endpoint of the partition, for the region the request is signed for,
 *   and the request goes there and nowhere else: a host taken from the request would make us an
 *   SSRF proxy, or let a fake "STS" answer with any ARN.
 * - POST and exactly `Action=GetCallerIdentity&Version=2011-06-15`: no other STS action, no
 *   parameter we did not mean to send.
 * - `X-Sa-Server-Id` equal to the realm issuer and covered by the signature: a request signed for
 *   another relying party (or another realm) is refused, and the header cannot be added after
 *   signing (GHSA-wq26-3j2m-4hvv).
 * - Only the signed headers and the Authorization header are forwarded: nothing the signature
 *   does not cover reaches STS.
 */

export const SERVER_ID_HEADER = 'x-sa-server-id';
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

export interface SignedCallerIdentityRequest {
  /** The STS host the request is signed for, one of the partition's. */
  host: string;
  region: string;
  partition: string;
  accessKeyId: string;
  /** X-Amz-Date, epoch seconds. */
  signedAt: number;
  /** The SigV4 signature (hex): unique per signing, so the replay key. Never logged. */
  signature: string;
  /** Exactly what is forwarded: the signed headers and Authorization, lower-case names. */
  headers: [string, string][];
  body: string;
}

const MAX_ASSERTION_LENGTH = 16 * 1024;
const MAX_HEADERS = 24;
const MAX_HEADER_VALUE_LENGTH = 4096;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
/** Visible ASCII and spaces: no CR, LF or NUL can split a header. */
const HEADER_VALUE = /^[\x20-\x7e]*$/;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]{1,32})\/sts\/aws4_request, ?SignedHeaders=([a-z0-9-]+(?:;[a-z0-9-]+)*), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * The partitions' STS endpoints (https://docs.aws.amazon.com/general/latest/gr/sts.html): regional
 * `sts.<region>.<suffix>`, and in the commercial partition the global `sts.amazonaws.com`, which
 * signs with us-east-1. FIPS and ISO endpoints are not trusted.
 */
const PARTITION_REGIONS: readonly { partition: string; region: RegExp; suffix: string }[] = [
  { partition: 'aws-cn', region: /^cn-[a-z]+-\d{1,2}$/, suffix: 'amazonaws.com.cn' },
  { partition: 'aws-us-gov', region: /^us-gov-[a-z]+-\d{1,2}$/, suffix: 'amazonaws.com' },
  { partition: 'aws', region: /^[a-z]{2}-[a-z]+-\d{1,2}$/, suffix: 'amazonaws.com' },
];

/** The STS hosts a request signed for `region` may go to, and the region's partition; undefined for a region of no trusted partition. */
export function stsHostsFor(region: string): { partition: string; hosts: string[] } | undefined {
  const entry = PARTITION_REGIONS.find((candidate) => candidate.region.test(region));
  if (!entry) return undefined;
  const hosts = [`sts.${region}.${entry.suffix}`];
  if (entry.partition === 'aws' && region === 'us-east-1') hosts.push('sts.amazonaws.com');
  return { partition: entry.partition, hosts };
}

/**
 * Reads the assertion and checks everything but the time (the IdP's window) and the signature
 * (STS's job). `serverId` is the realm issuer the request must be bound to. Throws `fail(reason)`.
 */
export function readCallerIdentityRequest(assertion: string, serverId: string, fail: (reason: string) => Error): SignedCallerIdentityRequest {
  const login = loginData(assertion, fail);
  if (login.method !== 'POST') throw fail('The request method must be POST');
  if (login.body !== GET_CALLER_IDENTITY_BODY) throw fail(`The request body must be exactly ${GET_CALLER_IDENTITY_BODY}`);
  let url: URL;
  try {
    url = new URL(login.url);
  } catch {
    throw fail('The request URL is not a URL');
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw fail('The request URL must be https://<STS host>/ with no port, path or query');
  }

  const headers = login.headers;
  const authorization = AUTHORIZATION.exec(headers.get('authorization') ?? '');
  if (!authorization) throw fail('The request has no SigV4 Authorization header for sts');
  const [, accessKeyId, scopeDate, region, signedList, signature] = authorization as unknown as [string, string, string, string, string, string];
  const signed = signedList.split(';');
  for (const required of ['host', 'x-amz-date', SERVER_ID_HEADER]) {
    if (!signed.includes(required)) throw fail(required === SERVER_ID_HEADER ? `The ${SERVER_ID_HEADER} header is not signed` : `The ${required} header is not signed`);
  }
  const missing = signed.find((name) => !headers.has(name));
  if (missing !== undefined) throw fail(`The signed header ${missing} is missing`);

  const sts = stsHostsFor(region);
  const host = headers.get('host')!;
  if (!sts || !sts.hosts.includes(url.hostname) || host !== url.hostname) throw fail('The request is not for an STS endpoint of the region it is signed for');
  if (headers.get(SERVER_ID_HEADER) !== serverId) throw fail(`The ${SERVER_ID_HEADER} header is not the realm issuer`);
  const contentLength = headers.get('content-length');
  if (contentLength !== undefined && contentLength !== String(Buffer.byteLength(login.body))) throw fail('The content-length header does not match the body');

  const date = AMZ_DATE.exec(headers.get('x-amz-date')!);
  if (!date || !headers.get('x-amz-date')!.startsWith(scopeDate)) throw fail('The x-amz-date header is not a SigV4 date of the credential scope');
  const [, year, month, day, hour, minute, second] = date.map(Number) as [number, number, number, number, number, number, number];
  const signedAt = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;

  const forwarded: [string, string][] = signed.map((name) => [name, headers.get(name)!]);
  forwarded.push(['authorization', headers.get('authorization')!]);
  // STS reads the form body only as a form; a client that did not sign the type gets the one it meant.
  if (!headers.has('content-type')) forwarded.push(['content-type', 'application/x-www-form-urlencoded; charset=utf-8']);
  return { host, region, partition: sts.partition, accessKeyId, signedAt, signature, headers: forwarded, body: login.body };
}

/** Vault's login data, decoded; headers by lower-case name (a Map: the names are the caller's). */
function loginData(assertion: string, fail: (reason: string) => Error): { method: string; url: string; body: string; headers: Map<string, string> } {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw fail('The assertion is too large');
  const json = decodeJson(assertion);
  if (!isObject(json)) throw fail('The assertion is not base64url-encoded JSON login data');
  const field = (name: string) => (typeof json[name] === 'string' ? (json[name] as string) : undefined);
  const method = field('iam_http_request_method');
  const url = base64Text(field('iam_request_url'));
  const body = base64Text(field('iam_request_body'));
  const rawHeaders = json.iam_request_headers;
  const headerObject = typeof rawHeaders === 'string' ? decodeJson(rawHeaders) : rawHeaders;
  if (method === undefined || url === undefined || body === undefined || !isObject(headerObject)) {
    throw fail('The assertion lacks iam_http_request_method, iam_request_url, iam_request_body or iam_request_headers');
  }
  const entries = Object.entries(headerObject);
  if (entries.length > MAX_HEADERS) throw fail('The request has too many headers');
  const headers = new Map<string, string>();
  for (const [name, raw] of entries) {
    // Go's http.Header is a list per name (Vault's clients send that); one value each here.
    const value = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || value.length > MAX_HEADER_VALUE_LENGTH || !HEADER_VALUE.test(value)) {
      throw fail('The request has a malformed header');
    }
    const lower = name.toLowerCase();
    if (headers.has(lower)) throw fail(`The request has the header ${lower} twice`);
    headers.set(lower, value);
  }
  return { method, url, body, headers };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Base64 or base64url text (Vault uses standard base64, URLs in forms base64url); undefined if it is neither. */
function base64Text(value: string | undefined): string | undefined {
  if (value === undefined || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

function decodeJson(value: string): unknown {
  const text = base64Text(value);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
