import { jsonDepthProblem } from '../http/json.js';
import type { AdminContext } from '../admin/context.js';
import { AdminError } from '../admin/errors.js';
import { findRealmSettings } from '../admin/realms.js';
import { OAuthError } from '../http/errors.js';
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import { forbiddenKeyProblem } from '../model/userKeys.js';
import {
  AdminApiError,
  badRequest,
  cannotParseJson,
  conflict,
  forbidden,
  methodNotAllowed,
  notFound,
  type AdminApiErrorBody,
} from './errors.js';
import { decideAccess, mayCreateRealm, rightsIn, type AdminCaller, type Right } from './rights.js';
import type { AdminCall, AdminMethod, AdminResponse, AdminRoute } from './route.js';

/** What the router needs, built once per container (lib/adminRuntime.ts). */
export interface AdminApiDeps {
  /** The caller of a request, or 401 (lib/adminApi/auth.ts authenticateBearer). */
  authenticate(request: HttpRequest): Promise<AdminCaller>;
  admin: AdminContext;
  /** Records a successful write or a refused request (Keycloak's admin events); absent in tests that do not look. */
  audit?(event: AdminEvent): void;
}

/**
 * Keycloak's AdminEvent, as far as it is safe to log: who (AuthDetails: the caller's realm, its
 * client by clientId and internal id, its service-account user, and the source address), what
 * (`CREATE`, `UPDATE`, `DELETE`, `ACTION`) and where (the resource path under the realm), with the
 * user agent and the request id to find the request in the front door's logs. Never the
 * representation (it may hold a secret) and never the token.
 *
 * A refused request is an event too (AdminEventBuilder.error): `invalid_token` when the bearer did
 * not authenticate (401: no caller is known), `not_allowed` when the caller lacks the right (403).
 * A refusal names the HTTP method instead of an operation type: what it would have been is not known.
 */
export interface AdminEvent {
  operationType?: OperationType;
  method?: string;
  realm?: string;
  resourcePath: string;
  authRealm?: string;
  authClientId?: string;
  authClientUuid?: string;
  authUserId?: string;
  ipAddress: string;
  userAgent?: string;
  requestId: string;
  status: number;
  error?: 'invalid_token' | 'not_allowed';
}

type OperationType = 'CREATE' | 'UPDATE' | 'DELETE' | 'ACTION';

/** A user agent is the client's to choose: kept short in the log. */
const MAX_USER_AGENT = 256;

/** Keycloak's admin resources answer JSON in UTF-8 and forbid caching (AdminRoot's CacheControl). */
const JSON_HEADERS = { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-cache' } as const;

/** The two places the API lives: Keycloak 17+'s `/admin` and the legacy `/auth/admin` (provider `base_path = "/auth"`). */
const PREFIXES = ['/auth/admin', '/admin'] as const;

interface CompiledRoute {
  route: AdminRoute;
  /** Literal segments, or `{name}` captures; a last `{name+}` captures the rest of the path. */
  segments: ({ literal: string } | { param: string; rest?: true })[];
}

/**
 * The Admin REST API's one entry: matches the path against the families' route tables, runs the
 * checks every request passes in Keycloak's order (token 401 → realm 404 → realm reach 403 →
 * sub-resource 404 → right 403; body 400 and conflict 409 follow in the handler), calls the
 * handler and writes its answer. Every error of the API becomes a response here and nowhere else.
 */
export class AdminRouter {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly AdminRoute[]) {
    this.routes = routes.map((route) => ({
      route,
      segments: split(route.path).map((segment) => {
        const param = /^\{(\w+)(\+?)\}$/.exec(segment);
        if (!param) return { literal: segment };
        return param[2] === '+' ? { param: param[1]!, rest: true as const } : { param: param[1]! };
      }),
    }));
    const seen = new Set<string>();
    for (const { route } of this.routes) {
      const key = `${route.method} ${route.path.replace(/\{\w+\+?\}/g, '{}')}`;
      if (seen.has(key)) throw new Error(`two admin routes for ${key}`);
      seen.add(key);
    }
  }

  async handle(deps: AdminApiDeps, request: HttpRequest): Promise<HttpResponse> {
    const seen: Seen = {};
    try {
      const response = await this.dispatch(deps, request, seen);
      // Keycloak's OperationType: a POST that creates is CREATE, any other POST (regenerate a secret, push revocation) ACTION.
      if (request.method !== 'GET') deps.audit?.(adminEvent(request, seen, response.status, operationTypeOf(request.method, response.status)));
      return render(response);
    } catch (err) {
      const known = asAdminApiError(err);
      if (!known) throw err; // a failing dependency or a bug: lib/http/handler.ts answers 503 or 500
      if (known.status === 401 || known.status === 403) deps.audit?.(adminEvent(request, seen, known.status));
      return { statusCode: known.status, headers: { ...JSON_HEADERS }, body: JSON.stringify(known.body) };
    }
  }

  private async dispatch(deps: AdminApiDeps, request: HttpRequest, seen: Seen): Promise<AdminResponse> {
    const prefix = PREFIXES.find((p) => request.path === p || request.path.startsWith(`${p}/`));
    if (!prefix) throw notFound();
    const segments = decodeSegments(request.path.slice(prefix.length));
    seen.segments = segments;
    // Keycloak authenticates every admin request before it matches a sub-resource (AdminRoot).
    const caller = await deps.authenticate(request);
    seen.caller = caller;
    const candidates = this.routes.filter((compiled) => matches(compiled, segments));
    if (candidates.length === 0) throw notFound();
    const compiled = pick(candidates.filter(({ route }) => route.method === request.method));
    if (!compiled) throw methodNotAllowed();
    const params = paramsOf(compiled, segments);
    const { route } = compiled;

    const realmName = params.realm;
    seen.realm = realmName;
    const realm = realmName === undefined ? undefined : await findRealmSettings(deps.admin, realmName);
    const rightRealm = (realm?: string) => realm ?? realmName ?? caller.realm;
    let parsed: { value: unknown } | undefined;
    const call: AdminCall = {
      request,
      params,
      query: new URLSearchParams(request.query ?? ''),
      caller,
      admin: deps.admin,
      realm,
      may: (right, realm) => holds(caller, right, rightRealm(realm)),
      require: (right, realm) => {
        if (!holds(caller, right, rightRealm(realm))) throw forbidden();
      },
      body: (expect) => {
        parsed ??= { value: parseJson(request.body) };
        const value = parsed.value;
        if (value !== undefined && expect === 'object' && (typeof value !== 'object' || value === null || Array.isArray(value))) throw cannotParseJson(true);
        if (value !== undefined && expect === 'array' && !Array.isArray(value)) throw cannotParseJson(true);
        return value;
      },
      url: (...parts) => `${request.origin}${prefix}/${parts.map(encodeURIComponent).join('/')}`,
    };

    if (realmName !== undefined) {
      const decision = decideAccess(caller, realmName, realm !== undefined, route.right ?? undefined);
      if (decision === 'realm-not-found') throw notFound('Realm not found.');
      if (decision === 'forbidden') throw forbidden();
      if (decision === 'check-sub-resource') {
        await route.exists?.(call);
        throw forbidden();
      }
    } else if (route.right !== null && !holds(caller, route.right, caller.realm)) {
      throw forbidden();
    }
    return route.handle(call);
  }
}

/** What dispatch learnt of a request before it was answered or refused, for its event. */
interface Seen {
  segments?: string[];
  caller?: AdminCaller;
  /** The `{realm}` of the matched route. */
  realm?: string;
}

function operationTypeOf(method: string, status: number): OperationType {
  return method === 'PUT' ? 'UPDATE' : method === 'DELETE' ? 'DELETE' : status === 201 ? 'CREATE' : 'ACTION';
}

/** The event of an answered write (with its operation type) or of a refusal (with the HTTP method: what it would have been is unknown). */
function adminEvent(request: HttpRequest, seen: Seen, status: number, operationType?: OperationType): AdminEvent {
  const segments = seen.segments ?? [];
  const underRealm = seen.realm !== undefined || (seen.caller === undefined && segments[0] === 'realms' && segments.length >= 2);
  const realm = seen.realm ?? (underRealm ? segments[1] : undefined);
  const { caller } = seen;
  const userAgent = request.headers['user-agent'];
  return {
    ...(operationType === undefined ? { method: request.method } : { operationType }),
    ...(realm === undefined ? {} : { realm }),
    resourcePath: (underRealm ? segments.slice(2) : segments).map(encodeURIComponent).join('/'),
    ...(caller === undefined
      ? {}
      : {
          authRealm: caller.realm,
          authClientId: caller.clientId,
          ...(caller.clientUuid === undefined ? {} : { authClientUuid: caller.clientUuid }),
          ...(caller.userId === undefined ? {} : { authUserId: caller.userId }),
        }),
    ipAddress: request.sourceIp,
    ...(userAgent === undefined ? {} : { userAgent: userAgent.slice(0, MAX_USER_AGENT) }),
    requestId: request.requestId,
    status,
    ...(status === 401 ? { error: 'invalid_token' as const } : status === 403 ? { error: 'not_allowed' as const } : {}),
  };
}

function holds(caller: AdminCaller, right: Right, realm: string): boolean {
  return right === 'create-realm' ? mayCreateRealm(caller) : rightsIn(caller, realm).has(right);
}

/** Errors of this API's own and of lib/admin, in Keycloak's shapes; undefined for anything else. */
function asAdminApiError(err: unknown): AdminApiError | undefined {
  if (err instanceof AdminApiError) return err;
  if (err instanceof AdminError) {
    switch (err.kind) {
      case 'not-found':
        return notFound(err.message);
      case 'conflict':
        return conflict(err.message);
      case 'forbidden':
        return forbidden();
      case 'unparsable':
        return cannotParseJson(true);
      default:
        return badRequest(err.message);
    }
  }
  // lib/http's request parsing (body too large, not UTF-8): already an OAuth-style body.
  if (err instanceof OAuthError) {
    const body: AdminApiErrorBody = err.description === undefined ? { error: err.error } : { error: err.error, error_description: err.description };
    return new AdminApiError(err.status, body);
  }
  return undefined;
}

function render(response: AdminResponse): HttpResponse {
  switch (response.status) {
    case 200:
      return { statusCode: 200, headers: { ...response.headers, ...JSON_HEADERS }, body: JSON.stringify(response.body) };
    case 201:
      return response.body === undefined
        ? { statusCode: 201, headers: { Location: response.location, 'Cache-Control': 'no-cache' }, body: '' }
        : { statusCode: 201, headers: { Location: response.location, ...JSON_HEADERS }, body: JSON.stringify(response.body) };
    case 204:
      return { statusCode: 204, headers: { 'Cache-Control': 'no-cache' }, body: '' };
  }
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  // Before parsing: what reads the result recurses (lib/http/json.ts).
  const tooDeep = jsonDepthProblem(body);
  if (tooDeep !== undefined) throw badRequest(`The JSON body ${tooDeep}`);
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    throw cannotParseJson();
  }
  // No key of any body reaches an object's prototype machinery, whichever resource reads it (issue 17 F1).
  const problem = forbiddenKeyProblem(value);
  if (problem !== undefined) throw badRequest(problem);
  return value;
}

/** `/realms/r/clients/` and `/realms/r/clients` name the same resource (the admin client sends both). */
function split(path: string): string[] {
  return path.split('/').filter((segment, i, all) => !(segment === '' && (i === 0 || i === all.length - 1)));
}

function decodeSegments(rest: string): string[] {
  if (rest === '' || rest === '/') return [];
  try {
    return split(rest).map((segment) => decodeURIComponent(segment));
  } catch {
    throw notFound();
  }
}

function matches(compiled: CompiledRoute, segments: string[]): boolean {
  const last = compiled.segments[compiled.segments.length - 1];
  const rest = last !== undefined && 'rest' in last;
  if (rest ? segments.length < compiled.segments.length : compiled.segments.length !== segments.length) return false;
  const covered = rest ? segments.map((_, i) => compiled.segments[Math.min(i, compiled.segments.length - 1)]!) : compiled.segments;
  return covered.every((part, i) => ('literal' in part ? part.literal === segments[i] : segments[i] !== ''));
}

/** A literal segment beats a parameter (`/clients/{id}/client-secret` over a `{x}` in its place), as JAX-RS ranks them. */
function pick(candidates: CompiledRoute[]): CompiledRoute | undefined {
  const literals = (compiled: CompiledRoute) => compiled.segments.filter((part) => 'literal' in part).length;
  return [...candidates].sort((a, b) => literals(b) - literals(a))[0];
}

function paramsOf(compiled: CompiledRoute, segments: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  compiled.segments.forEach((part, i) => {
    // A rest capture (`group-by-path/{path+}`) joins the decoded segments it covers with `/`.
    if ('param' in part) params[part.param] = part.rest ? segments.slice(i).join('/') : segments[i]!;
  });
  return params;
}

export type { AdminMethod };
