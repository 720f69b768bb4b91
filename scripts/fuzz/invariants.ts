/**
 * What every response to a hostile request must satisfy (issue 7): never a 5xx; a JSON body with
 * a JSON Content-Type; an error is a well-formed OAuth error; token-family responses carry
 * `Cache-Control: no-store`; and nothing in the body (or in the log) gives away a secret the
 * request presented, a demo client's secret, a stack trace, a file path or AWS internals.
 */
import { lenientDecode } from './routes.js';
import { PUBLIC_VALUES, SECRET_PARAMETERS, type HostileRequest } from './requests.js';

export interface ObservedResponse {
  status: number;
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface Expectation {
  /** The response comes from one of our handlers (over HTTP: the request matched a route). */
  routed: boolean;
  /** Token-endpoint family. */
  noStore: boolean;
  /** HEAD responses have no body to check. */
  bodyExpected: boolean;
}

/** Text that must never show in a response unless the request itself sent it. */
export const INTERNAL_MARKERS = ['    at ', '/work/', 'node_modules', 'file://', 'arn:aws', 'DynamoDB', 'KMS', 'Exception'];

/** Below this length a "secret" is too short to tell a leak from a coincidence. */
const MIN_SECRET_LENGTH = 8;

/** The request's text as the server could see it: raw, and with its body decoded. */
export function requestText(request: HostileRequest): string {
  return [request.method, request.path, request.realmParam ?? '', ...request.headers.flat(), bodyText(request)].join('\n');
}

export function bodyText(request: HostileRequest): string {
  if (request.body === undefined) return '';
  return typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
}

/** Every name/value pair the body might be read as: a form, JSON, or multipart. */
function bodyPairs(request: HostileRequest): [string, string][] {
  const text = bodyText(request);
  const pairs: [string, string][] = [];
  for (const part of text.split(/[&;\n]/)) {
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([rawName, rawValue], [lenientDecode(rawName.replace(/\+/g, ' ')), lenientDecode(rawValue.replace(/\+/g, ' '))]);
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === 'object') {
      for (const [name, value] of Object.entries(json)) pairs.push([name, typeof value === 'string' ? value : JSON.stringify(value)]);
    }
  } catch {
    // not JSON
  }
  for (const match of text.matchAll(/name="([^"]*)"\r?\n\r?\n([\s\S]*?)\r?\n--/g)) pairs.push([match[1]!, match[2]!]);
  return pairs;
}

/** The values the request presented as proof: secret parameters and the Authorization header's credentials. */
export function presentedSecrets(request: HostileRequest): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of bodyPairs(request)) {
    if (SECRET_PARAMETERS.has(name.trim().toLowerCase())) secrets.add(value);
  }
  const query = request.path.split('?')[1] ?? '';
  for (const part of query.split('&')) {
    const [name = '', value = ''] = part.split('=');
    if (SECRET_PARAMETERS.has(lenientDecode(name).toLowerCase())) secrets.add(lenientDecode(value));
  }
  for (const [name, value] of request.headers) {
    if (name.toLowerCase() !== 'authorization') continue;
    for (const part of [value, ...value.split(',')]) {
      const trimmed = part.trim();
      secrets.add(trimmed);
      const credentials = trimmed.replace(/^\S+\s+/, '');
      secrets.add(credentials);
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) {
        const secret = decoded.slice(colon + 1);
        secrets.add(secret);
        secrets.add(lenientDecode(secret.replace(/\+/g, ' ')));
      }
    }
  }
  return [...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH && !PUBLIC_VALUES.has(secret) && !publicPartOfToken(secret));
}

/**
 * A cut-off token that stops before its secret part: a refresh token's session id (the
 * `session_state` every client is given), or a JWT's header and claims. Seeing one of those in
 * an answer about that session or token is no leak.
 */
const publicPartOfToken = (value: string) => /^[0-9a-f-]{1,36}\.?$/.test(value) || /^eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?$/.test(value);

/**
 * What the server may legitimately repeat back: the path, header values other than credentials,
 * parameter names and non-secret parameter values (`Invalid scopes: <scope>` names the scope).
 * A secret that also appears in here is not a leak when it shows in the response.
 */
function echoableText(request: HostileRequest): string {
  const parts: string[] = [request.path, lenientDecode(request.path), request.realmParam ?? ''];
  for (const [name, value] of request.headers) {
    parts.push(name);
    if (name.toLowerCase() !== 'authorization') {
      parts.push(value);
      continue;
    }
    // The client id half of Basic credentials is no secret (an audit log names the client).
    for (const part of value.split(',')) {
      const decoded = Buffer.from(part.trim().replace(/^\S+\s+/, ''), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon !== -1) parts.push(decoded.slice(0, colon), lenientDecode(decoded.slice(0, colon).replace(/\+/g, ' ')));
    }
  }
  for (const [name, value] of bodyPairs(request)) {
    parts.push(name);
    if (!SECRET_PARAMETERS.has(name.trim().toLowerCase())) parts.push(value);
  }
  return parts.join('\n');
}

const looksLikeJwt = (text: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text);
/** Keys and signatures (JWKS `n`, `kid`, token signatures) are base64url noise, not messages. */
const looksEncoded = (text: string) => /^[A-Za-z0-9_\-+/=.]{24,}$/.test(text);

/**
 * The body as text to search: JWTs replaced by their decoded header and claims (a secret copied
 * into a claim would be hidden by base64url otherwise), and for the internals check, encoded
 * noise left out.
 */
function searchableText(body: unknown, forMarkers: boolean): string {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (looksLikeJwt(value)) {
        const [header, claims] = value.split('.');
        out.push(Buffer.from(header!, 'base64url').toString('utf8'), Buffer.from(claims!, 'base64url').toString('utf8'));
      } else if (!(forMarkers && looksEncoded(value))) {
        out.push(value);
      }
    } else if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        out.push(key);
        walk(inner);
      }
    } else {
      out.push(String(value));
    }
  };
  walk(body);
  return out.join('\n');
}

const header = (headers: ObservedResponse['headers'], name: string) =>
  Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];

/** Every broken invariant, as short sentences; empty when the response is fine. */
export function checkResponse(request: HostileRequest, response: ObservedResponse, expectation: Expectation, knownSecrets: string[]): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(response.status) || response.status < 100 || response.status >= 500) problems.push(`status ${response.status}`);

  let parsed: unknown;
  let parses = false;
  const hasBody = expectation.bodyExpected && response.body !== '';
  if (hasBody) {
    try {
      parsed = JSON.parse(response.body);
      parses = true;
    } catch {
      if (expectation.routed) problems.push('body is not JSON');
    }
  }
  if (expectation.routed) {
    const contentType = header(response.headers, 'content-type') ?? '';
    if (hasBody && !/^application\/json\b/i.test(contentType)) problems.push(`non-empty body with Content-Type "${contentType}"`);
    if (response.status >= 400 && expectation.bodyExpected) {
      const error = parses && parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
      if (!error || typeof error.error !== 'string' || error.error === '') problems.push('error response without a string "error"');
      else if ('error_description' in error && typeof error.error_description !== 'string') problems.push('"error_description" is not a string');
    }
    if (expectation.noStore && !/\bno-store\b/i.test(header(response.headers, 'cache-control') ?? '')) problems.push('token-family response without Cache-Control: no-store');
    // RFC 6749 §5.2: a client that tried HTTP Basic and failed is told how to authenticate.
    const error = parses && parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).error : undefined;
    const triedBasic = request.headers.some(([name]) => name.toLowerCase() === 'authorization');
    if (response.status === 401 && error === 'invalid_client' && triedBasic && !/^Basic realm="/.test(header(response.headers, 'www-authenticate') ?? '')) {
      problems.push('401 invalid_client to an Authorization header without WWW-Authenticate: Basic');
    }
    if ((response.status === 429 || response.status === 503) && !/^\d+$/.test(header(response.headers, 'retry-after') ?? '')) problems.push(`${response.status} without a Retry-After in seconds`);
  }

  // A refresh grant with rotation off legitimately hands back the refresh token it was given.
  const scanned = parses && response.status === 200 && parsed && typeof parsed === 'object' ? { ...(parsed as Record<string, unknown>) } : parsed;
  if (scanned && typeof scanned === 'object' && 'refresh_token' in scanned && presentedSecrets(request).includes(String((scanned as { refresh_token: unknown }).refresh_token))) {
    delete (scanned as { refresh_token?: unknown }).refresh_token;
  }
  const forSecrets = parses ? searchableText(scanned, false) : response.body;
  const forMarkers = parses ? searchableText(parsed, true) : response.body;
  problems.push(...leaks(request, forSecrets, forMarkers, knownSecrets));
  return problems;
}

function leaks(request: HostileRequest, forSecrets: string, forMarkers: string, knownSecrets: string[]): string[] {
  const problems: string[] = [];
  const echoable = echoableText(request);
  const shows = (text: string, secret: string) => text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1));
  for (const secret of presentedSecrets(request)) {
    if (shows(forSecrets, secret) && !echoable.includes(secret)) problems.push(`echoes a presented secret (${preview(secret)})`);
  }
  for (const secret of knownSecrets) {
    if (secret.length >= MIN_SECRET_LENGTH && shows(forSecrets, secret) && !echoable.includes(secret)) problems.push(`reveals a client secret (${preview(secret)})`);
  }
  const sent = requestText(request);
  for (const marker of INTERNAL_MARKERS) {
    if (forMarkers.includes(marker) && !sent.includes(marker)) problems.push(`reveals internals (${JSON.stringify(marker)})`);
  }
  return problems;
}

/**
 * What the handlers logged (error entries, audit lines) must not carry what the requests
 * presented as proof, unless the same text was also sent as something that is not a secret
 * (an audit line gives the reason `Invalid scopes: <scope>`).
 */
export function checkLog(requests: HostileRequest[], entries: unknown[]): string[] {
  if (entries.length === 0) return [];
  const text = entries.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry))).join('\n');
  const echoable = requests.map(echoableText).join('\n');
  return [...new Set(requests.flatMap(presentedSecrets))]
    .filter((secret) => (text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1))) && !echoable.includes(secret))
    .map((secret) => `log carries a presented secret (${preview(secret)})`);
}

const preview = (secret: string) => JSON.stringify(secret.length > 24 ? `${secret.slice(0, 20)}…` : secret);
