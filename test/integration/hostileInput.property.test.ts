/**
 * Issue 7, "Hostile input", in process: fast-check properties through every endpoint's handler,
 * built as functions/*.ts build them but on DynamoDB Local and the local KMS (freshStack); certs and
 * discovery are the functions/ modules themselves. Random
 * and broken methods, paths, header maps, content types and bodies, mixed with requests that carry
 * the demo clients' real credentials and real tokens so that authentication, grants, sessions and
 * token verification are reached too. Every response must be a well-formed OAuth answer below 500
 * that gives nothing away (scripts/fuzz/invariants.ts), and neither the handler's log callback nor
 * the audit log may carry a presented secret.
 *
 * To replay a failure: FC_SEED=<seed> FC_PATH=<path> with the values fast-check printed.
 * HOSTILE_STATS=1 prints which answers each endpoint gave, to see how deep the requests got.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LogWriter } from '../../lib/logWriter.js';
import fc from 'fast-check';
import { JWT_BEARER } from '../../lib/clientAuth/clientAssertion.js';
import { introspect } from '../../lib/grants/introspect.js';
import { logout } from '../../lib/grants/logout.js';
import { revoke } from '../../lib/grants/revoke.js';
import { refreshGrants, tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { Observability } from '../../lib/observability.js';
import { checkLog, checkResponse } from '../../scripts/fuzz/invariants.js';
import { basicAuthorization, demoClients, hostileRequest, hostileRequestFor, REPLAYED_JTIS, signedClientAssertion, type FuzzContext, type HostileRequest } from '../../scripts/fuzz/requests.js';
import { lenientDecode, ROUTE_NAMES, ROUTES, routePath, type RouteName } from '../../scripts/fuzz/routes.js';
import { apiEvent } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * Runs per endpoint, tuned to keep the file well under a minute on two shared cores.
 */
const RUNS: Record<RouteName, number> = { token: 160, refresh: 80, logout: 80, revoke: 80, introspect: 80, certs: 80, discovery: 80 };
/** Batches of 8 concurrent requests to any endpoint. */
const CONCURRENT_BATCHES = 25;
const replay = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {};
const stats = process.env.HOSTILE_STATS === '1' ? new Map<string, number>() : undefined;

type Handler = ReturnType<typeof httpHandler>;
type Response = { status: number; headers: Record<string, string>; body: string };

let stack: TestStack;
let handlers: Record<RouteName, Handler>;
let ctx: FuzzContext;
const clients = demoClients();
const knownSecrets = clients.flatMap((client) => (client.secret ? [client.secret] : []));
/** What the handlers passed to their log callback, and the audit logger's lines. */
let logged: unknown[] = [];

/** The event API Gateway would build: repeated headers joined with a comma, the realm from the path. */
function toEvent(request: HostileRequest): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name] = Object.hasOwn(headers, name) ? `${headers[name]},${value}` : value;
  const [path = '', query = ''] = request.path.split(/\?(.*)/s);
  const realmSegment = /^(?:\/auth)?\/realms\/([^/]*)/.exec(path)?.[1];
  const raw = request.body === undefined ? undefined : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body);
  const body = request.body === undefined ? undefined : request.base64 ? raw!.toString('base64') : typeof request.body === 'string' ? request.body : raw!.toString('utf8');
  const event = apiEvent({
    method: request.method,
    path,
    realm: request.realmParam ?? lenientDecode(realmSegment ?? ''),
    body,
    isBase64Encoded: request.base64 && body !== undefined,
    sourceIp: request.sourceIp,
  });
  return { ...event, headers, rawQueryString: query };
}

/** The audit log writer, keeping its lines in `logged` instead of printing them. */
const keepingLogger = () => new LogWriter({ logLevel: 'INFO', write: (line) => void logged.push(line) });

async function send(request: HostileRequest): Promise<Response> {
  const result = await handlers[request.route](toEvent(request));
  const response = { status: result.statusCode ?? 0, headers: (result.headers ?? {}) as Record<string, string>, body: typeof result.body === 'string' ? result.body : '' };
  if (stats) {
    const body = response.body.startsWith('{') ? (JSON.parse(response.body) as Record<string, unknown>) : {};
    const key = `${request.route} ${response.status} ${String(body.error ?? '')} ${String(body.error_description ?? '').slice(0, 60)}`;
    stats.set(key, (stats.get(key) ?? 0) + 1);
  }
  return response;
}

const problemsOf = (request: HostileRequest, response: Response) =>
  checkResponse(request, response, { routed: true, noStore: ROUTES[request.route].noStore, bodyExpected: true }, knownSecrets);

/** The request and what came back, short enough to read in a failure report. */
function describeRun(request: HostileRequest, response: Response, problems: string[]): string {
  const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body.slice(0, 300) : `<${request.body.length} bytes>`;
  return `${problems.join('; ')}\n  request: ${JSON.stringify({ ...request, body })}\n  response: ${response.status} ${response.body.slice(0, 300)}\n  log: ${JSON.stringify(logged).slice(0, 600)}`;
}

before(async () => {
  // Audit lines are kept at INFO so that they can be searched for secrets; brute-force limits low
  // enough that 429 answers are among those checked (most requests come from other addresses).
  stack = await freshStack({ observability: new Observability({ logger: keepingLogger() }), authFailureLimits: [12, 5] });
  const { runtime } = stack;
  process.env.CLIENTS_TABLE = runtime.config.clientsTable;
  process.env.SESSIONS_TABLE = runtime.config.sessionsTable;
  const observe = runtime.observability;
  const log = (entry: Record<string, unknown>) => void logged.push(entry);
  // As functions/*.ts build them, with this stack's runtime.
  handlers = {
    token: httpHandler((request) => tokenEndpoint(runtime, request, tokenGrants), { noStore: true, observe, log }),
    refresh: httpHandler((request) => tokenEndpoint(runtime, request, refreshGrants), { noStore: true, observe, log }),
    logout: httpHandler((request) => logout(runtime, request), { noStore: true, observe, log }),
    revoke: httpHandler((request) => revoke(runtime, request), { noStore: true, observe, log }),
    introspect: httpHandler((request) => introspect(runtime, request), { noStore: true, observe, log }),
    // functions/certs.ts and functions/discovery.ts hold their endpoint's logic themselves: the
    // modules are loaded as Lambda loads them, their runtime reading this stack's tables from the
    // environment (their log lines go to their own logger, not to `logged`).
    certs: (await import('../../functions/certs.js')).handler,
    discovery: (await import('../../functions/discovery.js')).handler,
  };

  // Real tokens, so that refresh, logout, revocation and introspection get past "unknown token".
  const accessTokens: string[] = [];
  const refreshTokens: string[] = [];
  for (const [clientId, secret, times] of [['product-sa-client', 'password', 12], ['full-scope-client', 'full-secret', 2]] as const) {
    for (let i = 0; i < times; i++) {
      const request: HostileRequest = {
        route: 'token',
        method: 'POST',
        path: routePath('token', 'demo', i % 2 === 1),
        headers: [['host', 'localhost:3000'], ['x-forwarded-proto', 'http'], ['content-type', 'application/x-www-form-urlencoded'], ['authorization', basicAuthorization(clientId, secret)]],
        body: 'grant_type=client_credentials',
        base64: false,
      };
      const res = await send(request);
      assert.equal(res.status, 200, res.body);
      const body = JSON.parse(res.body) as { access_token: string; refresh_token?: string };
      accessTokens.push(body.access_token);
      if (body.refresh_token) refreshTokens.push(body.refresh_token);
    }
  }
  // The audit lines are really being kept (else the log checks below would check nothing).
  assert.ok(logged.some((line) => typeof line === 'string' && line.includes('CLIENT_LOGIN')), 'no audit line was kept');
  ctx = { realm: 'demo', host: 'localhost:3000', issuer: 'http://localhost:3000/realms/demo', clients, accessTokens, refreshTokens };
});

describe('hostile input through every endpoint (DynamoDB Local, local KMS)', () => {
  for (const route of ROUTE_NAMES) {
    it(`${route}: any request gets a well-formed answer below 500 that gives nothing away`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileRequestFor(route, ctx), async (request) => {
          logged = [];
          const response = await send(request);
          const problems = [...problemsOf(request, response), ...checkLog([request], logged)];
          assert.deepEqual(problems, [], describeRun(request, response, problems));
        }),
        { numRuns: RUNS[route], ...replay },
      );
    });
  }

  // Races show only when requests overlap: the shared secret memo, session rotation, the
  // failed-authentication counters, the realm cache.
  it('any endpoints, 8 requests at a time: every answer well-formed, nothing given away', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRequest(ctx), { minLength: 8, maxLength: 8 }), async (batch) => {
        logged = [];
        const responses = await Promise.all(batch.map(send));
        const problems = batch.flatMap((request, i) => problemsOf(request, responses[i]!).map((problem) => `#${i} ${problem}`));
        problems.push(...checkLog(batch, logged));
        const first = Math.max(0, batch.findIndex((request, i) => problemsOf(request, responses[i]!).length > 0));
        assert.deepEqual(problems, [], describeRun(batch[first]!, responses[first]!, problems));
      }),
      { numRuns: CONCURRENT_BATCHES, ...replay },
    );
  });

  // The smallest request the properties shrank to for a bug they found: lib/clientAuth's JWT
  // methods called `.startsWith` on the assertion header's `alg` whatever its JSON type, so a
  // number there was a TypeError and a 500 on every endpoint that authenticates clients.
  it('refuses a client assertion whose header alg is not a string with invalid_client, not a 500', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    let n = 0;
    for (const alg of [1, {}, ['HS256'], true, null]) {
      const assertion = `${b64({ alg })}.${b64({ sub: 'full-scope-client', iss: 'full-scope-client', aud: ctx.issuer, exp: Math.floor(Date.now() / 1000) + 30, jti: `j-${Math.random()}` })}.c2ln`;
      for (const route of ['token', 'refresh', 'logout', 'revoke', 'introspect'] as const) {
        const grant = route === 'token' ? 'grant_type=client_credentials&' : route === 'refresh' ? 'grant_type=refresh_token&refresh_token=x&' : 'refresh_token=x&token=x&';
        const request: HostileRequest = {
          route,
          method: 'POST',
          path: routePath(route, 'demo', false),
          headers: [['host', 'localhost:3000'], ['content-type', 'application/x-www-form-urlencoded']],
          body: `${grant}client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${assertion}`,
          base64: false,
          // One address each, so that the brute-force limit never answers in the bug's place.
          sourceIp: `192.0.2.${++n}`,
        };
        logged = [];
        const res = await send(request);
        assert.equal(res.status, 401, `${route}, alg ${JSON.stringify(alg)}: ${res.status} ${res.body} ${JSON.stringify(logged)}`);
        assert.equal((JSON.parse(res.body) as { error: string }).error, 'invalid_client');
      }
    }
  });

  // The generators' validly signed assertions pass every rule, so the properties above reach the
  // single-use jti rule: the same assertion is accepted once, then refused as a replay.
  it('the generated signed assertions are accepted once, and a replay is refused', async () => {
    const assertions = fc.sample(signedClientAssertion(ctx), { numRuns: 6, seed: 7 });
    const subjects = new Set<string>();
    for (const [i, assertion] of assertions.entries()) {
      const request: HostileRequest = {
        route: 'token',
        method: 'POST',
        path: routePath('token', 'demo', false),
        headers: [['host', 'localhost:3000'], ['content-type', 'application/x-www-form-urlencoded']],
        body: `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${assertion}`,
        base64: false,
        sourceIp: `198.51.100.${i + 1}`,
      };
      const { jti, sub } = JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString()) as { jti: string; sub: string };
      subjects.add(sub);
      const first = await send(request);
      // A fixed id may already have been used by the properties above: then it is a replay at once.
      if (!REPLAYED_JTIS.includes(jti)) assert.equal(first.status, 200, first.body);
      logged = [];
      const again = await send(request);
      assert.equal(again.status, 401, again.body);
      // The answer is every failed authentication's; the audit line names the rule.
      assert.deepEqual(JSON.parse(again.body), { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' });
      assert.ok(logged.some((line) => typeof line === 'string' && line.includes('"reason":"Token reuse detected"')), JSON.stringify(logged));
    }
    assert.deepEqual([...subjects].sort(), ['jwt-client', 'secret-jwt-client'], 'both JWT methods');
  });

  if (stats) after(() => console.log([...stats].sort().map(([key, count]) => `${String(count).padStart(5)} ${key}`).join('\n')));
});
