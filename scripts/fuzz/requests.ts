/**
 * Hostile requests for every route, as fast-check arbitraries: random and broken methods, paths,
 * header maps, content types and bodies, mixed with valid requests that carry the demo realm's
 * real credentials and tokens so that the deeper code (client authentication, grants, sessions,
 * token verification) is reached too. Shared by the in-process property tests and the HTTP fuzz run.
 */
import { createHmac, createPrivateKey, sign, type JsonWebKeyInput } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { JWT_BEARER } from '../../lib/clientAuth/clientAssertion.js';
import { ROUTE_NAMES, ROUTES, routePath, type RouteName } from './routes.js';

export interface HostileRequest {
  /** The endpoint the request is aimed at (in process: the handler it is given to). */
  route: RouteName;
  method: string;
  /** The raw path as sent, possibly with a query string. */
  path: string;
  /** In process only: a `realm` path parameter that disagrees with the path. */
  realmParam?: string;
  /** In process only: the client address API Gateway reports (over HTTP it is the socket's). */
  sourceIp?: string;
  /** In order; a name may repeat (API Gateway joins repeats with a comma). */
  headers: [string, string][];
  /** Text, or raw bytes; undefined for no body. */
  body?: string | Uint8Array;
  /** In process: deliver the body base64-encoded (`isBase64Encoded`), as API Gateway does for forms. */
  base64: boolean;
}

export interface DemoClient {
  clientId: string;
  secret?: string;
  publicClient: boolean;
}

/** What the generators draw real values from. */
export interface FuzzContext {
  realm: string;
  /** `host[:port]` the server is reached at. */
  host: string;
  /** The realm issuer the server derives from `host` (a valid client assertion audience). */
  issuer: string;
  clients: DemoClient[];
  accessTokens: string[];
  refreshTokens: string[];
}

/** The form parameters the endpoints read; those whose values prove something are secrets. */
export const PARAMETERS = ['grant_type', 'client_id', 'client_secret', 'scope', 'refresh_token', 'token', 'client_assertion', 'client_assertion_type'];
export const SECRET_PARAMETERS = new Set(['client_secret', 'refresh_token', 'token', 'client_assertion']);

const DEMO_REALM_FILE = new URL('../../infra/realms/demo-realm.json', import.meta.url);

/** The demo realm's clients and their clear-text secrets, as infra/realms/demo-realm.json exports them. */
export function demoClients(): DemoClient[] {
  const realm = JSON.parse(readFileSync(DEMO_REALM_FILE, 'utf8')) as { clients: { clientId: string; secret?: string; publicClient?: boolean }[] };
  return realm.clients.map((client) => ({ clientId: client.clientId, secret: client.secret, publicClient: client.publicClient === true }));
}

export const basicAuthorization = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

// ---------------------------------------------------------------------------------------------
// Building blocks

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

const NASTY = [
  '', ' ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'null', 'undefined', '[]', '{}',
  '%', '%%', '%zz', '%E0%A4%A', '%C3%28', '%00', '%ED%A0%80', '%FF%FE', '+', '&', '=', '==', '\u0000', '\r\n', '\t',
  '../../etc/passwd', '${jndi:ldap://x/a}', "' OR 1=1 --", '<script>alert(1)</script>', '\u202e', '\ufeff', '😀', '民主',
];

const GRANT_TYPES = ['client_credentials', 'refresh_token', 'password', 'authorization_code', 'CLIENT_CREDENTIALS', 'urn:ietf:params:oauth:grant-type:token-exchange', '__proto__', 'hasOwnProperty'];
const SCOPES = ['openid', 'profile email', 'openid phone', 'admin', 'openid openid', ' ', '__proto__', 'offline_access'];
const ASSERTION_TYPES = [JWT_BEARER, `${JWT_BEARER} `, 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer'];
const OTHER_CLIENT_IDS = ['nobody', 'x'.repeat(300)];

/**
 * The public words the generators use for grant types, scopes, client ids and nasty input. Sent
 * where a secret goes, they are still no secret: the service says `client_credentials` and
 * `offline_access` in its discovery document and `undefined` in its log lines on its own.
 */
export const PUBLIC_VALUES: ReadonlySet<string> = new Set([...NASTY, ...GRANT_TYPES, ...SCOPES, ...ASSERTION_TYPES, ...OTHER_CLIENT_IDS, ...PARAMETERS, ...demoClients().map((client) => client.clientId)]);

export const junk: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
);

/** Longer than any parameter may be (16 KiB), or than any body may be (64 KiB). */
const huge = fc.constantFrom(16 * 1024 + 1, 70 * 1024).map((length) => 'a'.repeat(length));

/** One change to a real token: a character replaced, cut short, extended, re-cased. */
function mutatedToken(tokens: string[]): fc.Arbitrary<string> {
  if (tokens.length === 0) return junk;
  return fc.tuple(fc.constantFrom(...tokens), fc.nat(), fc.constantFrom('replace', 'truncate', 'append', 'upper', 'dot'), fc.string({ minLength: 1, maxLength: 3 })).map(([token, at, how, text]) => {
    const i = at % token.length;
    switch (how) {
      case 'replace':
        return token.slice(0, i) + text + token.slice(i + 1);
      case 'truncate':
        return token.slice(0, Math.max(1, i));
      case 'append':
        return token + text;
      case 'upper':
        return token.toUpperCase();
      default:
        return token.replace(/\./g, '..');
    }
  });
}

/** Well-formed refresh tokens of sessions that never existed. */
const madeUpRefreshToken = fc.tuple(fc.uuid({ version: 4 }), fc.base64String({ minLength: 44, maxLength: 44 })).map(([id, random]) => `${id}.${random.replace(/[+/=]/g, '_').slice(0, 43)}`);

/** The demo realm's `jwt-client` key (a demo key, public in examples/jwt-client). */
const DEMO_JWT_CLIENT_KEY = new URL('../../examples/jwt-client/demo-private-key.jwk.json', import.meta.url);
/** A few fixed assertion ids: a second assertion drawing one of them is a replay. */
export const REPLAYED_JTIS = ['fuzz-jti-1', 'fuzz-jti-2'];

/**
 * Validly signed client assertions (RFC 7523) of the demo realm's JWT clients: `jwt-client` with
 * RS256 and its demo key, `secret-jwt-client` with HS256 and its secret. They pass every rule, so
 * the single-use `jti` rule is reached: a fresh id is accepted once, a drawn fixed id may be a
 * replay. Signed when drawn (synchronously, with node:crypto), so they are not expired when sent.
 */
export function signedClientAssertion(ctx: Pick<FuzzContext, 'clients' | 'issuer'>): fc.Arbitrary<string> {
  const hmacSecret = ctx.clients.find((client) => client.clientId === 'secret-jwt-client')?.secret;
  const rsaJwk = JSON.parse(readFileSync(DEMO_JWT_CLIENT_KEY, 'utf8')) as JsonWebKeyInput['key'] & { kid: string };
  const rsaKey = createPrivateKey({ key: rsaJwk, format: 'jwk' });
  const signers = [
    { clientId: 'jwt-client', header: { alg: 'RS256', typ: 'JWT', kid: rsaJwk.kid }, sign: (input: string) => sign('sha256', Buffer.from(input), rsaKey).toString('base64url') },
    ...(hmacSecret ? [{ clientId: 'secret-jwt-client', header: { alg: 'HS256', typ: 'JWT' }, sign: (input: string) => createHmac('sha256', hmacSecret).update(input).digest('base64url') }] : []),
  ];
  const audience = fc.constantFrom(ctx.issuer, `${ctx.issuer}/protocol/openid-connect/token`);
  const jti = fc.oneof(fc.uuid(), fc.constantFrom(...REPLAYED_JTIS));
  return fc.tuple(fc.constantFrom(...signers), audience, jti).map(([signer, aud, id]) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64url(JSON.stringify(signer.header))}.${b64url(JSON.stringify({ iss: signer.clientId, sub: signer.clientId, aud, jti: id, iat: now, exp: now + 30 }))}`;
    return `${input}.${signer.sign(input)}`;
  });
}

/**
 * Client assertions from validly signed ones and well-formed ones (audience right, not expired,
 * subject a real client, signature made up) to nonsense: any JSON in header and claims (an `alg` that is a number, an object, `none`; a `sub`
 * that is not a string; an `aud` list), broken segments, and not a JWT at all.
 */
export function clientAssertion(ctx: Pick<FuzzContext, 'clients' | 'issuer' | 'accessTokens'>): fc.Arbitrary<string> {
  const anyJson = fc.jsonValue({ maxDepth: 2 });
  const clientIds = ctx.clients.map((client) => client.clientId);
  const header = fc.record(
    {
      alg: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('RS256', 'ES256', 'PS256', 'HS256', 'HS512', 'none', 'None', '', 'EdDSA') }, { weight: 1, arbitrary: anyJson }),
      typ: fc.constantFrom('JWT', 'at+jwt', 'client-authentication+jwt'),
      kid: fc.oneof(fc.string({ maxLength: 10 }), anyJson),
    },
    { requiredKeys: [] },
  );
  const subject = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...clientIds) }, { weight: 2, arbitrary: junk }, { weight: 1, arbitrary: anyJson });
  const audience = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(ctx.issuer, `${ctx.issuer}/protocol/openid-connect/token`, ctx.issuer.replace('/realms/', '/auth/realms/')) },
    { weight: 1, arbitrary: fc.constant([ctx.issuer]) },
    { weight: 1, arbitrary: fc.constant([ctx.issuer, 'https://other.example']) },
    { weight: 1, arbitrary: anyJson },
  );
  const time = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -120, max: 120 }).map((offset) => ({ offset })) }, { weight: 1, arbitrary: anyJson });
  const claims = fc
    .record(
      { sub: subject, issIsSub: fc.boolean(), iss: subject, aud: audience, exp: time, iat: time, nbf: time, jti: fc.oneof(fc.uuid(), junk, anyJson), extra: anyJson },
      { requiredKeys: ['sub', 'issIsSub', 'aud', 'exp', 'jti'] },
    )
    .map(({ issIsSub, extra, ...raw }) => {
      const now = Math.floor(Date.now() / 1000);
      const at = (value: unknown) => (value && typeof value === 'object' && 'offset' in value ? now + (value as { offset: number }).offset + 30 : value);
      const payload: Record<string, unknown> = { ...raw, exp: at(raw.exp), iat: at(raw.iat), nbf: at(raw.nbf), extra };
      if (issIsSub) payload.iss = payload.sub;
      return payload;
    });
  const signature = fc.oneof(fc.base64String({ maxLength: 64 }).map((text) => text.replace(/[+/=]/g, '')), fc.constant(''), junk);
  const jwt = fc.tuple(header, claims, signature).map(([h, c, s]) => `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(c))}.${s}`);
  const broken = fc.oneof(
    fc.tuple(junk, junk, junk).map(([a, b, c]) => `${a}.${b}.${c}`),
    fc.tuple(anyJson, anyJson).map(([h, c]) => `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(c))}.`),
    fc.tuple(header, claims).map(([h, c]) => `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(c))}`),
    fc.tuple(header, claims).map(([h, c]) => `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(c))}.x.y.z`),
    fc.string({ maxLength: 40 }).map((text) => `${b64url(text)}.${b64url(text)}.${b64url(text)}`),
  );
  return fc.oneof(
    { weight: 5, arbitrary: jwt },
    { weight: 4, arbitrary: signedClientAssertion(ctx) },
    { weight: 2, arbitrary: broken },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: fc.constantFrom(...ctx.accessTokens, 'x') },
  );
}

/** A value for a parameter: mostly plausible for that parameter, sometimes junk or huge. */
function valueFor(name: string, ctx: FuzzContext): fc.Arbitrary<string> {
  const secrets = ctx.clients.flatMap((client) => (client.secret ? [client.secret] : []));
  const tokens = [...ctx.refreshTokens, ...ctx.accessTokens];
  const plausible: Record<string, fc.Arbitrary<string>> = {
    grant_type: fc.constantFrom(...GRANT_TYPES),
    client_id: fc.constantFrom(...ctx.clients.map((client) => client.clientId), ...OTHER_CLIENT_IDS),
    client_secret: fc.constantFrom(...secrets, 'wrong-secret-value'),
    scope: fc.constantFrom(...SCOPES),
    refresh_token: tokens.length > 0 ? fc.oneof(fc.constantFrom(...tokens), mutatedToken(tokens), madeUpRefreshToken) : madeUpRefreshToken,
    token: tokens.length > 0 ? fc.oneof(fc.constantFrom(...tokens), mutatedToken(tokens), madeUpRefreshToken) : madeUpRefreshToken,
    client_assertion: clientAssertion(ctx),
    client_assertion_type: fc.constantFrom(...ASSERTION_TYPES),
  };
  const own = Object.hasOwn(plausible, name) ? plausible[name] : undefined;
  return own ? fc.oneof({ weight: 6, arbitrary: own }, { weight: 2, arbitrary: junk }, { weight: 1, arbitrary: fc.string({ unit: loneSurrogate, maxLength: 2 }) }) : fc.oneof({ weight: 8, arbitrary: junk }, { weight: 1, arbitrary: fc.constantFrom(...tokens, 'x') });
}

type Pair = [string, string];

/** How a pair is written into the body: correctly encoded, `+` for spaces, not encoded, or with a broken escape. */
type PairEncoding = 'component' | 'plus' | 'raw' | 'broken';

function encodePart(text: string, how: PairEncoding, breakAt: number): string {
  const safe = (encode: (s: string) => string) => {
    try {
      return encode(text);
    } catch {
      return text; // a lone surrogate cannot be percent-encoded; send it as it is
    }
  };
  switch (how) {
    case 'component':
      return safe(encodeURIComponent);
    case 'plus':
      return safe((s) => new URLSearchParams([['', s]]).toString().slice(1));
    case 'raw':
      return text;
    default: {
      const encoded = safe(encodeURIComponent);
      const i = breakAt % (encoded.length + 1);
      return `${encoded.slice(0, i)}${['%', '%g0', '%E0%A4', '%C3%28', '%ED%B0%80'][breakAt % 5]}${encoded.slice(i)}`;
    }
  }
}

/** The credentials a client presents, real or not, and where. */
interface Credentials {
  headers: [string, string][];
  params: Pair[];
}

function credentials(ctx: FuzzContext): fc.Arbitrary<Credentials> {
  const confidential = ctx.clients.filter((client) => client.secret !== undefined && !client.publicClient);
  const publicClients = ctx.clients.filter((client) => client.publicClient);
  const right = fc.constantFrom(...confidential);
  const none: Credentials = { headers: [], params: [] };
  const wrongSecret = fc.constantFrom('wrong', 'password ', 'PASSWORD', 'full-secret\u0000');
  return fc.oneof(
    { weight: 5, arbitrary: right.map((c) => ({ headers: [['Authorization', basicAuthorization(c.clientId, c.secret!)]], params: [] })) },
    { weight: 3, arbitrary: right.map((c) => ({ headers: [], params: [['client_id', c.clientId], ['client_secret', c.secret!]] })) },
    { weight: 1, arbitrary: right.map((c) => ({ headers: [['Authorization', basicAuthorization(c.clientId, c.secret!)]], params: [['client_id', c.clientId]] })) },
    { weight: 1, arbitrary: fc.tuple(right, wrongSecret).map(([c, secret]) => ({ headers: [['Authorization', basicAuthorization(c.clientId, secret)]], params: [] })) },
    { weight: 1, arbitrary: fc.tuple(right, wrongSecret).map(([c, secret]) => ({ headers: [], params: [['client_id', c.clientId], ['client_secret', secret]] })) },
    ...(publicClients.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...publicClients).map((c) => ({ headers: [], params: [['client_id', c.clientId]] })) }] : []),
    { weight: 3, arbitrary: clientAssertion(ctx).map((assertion) => ({ headers: [], params: [['client_assertion_type', JWT_BEARER], ['client_assertion', assertion]] })) },
    { weight: 1, arbitrary: fc.constant(none) },
  ) as fc.Arbitrary<Credentials>;
}

/** What a correct request to the route carries besides client authentication. */
function validParams(route: RouteName, ctx: FuzzContext): fc.Arbitrary<Pair[]> {
  const refresh = ctx.refreshTokens.length > 0 ? fc.constantFrom(...ctx.refreshTokens) : madeUpRefreshToken;
  const anyToken = ctx.refreshTokens.length + ctx.accessTokens.length > 0 ? fc.constantFrom(...ctx.refreshTokens, ...ctx.accessTokens) : madeUpRefreshToken;
  switch (route) {
    case 'token':
      return fc.oneof(
        fc.option(fc.constantFrom('openid', 'profile', 'openid phone', 'email')).map((scope): Pair[] => [['grant_type', 'client_credentials'], ...(scope ? [['scope', scope] as Pair] : [])]),
        refresh.map((token): Pair[] => [['grant_type', 'refresh_token'], ['refresh_token', token]]),
      );
    case 'refresh':
      return refresh.map((token): Pair[] => [['grant_type', 'refresh_token'], ['refresh_token', token]]);
    case 'logout':
      return refresh.map((token): Pair[] => [['refresh_token', token]]);
    case 'revoke':
    case 'introspect':
      return anyToken.map((token): Pair[] => [['token', token]]);
    default:
      return fc.constant([]);
  }
}

const parameterName = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...PARAMETERS) }, { weight: 1, arbitrary: fc.constantFrom('GRANT_TYPE', 'client_id ', 'client%5Fid', 'scope[]') }, { weight: 2, arbitrary: junk });

/** Random parameters: real names (so duplicates and conflicts happen) and junk ones. */
function randomParams(ctx: FuzzContext): fc.Arbitrary<Pair[]> {
  return fc.array(
    parameterName.chain((name) => valueFor(name, ctx).map((value): Pair => [name, value])),
    { maxLength: 3 },
  );
}

interface FormPlan {
  pairs: Pair[];
  encodings: PairEncoding[];
  breakAt: number;
  separator: string;
}

function serializeForm({ pairs, encodings, breakAt, separator }: FormPlan): string {
  return pairs
    .map(([name, value], i) => {
      const how = encodings[i % Math.max(1, encodings.length)] ?? 'component';
      if (how === 'raw' && value === '' && i % 3 === 0) return name; // a name without '='
      return `${encodePart(name, how === 'broken' ? 'component' : how, breakAt)}=${encodePart(value, how, breakAt + i)}`;
    })
    .join(separator);
}

function multipart(pairs: Pair[]): string {
  const boundary = 'fuzzBoundary7MA4YWxkTrZu0gW';
  return `${pairs.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('')}--${boundary}--\r\n`;
}

const FORM = 'application/x-www-form-urlencoded';

const contentTypes = fc.oneof(
  { weight: 12, arbitrary: fc.constant(FORM) },
  { weight: 3, arbitrary: fc.constantFrom(`${FORM}; charset=UTF-8`, `${FORM};charset=utf-8`, `${FORM}; charset=ISO-8859-1`, `APPLICATION/X-WWW-FORM-URLENCODED`, ` ${FORM} `, `${FORM}; charset="utf-8"; boundary=x`) },
  { weight: 1, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'multipart/form-data; boundary=fuzzBoundary7MA4YWxkTrZu0gW', 'text/plain', 'application/octet-stream', '', ';', `${FORM}, application/json`, 'application/x-www-form-urlencoded-x') },
  { weight: 1, arbitrary: junk },
);

const authorizationJunk = fc.oneof(
  fc.uint8Array({ maxLength: 48 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
  fc.tuple(junk, junk).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
  junk.map((text) => `Basic ${text}`),
  fc.constantFrom('Basic', 'Basic ', 'Basic =', 'Basic Og==', 'basic    cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ=', 'BASIC cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ= ', 'Bearer abc.def.ghi', 'Digest username="x"', 'Basic cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ=, Basic eDp5', 'Basic ' + 'A'.repeat(6000)),
  junk,
);

/** A header name in a random mix of cases. */
const randomCase = (name: string) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const tokenChars = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#$%&\'*+.^`|~'.split('')), minLength: 1, maxLength: 20 });
/** Names a transport must control itself; sending them at random would only break the framing. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection', 'http2-settings']);
const junkHeader = fc.tuple(fc.oneof(tokenChars, fc.constantFrom('X-Forwarded-For', 'X-Amzn-Trace-Id', 'Accept', 'Cookie', 'User-Agent', 'X-Forwarded-Port')), junk).filter(([name]) => !FRAMING.has(name.toLowerCase()));

// ---------------------------------------------------------------------------------------------
// Paths, methods, whole requests

/** Mostly distinct addresses, so the failed-authentication throttle is reached only now and then. */
const sourceIp = fc.oneof({ weight: 4, arbitrary: fc.ipV4() }, { weight: 1, arbitrary: fc.ipV6() }, { weight: 2, arbitrary: fc.constant('127.0.0.1') });

const ODD_REALMS = ['DEMO', 'master', 'nope', 'demo ', ' demo', 'de/mo', 'demo%2F', '..', '.', '%', 'demo#x', 'demo?x=1', '民主', '😀', '\u0000', 'demo\u0000', 'a'.repeat(300), 'a'.repeat(255), '__proto__', 'constructor'];

function pathFor(route: RouteName, ctx: FuzzContext): fc.Arbitrary<{ path: string; realmParam?: string }> {
  const realm = fc.oneof({ weight: 12, arbitrary: fc.constant(ctx.realm) }, { weight: 2, arbitrary: fc.constantFrom(...ODD_REALMS) }, { weight: 1, arbitrary: junk.filter((text) => text !== '') });
  const canonical = fc.tuple(realm, fc.boolean()).map(([name, legacy]) => {
    let path: string;
    try {
      path = routePath(route, name, legacy);
    } catch {
      path = `${legacy ? '/auth' : ''}/realms/${name}${ROUTES[route].suffix}`;
    }
    return { path };
  });
  const suffixes = ROUTE_NAMES.map((name) => ROUTES[name].suffix);
  const mutated = fc.tuple(canonical, fc.constantFrom('trailing', 'double', 'query', 'upper', 'prefix', 'swap', 'long', 'escape', 'raw-realm', 'dots'), fc.constantFrom(...suffixes), junk).map(([{ path }, how, suffix, text]) => {
    switch (how) {
      case 'trailing':
        return { path: `${path}/` };
      case 'double':
        return { path: path.replace('/realms/', '//realms//') };
      case 'query':
        return { path: `${path}?grant_type=client_credentials&client_secret=query-secret-value&${encodeURIComponent(text)}` };
      case 'upper':
        return { path: path.toUpperCase() };
      case 'prefix':
        return { path: `/auth${path}` };
      case 'swap':
        return { path: path.replace(ROUTES[route].suffix, suffix) };
      case 'long':
        return { path: `${path}${'/a'.repeat(2000)}` };
      case 'escape':
        return { path: path.replace('/realms/', '/realms/%zz') };
      case 'raw-realm':
        return { path: `/realms/${text}${ROUTES[route].suffix}` };
      default:
        return { path: `/realms/${ctx.realm}/../${ctx.realm}${ROUTES[route].suffix}` };
    }
  });
  const withRealmParam = fc.tuple(canonical, fc.oneof(fc.constantFrom(...ODD_REALMS), junk)).map(([{ path }, realmParam]) => ({ path, realmParam }));
  return fc.oneof({ weight: 12, arbitrary: canonical }, { weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: withRealmParam });
}

function methodFor(route: RouteName): fc.Arbitrary<string> {
  return fc.oneof({ weight: 15, arbitrary: fc.constant(ROUTES[route].method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'post', 'TRACE', 'PROPFIND') });
}

type BodyPlan =
  | { kind: 'form'; plan: FormPlan }
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'json'; pairs: Pair[]; raw?: string }
  | { kind: 'multipart'; pairs: Pair[] }
  | { kind: 'huge'; pairs: Pair[]; name: string; value: string };

function bodyPlan(route: RouteName, ctx: FuzzContext, creds: Credentials): fc.Arbitrary<BodyPlan> {
  const valid = fc.oneof({ weight: 3, arbitrary: validParams(route, ctx) }, { weight: 1, arbitrary: fc.constant([] as Pair[]) });
  const pairs = fc.tuple(valid, randomParams(ctx), fc.boolean(), fc.nat()).map(([base, extra, shuffle, seed]) => {
    const all = [...creds.params, ...base, ...extra];
    if (shuffle) all.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7));
    return all;
  });
  const encodings = fc.array(fc.oneof({ weight: 12, arbitrary: fc.constant<PairEncoding>('component') }, { weight: 2, arbitrary: fc.constant<PairEncoding>('plus') }, { weight: 2, arbitrary: fc.constant<PairEncoding>('raw') }, { weight: 1, arbitrary: fc.constant<PairEncoding>('broken') }), { minLength: 1, maxLength: 4 });
  const separator = fc.oneof({ weight: 10, arbitrary: fc.constant('&') }, { weight: 1, arbitrary: fc.constantFrom('&&', ';', '&amp;', '\n') });
  const form = fc.record({ pairs, encodings, breakAt: fc.nat(), separator }).map((plan): BodyPlan => ({ kind: 'form', plan }));
  const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.oneof(fc.constantFrom('=', '&', '%', '+', 'a'), loneSurrogate), maxLength: 60 }));
  return fc.oneof(
    { weight: 14, arbitrary: form },
    { weight: 2, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
    { weight: 1, arbitrary: text.map((t): BodyPlan => ({ kind: 'text', text: t })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((bytes): BodyPlan => ({ kind: 'bytes', bytes })) },
    { weight: 1, arbitrary: fc.tuple(pairs, fc.option(fc.constantFrom('{', '[]', 'null', '{"grant_type":', '"x"'))).map(([p, raw]): BodyPlan => ({ kind: 'json', pairs: p, raw: raw ?? undefined })) },
    { weight: 1, arbitrary: pairs.map((p): BodyPlan => ({ kind: 'multipart', pairs: p })) },
    { weight: 1, arbitrary: fc.tuple(pairs, parameterName, huge).map(([p, name, value]): BodyPlan => ({ kind: 'huge', pairs: p, name, value })) },
  );
}

function renderBody(plan: BodyPlan): string | Uint8Array | undefined {
  switch (plan.kind) {
    case 'form':
      return serializeForm(plan.plan);
    case 'none':
      return undefined;
    case 'text':
      return plan.text;
    case 'bytes':
      return plan.bytes;
    case 'json':
      return plan.raw ?? JSON.stringify(Object.fromEntries(plan.pairs));
    case 'multipart':
      return multipart(plan.pairs);
    case 'huge':
      return serializeForm({ pairs: [...plan.pairs, [plan.name, plan.value]], encodings: ['component'], breakAt: 0, separator: '&' });
  }
}

const defaultContentType = (plan: BodyPlan) =>
  plan.kind === 'json' ? 'application/json' : plan.kind === 'multipart' ? 'multipart/form-data; boundary=fuzzBoundary7MA4YWxkTrZu0gW' : FORM;

/** Headers in a random mix of cases, as any client may send them. */
function casedHeaders(headers: [string, string][]): fc.Arbitrary<[string, string][]> {
  return fc.tuple(...headers.map(([name, value]) => randomCase(name).map((cased): [string, string] => [cased, value])));
}

/** One change to a correct request. */
type Mutation =
  | { kind: 'add'; pair: Pair }
  | { kind: 'replace'; index: number; value: string }
  | { kind: 'drop'; index: number }
  | { kind: 'duplicate'; index: number }
  | { kind: 'encode'; how: PairEncoding; breakAt: number }
  | { kind: 'header'; header: [string, string] };

function mutation(ctx: FuzzContext): fc.Arbitrary<Mutation> {
  const anyParam = parameterName.chain((name) => valueFor(name, ctx).map((value): Pair => [name, value]));
  return fc.oneof(
    { weight: 3, arbitrary: anyParam.map((pair): Mutation => ({ kind: 'add', pair })) },
    { weight: 3, arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...PARAMETERS)).chain(([index, name]) => valueFor(name, ctx).map((value): Mutation => ({ kind: 'replace', index, value }))) },
    { weight: 1, arbitrary: fc.nat().map((index): Mutation => ({ kind: 'drop', index })) },
    { weight: 1, arbitrary: fc.nat().map((index): Mutation => ({ kind: 'duplicate', index })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom<PairEncoding>('plus', 'raw', 'broken'), fc.nat()).map(([how, breakAt]): Mutation => ({ kind: 'encode', how, breakAt })) },
    { weight: 2, arbitrary: fc.oneof(authorizationJunk.map((value): [string, string] => ['Authorization', value]), junkHeader).map((header): Mutation => ({ kind: 'header', header })) },
  );
}

function applyMutations(pairs: Pair[], headers: [string, string][], mutations: Mutation[]): { pairs: Pair[]; headers: [string, string][]; encodings: PairEncoding[]; breakAt: number } {
  const out = [...pairs];
  const outHeaders = [...headers];
  let encodings: PairEncoding[] = ['component'];
  let breakAt = 0;
  for (const m of mutations) {
    const at = out.length > 0 && 'index' in m ? m.index % out.length : -1;
    if (m.kind === 'add') out.push(m.pair);
    else if (m.kind === 'replace' && at !== -1) out[at] = [out[at]![0], m.value];
    else if (m.kind === 'drop' && at !== -1) out.splice(at, 1);
    else if (m.kind === 'duplicate' && at !== -1) out.push(out[at]!);
    else if (m.kind === 'encode') [encodings, breakAt] = [['component', m.how], m.breakAt];
    else if (m.kind === 'header') outHeaders.push(m.header);
  }
  return { pairs: out, headers: outHeaders, encodings, breakAt };
}

/**
 * A correct request to the route (real path, method, content type, credentials and tokens) with
 * at most two changes: what reaches client authentication, the grants and the stores.
 */
function nearlyValid(route: RouteName, ctx: FuzzContext): fc.Arbitrary<HostileRequest> {
  const contentType = fc.oneof({ weight: 8, arbitrary: fc.constant(FORM) }, { weight: 2, arbitrary: fc.constantFrom(`${FORM}; charset=UTF-8`, `${FORM};charset=utf-8`, 'APPLICATION/X-WWW-FORM-URLENCODED') });
  return fc
    .record({
      creds: credentials(ctx),
      base: validParams(route, ctx),
      legacy: fc.boolean(),
      contentType,
      mutations: fc.array(mutation(ctx), { maxLength: 2 }),
      base64: fc.boolean(),
      ip: sourceIp,
    })
    .chain(({ creds, base, legacy, contentType, mutations, base64, ip }) => {
      const get = ROUTES[route].method === 'GET';
      const headers: [string, string][] = [['Host', ctx.host], ['X-Forwarded-Proto', 'http'], ...(get ? [] : [['Content-Type', contentType] as [string, string]]), ...creds.headers];
      const mutated = applyMutations(get ? [] : [...creds.params, ...base], headers, mutations);
      return casedHeaders(mutated.headers).map(
        (cased): HostileRequest => ({
          route,
          method: ROUTES[route].method,
          path: routePath(route, ctx.realm, legacy),
          headers: cased,
          body: get && mutated.pairs.length === 0 ? undefined : serializeForm({ pairs: mutated.pairs, encodings: mutated.encodings, breakAt: mutated.breakAt, separator: '&' }),
          base64,
          sourceIp: ip,
        }),
      );
    });
}

/** Anything at all aimed at the route: paths, methods, headers, content types and bodies. */
function chaotic(route: RouteName, ctx: FuzzContext): fc.Arbitrary<HostileRequest> {
  return credentials(ctx).chain((creds) =>
    fc
      .record({
        method: methodFor(route),
        where: pathFor(route, ctx),
        body: bodyPlan(route, ctx, creds),
        contentType: fc.oneof({ weight: 6, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: fc.constant<string | undefined>('omit') }, { weight: 3, arbitrary: contentTypes }),
        authorization: fc.oneof({ weight: 8, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 2, arbitrary: authorizationJunk }),
        host: fc.oneof({ weight: 12, arbitrary: fc.constant(ctx.host) }, { weight: 1, arbitrary: fc.constantFrom('evil.example', `${ctx.host}, evil.example`, '', 'localhost:99999', '[::1]:3000', 'xn--80ak6aa92e.example') }),
        forwarded: fc.oneof({ weight: 8, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: fc.constantFrom<[string, string][]>([['X-Forwarded-Proto', 'https']], [['X-Forwarded-Proto', 'gopher, http']], [['X-Forwarded-Host', 'evil.example']], [['X-Forwarded-Host', '']]) }),
        extra: fc.array(junkHeader, { maxLength: 3 }),
        duplicate: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat() }),
        base64: fc.boolean(),
        ip: sourceIp,
      })
      .chain((r) => {
        const headers: [string, string][] = [['Host', r.host], ['X-Forwarded-Proto', 'http'], ...r.forwarded];
        if (r.body.kind !== 'none' && r.contentType !== 'omit') headers.push(['Content-Type', r.contentType ?? defaultContentType(r.body)]);
        headers.push(...creds.headers);
        if (r.authorization !== undefined) headers.push(['Authorization', r.authorization]);
        headers.push(...r.extra);
        // API Gateway joins a repeated header with a comma; repeat one at random.
        if (r.duplicate >= 0 && headers.length > 2) {
          const [name, value] = headers[2 + (r.duplicate % (headers.length - 2))]!;
          headers.push([name, value === FORM ? 'application/json' : `${value}x`]);
        }
        return casedHeaders(headers).map(
          (cased): HostileRequest => ({
            route,
            method: r.method,
            path: r.where.path,
            ...(r.where.realmParam !== undefined ? { realmParam: r.where.realmParam } : {}),
            headers: cased,
            body: renderBody(r.body),
            base64: r.body.kind === 'bytes' || r.base64,
            sourceIp: r.ip,
          }),
        );
      }),
  );
}

/** A hostile request aimed at one route: half nearly valid, half chaos. */
export function hostileRequestFor(route: RouteName, ctx: FuzzContext): fc.Arbitrary<HostileRequest> {
  return fc.oneof(nearlyValid(route, ctx), chaotic(route, ctx));
}

/** A hostile request aimed at any route. */
export function hostileRequest(ctx: FuzzContext): fc.Arbitrary<HostileRequest> {
  return fc.constantFrom(...ROUTE_NAMES).chain((route) => hostileRequestFor(route, ctx));
}
