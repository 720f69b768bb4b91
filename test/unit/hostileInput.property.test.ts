/**
 * Issue 7, "Hostile input", for the pure parsers: whatever they are given, they answer with a
 * value of the documented shape or throw the one OAuthError the endpoint is meant to render, never
 * anything else (a TypeError there is a 500).
 *
 * To replay a failure: FC_SEED=<seed> FC_PATH=<path> with the values fast-check printed.
 */
import { UnwrappedKeys } from '../../lib/kms/wrappedKey.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { KMSClient } from '@aws-sdk/client-kms';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { assertionAlgorithm, claimAssertion, CLOCK_SKEW_SECONDS, JWT_BEARER } from '../../lib/clientAuth/clientAssertion.js';
import { parseBasic } from '../../lib/clientAuth/clientSecretBasic.js';
import { clientSecretJwt } from '../../lib/clientAuth/clientSecretJwt.js';
import { JwksFetcher } from '../../lib/clientAuth/jwksFetcher.js';
import type { ClientAuthInput } from '../../lib/clientAuth/method.js';
import { privateKeyJwt } from '../../lib/clientAuth/privateKeyJwt.js';
import { OAuthError } from '../../lib/http/errors.js';
import { parseForm, parseUrlEncoded } from '../../lib/http/form.js';
import { fromApiGatewayEvent, MAX_BODY_BYTES, type HttpRequest } from '../../lib/http/request.js';
import type { ClientRecord, ClientScope } from '../../lib/model/stored.js';
import { newRefreshToken, newSessionId, sessionIdOf } from '../../lib/tokens/refreshToken.js';
import { resolveScope } from '../../lib/tokens/scope.js';
import { basicAuthorization, clientAssertion, demoClients, junk } from '../../scripts/fuzz/requests.js';
import { apiEvent } from '../support/events.js';

const replay = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {};
const check = <T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void> | void, numRuns: number) =>
  fc.assert(
    fc.asyncProperty(arbitrary, async (value) => predicate(value)),
    { numRuns, ...replay },
  );

/** Calls `fn`; a throw must be an OAuthError with one of the given statuses and this error code. */
function outcome<T>(fn: () => T, error: string, statuses: number[]): { value: T } | { thrown: OAuthError } {
  try {
    return { value: fn() };
  } catch (err) {
    assert.ok(err instanceof OAuthError, `threw ${(err as Error)?.name}: ${(err as Error)?.message}`);
    assert.equal(err.error, error);
    assert.ok(statuses.includes(err.status), `status ${err.status}`);
    assert.equal(typeof err.description, 'string');
    return { thrown: err };
  }
}

const LONGEST_VALUE = 16 * 1024;
const hex = '0123456789abcdefABCDEF'.split('');
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
/** Text made of what form bodies are made of, so escapes, separators and their breakage are common. */
const formish = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('=', '&', '%', '+', 'a', 'Z', '0', ' ', ...hex) },
    { weight: 2, arbitrary: fc.constantFrom('%2', '%zz', '%C3%28', '%E0%A4%A', '%ED%A0%80', '%F0%9F%98%80', '%00', '%25', '%3D', '%26', '%2B') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: loneSurrogate },
  ),
  maxLength: 80,
});
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), formish, junk);
/** Well-formed (no lone surrogates): what encodeURIComponent and URLSearchParams can encode. */
const wellFormed = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('', ' ', '+', '%', '&=&', '%41', '__proto__'));

describe('form parsing of hostile bodies (lib/http/form.ts)', () => {
  it('parseUrlEncoded returns string pairs or throws 400 invalid_request, nothing else', () =>
    check(
      anyText,
      (body) => {
        const result = outcome(() => parseUrlEncoded(body), 'invalid_request', [400]);
        if ('value' in result) {
          for (const [name, value] of result.value) {
            assert.equal(typeof name, 'string');
            assert.notEqual(name, '');
            assert.equal(typeof value, 'string');
            assert.ok(value.length <= LONGEST_VALUE);
          }
        }
      },
      3000,
    ));

  it('round-trips any well-formed form, percent-encoded or with + for spaces', () =>
    check(
      fc.tuple(fc.uniqueArray(fc.tuple(wellFormed.filter((name) => name !== ''), wellFormed), { selector: ([name]) => name, maxLength: 8 }), fc.boolean()),
      ([pairs, plus]) => {
        const body = plus ? new URLSearchParams(pairs).toString() : pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
        assert.deepEqual([...parseUrlEncoded(body)], pairs);
      },
      1500,
    ));

  it('refuses a parameter sent twice, whatever the values', () =>
    check(
      fc.tuple(wellFormed.filter((name) => name !== ''), wellFormed, wellFormed, fc.array(fc.tuple(fc.uuid(), wellFormed), { maxLength: 3 })),
      ([name, first, second, others]) => {
        const pairs: [string, string][] = [[name, first], ...others, [name, second]];
        const result = outcome(() => parseUrlEncoded(new URLSearchParams(pairs).toString()), 'invalid_request', [400]);
        assert.ok('thrown' in result && result.thrown.description === 'duplicated parameter');
      },
      500,
    ));

  it('refuses a value longer than 16 KiB', () =>
    check(
      fc.tuple(wellFormed.filter((name) => name !== ''), fc.integer({ min: LONGEST_VALUE + 1, max: LONGEST_VALUE + 64 })),
      ([name, length]) => {
        const result = outcome(() => parseUrlEncoded(`${encodeURIComponent(name)}=${'v'.repeat(length)}`), 'invalid_request', [400]);
        assert.ok('thrown' in result && result.thrown.description!.startsWith('Parameter too long'));
      },
      200,
    ));

  it('parseForm reads the body only for the form media type (any case, any parameters)', () => {
    const contentType = fc.oneof(
      fc.constantFrom('application/x-www-form-urlencoded', 'APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8', ' application/x-www-form-urlencoded ;x', 'application/json', 'multipart/form-data; boundary=x', '', ';', 'application/x-www-form-urlencoded, application/json'),
      junk,
    );
    return check(
      fc.tuple(fc.option(contentType, { nil: undefined }), anyText),
      ([type, body]) => {
        const request = { headers: type === undefined ? {} : { 'content-type': type }, body } as unknown as HttpRequest;
        const isForm = (type ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
        const result = outcome(() => parseForm(request), 'invalid_request', [400]);
        if (!isForm) assert.ok('thrown' in result && /Content-Type/.test(result.thrown.description!));
        else if ('value' in result) assert.deepEqual([...result.value], [...parseUrlEncoded(body)]);
      },
      1500,
    );
  });

  it('parses the worst bodies in linear time: 16 bodies of 4 KiB cost about what one of 64 KiB costs', () => {
    // A ratio within one run, not a wall-clock bound: both samples parse the same number of bytes, so
    // linear work measures about 1× (up to 3× where a Map of 6,000 names misses caches one of 375
    // does not) and work that grows with the square of the body (quadratic splitting or decoding)
    // 16×. Each sample is milliseconds of this process's CPU time, not the wall clock (time spent
    // descheduled on a busy machine does not count), and the fastest of 9 samples is kept, since
    // interference only ever adds time.
    const cpuMs = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
    const fastest = (body: string, repeats: number) => {
      const times = Array.from({ length: 9 }, () => {
        const started = cpuMs();
        for (let i = 0; i < repeats; i++) outcome(() => parseUrlEncoded(body), 'invalid_request', [400]);
        return cpuMs() - started;
      });
      return Math.min(...times);
    };
    const worst: [string, (size: number) => string][] = [
      ['%', (size) => '%'.repeat(size)],
      ['&', (size) => '&'.repeat(size)],
      ['=', (size) => '='.repeat(size)],
      ['a=%41', (size) => 'a=%41'.repeat(size / 5)],
      ['p0=&p1=…', (size) => Array.from({ length: Math.floor(size / 11) }, (_, i) => `p${i}=`).join('&')],
    ];
    for (const [name, body] of worst) {
      const small = fastest(body(MAX_BODY_BYTES / 16), 320);
      const full = fastest(body(MAX_BODY_BYTES), 20);
      assert.ok(full <= 6 * small, `${name}: ${full.toFixed(2)} ms of CPU for 20 × 64 KiB against ${small.toFixed(2)} ms for 320 × 4 KiB`);
    }
  });
});

describe('HTTP Basic credentials from hostile headers (lib/clientAuth/clientSecretBasic.ts)', () => {
  const basicish = fc.oneof(
    anyText,
    fc.tuple(fc.constantFrom('Basic ', 'basic ', 'BASIC   ', 'Basic', 'Bearer ', ''), fc.uint8Array({ maxLength: 64 }), fc.constantFrom('', '=', '==', '===', ' ', '\t', ' x')).map(([scheme, bytes, tail]) => `${scheme}${Buffer.from(bytes).toString('base64').replace(/=+$/, '')}${tail}`),
    fc.tuple(anyText, anyText).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
    fc.tuple(formish, formish).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`, 'latin1').toString('base64')}`),
  );

  it('parseBasic never throws: undefined, or a non-empty client id and a secret', () =>
    check(
      basicish,
      (header) => {
        const parsed = parseBasic(header);
        if (parsed === undefined) return;
        assert.deepEqual(Object.keys(parsed).sort(), ['clientId', 'proof']);
        assert.equal(typeof parsed.clientId, 'string');
        assert.notEqual(parsed.clientId, '');
        assert.equal(typeof parsed.proof, 'string');
      },
      3000,
    ));

  it('parseBasic reads back any id and secret encoded as RFC 6749 §2.3.1 says', () =>
    check(
      fc.tuple(wellFormed.filter((id) => id !== ''), wellFormed, fc.constantFrom('Basic', 'basic', 'BASIC'), fc.constantFrom(' ', '   '), fc.constantFrom('', ' ', '\t')),
      ([clientId, secret, scheme, gap, tail]) => {
        const header = basicAuthorization(clientId, secret).replace(/^Basic /, `${scheme}${gap}`) + tail;
        assert.deepEqual(parseBasic(header), { clientId, proof: secret });
      },
      1500,
    ));
});

describe('API Gateway events with hostile parts (lib/http/request.ts)', () => {
  const headerName = fc.oneof(fc.constantFrom('Content-Type', 'content-type', 'AUTHORIZATION', 'Host', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'x-forwarded-proto', '__proto__', 'constructor'), junk);
  const headerValue = fc.oneof(anyText, fc.constantFrom('https', 'http', 'http, https', ',', '', 'evil.example, localhost'));
  const bigBody = fc.constantFrom(MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 90_000).map((length) => 'x'.repeat(length));
  const event = fc.record(
    {
      headers: fc.option(fc.dictionary(headerName, fc.option(headerValue, { nil: undefined }), { maxKeys: 8 }), { nil: undefined }),
      body: fc.option(fc.oneof({ weight: 8, arbitrary: anyText }, { weight: 1, arbitrary: bigBody }, { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')) }), { nil: undefined }),
      isBase64Encoded: fc.boolean(),
      rawPath: fc.option(fc.oneof(fc.constantFrom('/auth/realms/demo/protocol/openid-connect/token', '/realms/demo/.well-known/openid-configuration', '/auth', '/auth/', ''), anyText), { nil: undefined }),
      realm: fc.option(anyText, { nil: undefined }),
      method: fc.option(fc.constantFrom('GET', 'POST', 'post', ''), { nil: undefined }),
      context: fc.constantFrom('full', 'none', 'no-http'),
    },
    { requiredKeys: ['context', 'isBase64Encoded'] },
  );

  it('fromApiGatewayEvent returns a request or throws invalid_request (413 too large, 400 not UTF-8), whatever the event', () =>
    check(
      event,
      (e) => {
        const base = apiEvent({ path: '/realms/demo/protocol/openid-connect/token' });
        const built = {
          ...base,
          headers: e.headers,
          body: e.body,
          isBase64Encoded: e.isBase64Encoded,
          rawPath: e.rawPath,
          pathParameters: e.realm === undefined ? undefined : { realm: e.realm },
          requestContext: e.context === 'none' ? undefined : e.context === 'no-http' ? { ...base.requestContext, http: undefined } : { ...base.requestContext, http: { ...base.requestContext.http, method: e.method } },
        } as unknown as APIGatewayProxyEventV2;
        const result = outcome(() => fromApiGatewayEvent(built), 'invalid_request', [400, 413]);
        if ('thrown' in result) {
          const raw = e.body ?? '';
          const bytes = Buffer.from(raw, e.isBase64Encoded ? 'base64' : 'utf8');
          if (result.thrown.status === 400) assert.ok(e.isBase64Encoded && !isUtf8(bytes), 'refused a body that is UTF-8');
          else assert.ok(raw.length > MAX_BODY_BYTES || Buffer.byteLength(bytes.toString('utf8'), 'utf8') > MAX_BODY_BYTES, 'refused a body of at most 64 KiB');
          return;
        }
        const request = result.value;
        for (const field of ['method', 'path', 'realm', 'body', 'sourceIp', 'origin', 'requestId'] as const) assert.equal(typeof request[field], 'string', field);
        for (const [name, value] of Object.entries(request.headers)) {
          assert.equal(name, name.toLowerCase());
          assert.equal(typeof value, 'string');
        }
        assert.ok(Buffer.byteLength(request.body, 'utf8') <= MAX_BODY_BYTES);
        assert.match(request.origin, /^https?:\/\//);
        assert.equal(request.legacyAuthPrefix, request.path.startsWith('/auth/'));
      },
      2000,
    ));

  it('refuses every body over 64 KiB with 413, plain or base64', () =>
    check(
      fc.tuple(fc.integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES + 4096 }), fc.boolean()),
      ([length, base64]) => {
        const bytes = Buffer.alloc(length, 'a');
        const e = apiEvent({ path: '/x', body: base64 ? bytes.toString('base64') : bytes.toString('utf8'), isBase64Encoded: base64 });
        const result = outcome(() => fromApiGatewayEvent(e), 'invalid_request', [413]);
        assert.ok('thrown' in result);
      },
      50,
    ));

  // Found by these properties: form.ts refuses invalid UTF-8 "instead of silently replaced" when
  // it is percent-encoded, but a form body API Gateway delivers base64-encoded (as it does form
  // posts) was decoded with Buffer#toString, which replaces invalid bytes with U+FFFD, so two
  // different byte strings read as one and the same parameter value.
  it('refuses a base64 body that is not UTF-8, as it refuses percent-encoded invalid UTF-8', () =>
    check(
      fc.tuple(fc.constantFrom('client_id', 'scope', 'client_secret'), fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe0, 0xa4])),
      ([name, invalid]) => {
        const bytes = Buffer.concat([Buffer.from(`grant_type=client_credentials&${name}=a`), Buffer.from(invalid)]);
        const e = apiEvent({ path: '/realms/demo/protocol/openid-connect/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: bytes.toString('base64'), isBase64Encoded: true });
        assert.throws(
          () => parseForm(fromApiGatewayEvent(e)),
          (err) => err instanceof OAuthError && err.error === 'invalid_request' && err.status === 400,
          `accepted ${name}=${JSON.stringify(Buffer.from(bytes).toString('utf8').split('=').pop())}`,
        );
      },
      20,
    ));
});

describe('scope resolution of hostile scope parameters (lib/tokens/scope.ts)', () => {
  const names = ['openid', 'profile', 'email', 'phone', 'address', 'offline_access', 'roles', '__proto__', 'constructor', 'toString'];
  const scopes = new Map<string, ClientScope>(names.filter((name) => name !== 'openid').map((name, i) => [name, { name, protocol: 'openid-connect', includeInTokenScope: i % 3 !== 0, scopeMappings: { realm: [], client: {} } }]));
  const requested = fc.option(
    fc.oneof(
      fc.array(fc.oneof(fc.constantFrom(...names), junk), { maxLength: 5 }).chain((parts) => fc.constantFrom(' ', '  ', '\t', '+').map((sep) => parts.join(sep))),
      anyText,
    ),
    { nil: undefined },
  );

  it('resolveScope returns only allowed scopes or throws 400 invalid_scope naming the request', () =>
    check(
      fc.tuple(requested, fc.subarray(names.slice(1)), fc.subarray(names.slice(1))),
      ([scope, defaults, optional]) => {
        const client = { clientId: 'app', defaultClientScopes: defaults, optionalClientScopes: optional } as unknown as ClientRecord;
        const asked = (scope ?? '').split(' ').filter((name) => name !== '');
        const allowed = new Set(['openid', ...defaults, ...optional]);
        const result = outcome(() => resolveScope(scope, client, scopes), 'invalid_scope', [400]);
        if ('thrown' in result) {
          assert.equal(result.thrown.description, `Invalid scopes: ${scope}`);
          assert.ok(asked.some((name) => !allowed.has(name)));
          return;
        }
        assert.ok(asked.every((name) => allowed.has(name)));
        assert.equal(typeof result.value.scope, 'string');
        for (const name of result.value.scope.split(' ').filter(Boolean)) assert.ok(allowed.has(name), name);
        assert.equal(result.value.openid, asked.includes('openid'));
        for (const clientScope of result.value.clientScopes) assert.ok(defaults.includes(clientScope.name) || (optional.includes(clientScope.name) && asked.includes(clientScope.name)));
      },
      2000,
    ));
});

describe('refresh token format (lib/tokens/refreshToken.ts)', () => {
  it('sessionIdOf finds a session id only in a well-formed refresh token', () =>
    check(
      fc.oneof(anyText, fc.uuid().map((id) => `${id}.`), fc.tuple(fc.nat({ max: 79 }), fc.string({ minLength: 1, maxLength: 2 })).map(([at, text]) => {
        const { token } = newRefreshToken(newSessionId());
        return token.slice(0, at) + text + token.slice(at + 1);
      })),
      (token) => {
        const id = sessionIdOf(token);
        if (id === undefined) return;
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.match(token, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
        assert.equal(token.slice(0, 36), id);
      },
      3000,
    ));

  it('sessionIdOf reads back the session of every token newRefreshToken makes', () =>
    check(
      fc.constant(null),
      () => {
        const id = newSessionId();
        assert.equal(sessionIdOf(newRefreshToken(id).token), id);
      },
      300,
    ));
});

describe('client assertions (lib/clientAuth/clientAssertion.ts)', () => {
  const issuer = 'http://localhost:3000/realms/demo';
  const assertions = fc.oneof({ weight: 4, arbitrary: clientAssertion({ clients: demoClients(), issuer, accessTokens: [] }) }, { weight: 1, arbitrary: anyText });
  const input = (form: Map<string, string>): ClientAuthInput => ({
    request: fromApiGatewayEvent(apiEvent({ path: '/realms/demo/protocol/openid-connect/token' })),
    form,
    realm: 'demo',
    issuer,
  });
  const formOf = fc.tuple(assertions, fc.oneof({ weight: 6, arbitrary: fc.constant(JWT_BEARER) }, { weight: 1, arbitrary: junk }), fc.option(fc.oneof(fc.constantFrom(...demoClients().map((c) => c.clientId)), junk), { nil: undefined })).map(([assertion, type, clientId]) => {
    const form = new Map([['client_assertion', assertion], ['client_assertion_type', type]]);
    if (clientId !== undefined) form.set('client_id', clientId);
    return form;
  });

  it('claimAssertion returns a claim that keeps every rule, or throws 401 invalid_client', () =>
    check(
      formOf,
      (form) => {
        const now = Math.floor(Date.now() / 1000);
        const result = outcome(() => claimAssertion(input(form), now), 'invalid_client', [401]);
        if ('thrown' in result) {
          assert.equal(result.thrown.headers['WWW-Authenticate'], undefined);
          return;
        }
        const { clientId, proof, parsed } = result.value;
        assert.equal(proof, form.get('client_assertion'));
        assert.ok(typeof clientId === 'string' && clientId !== '');
        assert.equal(parsed.payload.sub, clientId);
        assert.equal(parsed.payload.iss, clientId);
        assert.ok(form.get('client_id') === undefined || form.get('client_id') === clientId);
        assert.ok(typeof parsed.payload.exp === 'number' && parsed.payload.exp + CLOCK_SKEW_SECONDS > now);
        assert.ok(typeof parsed.payload.jti === 'string' && parsed.payload.jti.length >= 1 && parsed.payload.jti.length <= 255);
        assert.ok(typeof parsed.header.alg === 'string' && parsed.header.alg !== '' && parsed.header.alg !== 'none');
      },
      3000,
    ));

  // Found by these properties: assertionAlgorithm handed back the header's `alg` whatever its JSON
  // type, and both JWT methods called `.startsWith` on it while picking the authentication method,
  // so `{"alg":1}` (or {}, [], true) was a TypeError and a 500 on every client-authenticating endpoint.
  it('assertionAlgorithm is a string or undefined, whatever the header says', () =>
    check(
      formOf,
      (form) => {
        const alg: unknown = assertionAlgorithm(input(form));
        assert.ok(alg === undefined || typeof alg === 'string', `alg ${JSON.stringify(alg)} from ${form.get('client_assertion')}`);
      },
      3000,
    ));

  it('the JWT methods tell whether an assertion is theirs without throwing', () => {
    const deps = { useOnce: async () => true, now: () => Math.floor(Date.now() / 1000) };
    const methods = [privateKeyJwt(deps, new JwksFetcher()), clientSecretJwt(deps, new UnwrappedKeys({} as KMSClient))];
    return check(
      formOf,
      (form) => {
        for (const method of methods) {
          let present: unknown;
          assert.doesNotThrow(() => (present = method.present(input(form))), `${method.name}.present(${form.get('client_assertion')})`);
          assert.equal(typeof present, 'boolean');
        }
      },
      3000,
    );
  });
});
