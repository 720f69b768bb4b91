/**
 * The fuzz run of issue 7 against a running local stack: thousands of hostile requests (half
 * nearly valid with the demo clients' real credentials and tokens, half anything at all) to every
 * route under both path forms, each response checked against scripts/fuzz/invariants.ts, within a
 * hard time bound. Every distinct violation is shrunk (headers, parameters and body dropped while
 * it still reproduces) into a minimal request and a curl command.
 */
import fc from 'fast-check';
import { checkResponse } from './invariants.js';
import { loopbackTarget, send, sendable, sourceAddress, Unsendable, type HttpResult, type HttpTarget } from './http.js';
import { basicAuthorization, demoClients, hostileRequest, type FuzzContext, type HostileRequest } from './requests.js';
import { matchRoute, ROUTES, routePath, type RouteName } from './routes.js';

export interface FuzzOptions {
  /** Loopback only, e.g. http://localhost:3000. */
  baseUrl: string;
  /** Default 3000. */
  requests?: number;
  /** Hard bound on the whole run, setup and shrinking included. Default 60. */
  seconds?: number;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Replays a run. Default random (printed). */
  seed?: number;
  realm?: string;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
}

export interface Violation {
  /** The route the gateway sent the request to, if any. */
  route?: RouteName;
  status: number;
  problems: string[];
  /** How many requests broke the invariants this way. */
  occurrences: number;
  /** The smallest request found that still does. */
  request: HostileRequest;
  response: HttpResult;
  curl: string;
}

export interface FuzzReport {
  baseUrl: string;
  seed: number;
  /** Requests answered (excluding setup and shrinking). */
  requests: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, number>;
  /** Requests Node would not send as generated. */
  unsendable: number;
  /** Requests still in flight when the time bound was reached. */
  cutOff: number;
  /**
   * Answers that are the local Lambda emulator's, not a handler's: the invocation timed out (a
   * handler that hangs) or the function's bundle was missing. On AWS these would be 5xx of the
   * platform, so each one is also a violation; the count and the first one's details are kept here.
   */
  runtimeFailures: { count: number; first?: string };
  /**
   * Well-formed `503 temporarily_unavailable` answers: the handler's time budget ran out waiting
   * for DynamoDB or KMS, which on a loaded machine is the designed answer. Reported, held to every
   * other rule, and not counted as violations.
   */
  overloaded: number;
  stoppedByTime: boolean;
  elapsedSeconds: number;
  violations: Violation[];
}

const SETUP_REFRESH_TOKENS = 12;
const MAX_SHRUNK_VIOLATIONS = 5;
const KNOWN_SECRETS = demoClients().flatMap((client) => (client.secret ? [client.secret] : []));

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const requests = options.requests ?? 3000;
  const deadline = started + (options.seconds ?? 60) * 1000;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const seed = options.seed ?? (Math.random() * 2 ** 31) | 0;
  const realm = options.realm ?? 'demo';
  const log = options.log ?? (() => undefined);
  const target = await loopbackTarget(options.baseUrl, concurrency);
  const timeLeft = () => deadline - Date.now();

  try {
    const ctx = await context(target, realm, timeLeft);
    log(`fuzzing ${target.base.origin} with ${requests} requests, ${concurrency} at a time, seed ${seed}`);

    const report: FuzzReport = { baseUrl: target.base.origin, seed, requests: 0, byStatus: {}, byRoute: {}, unsendable: 0, cutOff: 0, runtimeFailures: { count: 0 }, overloaded: 0, stoppedByTime: false, elapsedSeconds: 0, violations: [] };
    const found = new Map<string, Violation>();
    // Shrinking needs time of its own: once something is found, the main phase stops earlier.
    const mainDeadline = () => (found.size > 0 ? deadline - Math.min(15_000, (deadline - started) / 4) : deadline);
    const abort = new AbortController();
    const cutOffTimer = setTimeout(() => abort.abort(), Math.max(0, deadline - Date.now()));

    const generated = batches(ctx, requests, seed);
    let next = 0;
    const worker = async () => {
      while (next < requests) {
        if (Date.now() >= mainDeadline()) {
          report.stoppedByTime = true;
          return;
        }
        const index = next++;
        const request = sendable(generated(index), target);
        const outcome = await exchange(target, request, Math.min(20_000, timeLeft()), abort.signal, sourceAddress(target, index));
        if (outcome.kind === 'unsendable') {
          report.unsendable++;
          continue;
        }
        if (outcome.kind === 'cut-off') {
          report.cutOff++;
          report.stoppedByTime = true;
          return;
        }
        report.requests++;
        const failure = outcome.kind === 'answered' ? runtimeFailure(outcome.response) : undefined;
        if (failure) {
          report.runtimeFailures.count++;
          report.runtimeFailures.first ??= failure;
        }
        if (outcome.kind === 'answered' && overloaded(outcome.response)) report.overloaded++;
        const status = outcome.kind === 'answered' ? String(outcome.response.status) : 'no response';
        report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
        const routed = matchRoute(request.method, request.path);
        report.byRoute[routed?.route ?? 'unrouted'] = (report.byRoute[routed?.route ?? 'unrouted'] ?? 0) + 1;
        if (report.requests % 250 === 0) log(`${report.requests} requests, ${found.size} distinct violations`);
        const problems = failure ? [`the Lambda emulator answered, not the handler: ${failure}`] : outcome.kind === 'answered' ? judge(request, outcome.response) : [outcome.error];
        if (problems.length === 0) continue;
        const response = outcome.kind === 'answered' ? outcome.response : { status: 0, headers: {}, body: '' };
        const key = signature(request, response, problems);
        const known = found.get(key);
        if (known) known.occurrences++;
        else found.set(key, { route: routed?.route, status: response.status, problems, occurrences: 1, request, response, curl: '' });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    clearTimeout(cutOffTimer);

    let shrunk = 0;
    for (const [key, violation] of found) {
      if (shrunk++ < MAX_SHRUNK_VIOLATIONS && timeLeft() > 1000) {
        const smaller = await shrink(target, violation, key, deadline);
        violation.request = smaller.request;
        violation.response = smaller.response;
      }
      violation.curl = curl(target, violation.request);
      report.violations.push(violation);
    }
    report.elapsedSeconds = Math.round((Date.now() - started) / 100) / 10;
    return report;
  } finally {
    target.agent.destroy();
  }
}

type Exchange =
  | { kind: 'answered'; response: HttpResult }
  | { kind: 'failed'; error: string }
  | { kind: 'unsendable' }
  | { kind: 'cut-off' };

async function exchange(target: HttpTarget, request: HostileRequest, timeoutMs: number, signal: AbortSignal, localAddress?: string): Promise<Exchange> {
  if (signal.aborted || timeoutMs <= 0) return { kind: 'cut-off' };
  // A kept-alive connection the server closed just as it was reused fails with a reset before
  // the request reached anyone; a client sends again, once, and so does the fuzz.
  for (let attempt = 0; ; attempt++) {
    try {
      return { kind: 'answered', response: await send(target, request, timeoutMs, signal, localAddress) };
    } catch (err) {
      if (err instanceof Unsendable) return { kind: 'unsendable' };
      if (signal.aborted) return { kind: 'cut-off' };
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt === 0 && (code === 'ECONNRESET' || code === 'EPIPE')) continue;
      return { kind: 'failed', error: `no response: ${(err as Error).message}` };
    }
  }
}

const parsed = (body: string): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** The emulator's own Lambda failures: a handler that timed out, or a missing bundle (see FuzzReport.runtimeFailures). */
function runtimeFailure(response: HttpResult): string | undefined {
  const body = parsed(response.body);
  if (!body || typeof body.errorMessage !== 'string') return undefined;
  if (body.errorType === 'LambdaTimeoutError' || /Cannot find module '[^']*\.esbuild\//.test(body.errorMessage)) return `${response.status} ${body.errorMessage.split('\n')[0]}`;
  return undefined;
}

/**
 * Whether the answer is the gateway's rather than a handler's: hapi's error payloads
 * (`{statusCode, error, message}`, for a malformed cookie, content type or URI) and serverless
 * offline's "route not found". Those are held only to the rules every answer keeps (below 500,
 * nothing given away); the OAuth shape is for our handlers.
 */
function fromGateway(response: HttpResult): boolean {
  const body = parsed(response.body);
  return body !== undefined && typeof body.statusCode === 'number' && typeof body.error === 'string' && ('message' in body || 'existingRoutes' in body);
}

const overloaded = (response: HttpResult) => response.status === 503 && parsed(response.body)?.error === 'temporarily_unavailable';

/** The invariants, judged as the gateway routed the request. */
function judge(request: HostileRequest, response: HttpResult): string[] {
  const routed = fromGateway(response) ? undefined : matchRoute(request.method, request.path);
  const problems = checkResponse(
    request,
    response,
    { routed: routed !== undefined, noStore: routed ? ROUTES[routed.route].noStore : false, bodyExpected: request.method.toUpperCase() !== 'HEAD' },
    KNOWN_SECRETS,
  );
  return overloaded(response) ? problems.filter((problem) => problem !== 'status 503') : problems;
}

/** Violations of one kind on one route count as one: the details in parentheses vary. */
function signature(request: HostileRequest, response: HttpResult, problems: string[]): string {
  const route = matchRoute(request.method, request.path)?.route ?? 'unrouted';
  return `${route} ${response.status} ${problems.map((problem) => problem.replace(/\s*\(.*\)$/, '')).join(' | ')}`;
}

/** Requests drawn lazily, 100 at a time, so a run that stops early never generated the rest. */
function batches(ctx: FuzzContext, total: number, seed: number): (index: number) => HostileRequest {
  const arbitrary = hostileRequest(ctx);
  const cache = new Map<number, HostileRequest[]>();
  return (index) => {
    const batch = Math.floor(index / 100);
    let drawn = cache.get(batch);
    if (!drawn) {
      cache.delete(batch - 2);
      drawn = fc.sample(arbitrary, { numRuns: Math.min(100, total - batch * 100), seed: seed + batch });
      cache.set(batch, drawn);
    }
    return drawn[index % 100]!;
  };
}

/** Real tokens, so refresh, logout, revocation and introspection get past "unknown token". */
async function context(target: HttpTarget, realm: string, timeLeft: () => number): Promise<FuzzContext> {
  const accessTokens: string[] = [];
  const refreshTokens: string[] = [];
  const clients = demoClients();
  const grants: [string, string][] = [...Array.from({ length: SETUP_REFRESH_TOKENS }, (): [string, string] => ['product-sa-client', 'password']), ['full-scope-client', 'full-secret']];
  for (const [i, [clientId, secret]] of grants.entries()) {
    const request: HostileRequest = {
      route: 'token',
      method: 'POST',
      path: routePath('token', realm, i % 2 === 1),
      headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Authorization', basicAuthorization(clientId, secret)]],
      body: 'grant_type=client_credentials',
      base64: false,
    };
    // A loaded local stack may fail one of these (an emulator timeout); try each three times.
    let body: { access_token?: unknown; refresh_token?: unknown } | undefined;
    let last = '';
    for (let attempt = 0; attempt < 3 && body === undefined; attempt++) {
      let response: HttpResult;
      try {
        response = await send(target, request, Math.max(1, Math.min(30_000, timeLeft())));
      } catch (err) {
        throw new Error(`the stack at ${target.base.origin} does not answer (${(err as Error).message}); start it with \`npm start\``);
      }
      const answer = parsed(response.body);
      if (response.status === 200 && typeof answer?.access_token === 'string') body = answer;
      else last = `${response.status} ${response.body.slice(0, 200)}`;
    }
    if (!body) throw new Error(`setup grant for ${clientId} failed: ${last} (is the demo realm loaded?)`);
    accessTokens.push(body.access_token as string);
    if (typeof body.refresh_token === 'string') refreshTokens.push(body.refresh_token);
  }
  return { realm, host: target.base.host, issuer: `${target.base.origin}/realms/${realm}`, clients, accessTokens, refreshTokens };
}

/**
 * Greedy shrinking: drop one header, one body parameter, the whole body, or the query string at a
 * time, keeping each cut that still breaks the invariants the same way; stops at the deadline.
 */
async function shrink(target: HttpTarget, violation: Violation, key: string, deadline: number): Promise<{ request: HostileRequest; response: HttpResult }> {
  let best = { request: violation.request, response: violation.response };
  let attempt = 0;
  const reproduces = async (candidate: HostileRequest) => {
    try {
      const response = await send(target, candidate, Math.min(20_000, deadline - Date.now()), undefined, sourceAddress(target, attempt++));
      const problems = judge(candidate, response);
      return problems.length > 0 && signature(candidate, response, problems) === key ? response : undefined;
    } catch {
      return undefined;
    }
  };
  let progress = true;
  while (progress && Date.now() < deadline - 500) {
    progress = false;
    for (const candidate of smallerThan(best.request)) {
      if (Date.now() >= deadline - 500) break;
      const response = await reproduces(candidate);
      if (response) {
        best = { request: candidate, response };
        progress = true;
        break;
      }
    }
  }
  return best;
}

function* smallerThan(request: HostileRequest): Generator<HostileRequest> {
  if (request.body !== undefined) yield { ...request, body: undefined };
  if (typeof request.body === 'string' && request.body.includes('&')) {
    const pairs = request.body.split('&');
    for (let i = 0; i < pairs.length; i++) yield { ...request, body: pairs.filter((_, j) => j !== i).join('&') };
  }
  for (let i = 0; i < request.headers.length; i++) yield { ...request, headers: request.headers.filter((_, j) => j !== i) };
  if (request.path.includes('?')) yield { ...request, path: request.path.split('?')[0]! };
  if (typeof request.body === 'string' && request.body.length > 64) yield { ...request, body: request.body.slice(0, Math.floor(request.body.length / 2)) };
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A curl command that sends exactly this request (the body through base64, so any byte survives). */
export function curl(target: HttpTarget, request: HostileRequest): string {
  const parts = ['curl', '-sS', '-i', '-X', shellQuote(request.method.toUpperCase()), shellQuote(`${target.base.origin}${request.path}`)];
  for (const [name, value] of request.headers) parts.push('-H', shellQuote(`${name}: ${value}`));
  if (request.body !== undefined) {
    const bytes = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body);
    return `echo ${bytes.toString('base64')} | base64 -d | ${parts.join(' ')} --data-binary @-`;
  }
  return parts.join(' ');
}

/** The report as people read it. */
export function formatReport(report: FuzzReport): string {
  const lines = [
    `fuzz ${report.baseUrl}  seed ${report.seed}  ${report.elapsedSeconds} s${report.stoppedByTime ? ' (time bound reached)' : ''}`,
    `requests: ${report.requests}  (unsendable ${report.unsendable}, cut off ${report.cutOff})`,
    `by status: ${Object.entries(report.byStatus).sort().map(([status, count]) => `${status}×${count}`).join('  ')}`,
    `by route:  ${Object.entries(report.byRoute).sort().map(([route, count]) => `${route}×${count}`).join('  ')}`,
    ...(report.overloaded > 0 ? [`503 temporarily_unavailable (time budget ran out; well-formed, not violations): ${report.overloaded}`] : []),
    ...(report.runtimeFailures.count > 0 ? [`emulator failures (violations): ${report.runtimeFailures.count}, first: ${report.runtimeFailures.first}`] : []),
    `violations: ${report.violations.length === 0 ? 'none' : report.violations.reduce((sum, v) => sum + v.occurrences, 0)}`,
  ];
  for (const [i, violation] of report.violations.entries()) {
    lines.push(
      '',
      `#${i + 1} ${violation.route ?? 'unrouted'} → ${violation.status}: ${violation.problems.join('; ')}  (${violation.occurrences}×)`,
      `  request:  ${JSON.stringify({ ...violation.request, body: typeof violation.request.body === 'string' || violation.request.body === undefined ? violation.request.body : `<${violation.request.body.length} bytes>` })}`,
      `  response: ${violation.response.status} ${violation.response.body.slice(0, 300)}`,
      `  reproduce: ${violation.curl}`,
    );
  }
  return lines.join('\n');
}
