import type { AdminContext } from '../admin/context.js';
import { AdminError } from '../admin/errors.js';
import { findRealm } from '../admin/lookup.js';
import { OAuthError } from '../http/errors.js';
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
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
  /** Records a successful write (Keycloak's admin events); absent in tests that do not look. */
  audit?(event: AdminEvent): void;
}

/**
 * Keycloak's AdminEvent, as far as it is safe to log: who (the token's realm and client), what
 * (`CREATE`, `UPDATE`, `DELETE`, `ACTION`) and where (the resource path under the realm). Never
 * the representation: it may hold a secret.
 */
export interface AdminEvent {
  operationType: 'CREATE' | 'UPDATE' | 'DELETE' | 'ACTION';
  realm?: string;
  resourcePath: string;
  authRealm: string;
  authClientId: string;
  status: number;
}

/** Keycloak's admin resources answer JSON in UTF-8 and forbid caching (AdminRoot's CacheControl). */
const JSON_HEADERS = { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-cache' } as const;

/** The two places the API lives: Keycloak 17+'s `/admin` and the legacy `/auth/admin` (provider `base_path = "/auth"`). */
const PREFIXES = ['/auth/admin', '/admin'] as const;

interface CompiledRoute {
  route: AdminRoute;
  /** Literal segments, or `{name}` captures. */
  segments: ({ literal: string } | { param: string })[];
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
        const param = /^\{(\w+)\}$/.exec(segment);
        return param ? { param: param[1]! } : { literal: segment };
      }),
    }));
    const seen = new Set<string>();
    for (const { route } of this.routes) {
      const key = `${route.method} ${route.path.replace(/\{\w+\}/g, '{}')}`;
      if (seen.has(key)) throw new Error(`two admin routes for ${key}`);
      seen.add(key);
    }
  }

  async handle(deps: AdminApiDeps, request: HttpRequest): Promise<HttpResponse> {
    try {
      const { response, event } = await this.dispatch(deps, request);
      if (event) deps.audit?.(event);
      return render(response);
    } catch (err) {
      const known = asAdminApiError(err);
      if (!known) throw err; // a failing dependency or a bug: lib/http/handler.ts answers 503 or 500
      return { statusCode: known.status, headers: { ...JSON_HEADERS }, body: JSON.stringify(known.body) };
    }
  }

  private async dispatch(deps: AdminApiDeps, request: HttpRequest): Promise<{ response: AdminResponse; event?: AdminEvent }> {
    const prefix = PREFIXES.find((p) => request.path === p || request.path.startsWith(`${p}/`));
    if (!prefix) throw notFound();
    const segments = decodeSegments(request.path.slice(prefix.length));
    // Keycloak authenticates every admin request before it matches a sub-resource (AdminRoot).
    const caller = await deps.authenticate(request);
    const candidates = this.routes.filter((compiled) => matches(compiled, segments));
    if (candidates.length === 0) throw notFound();
    const compiled = pick(candidates.filter(({ route }) => route.method === request.method));
    if (!compiled) throw methodNotAllowed();
    const params = paramsOf(compiled, segments);
    const { route } = compiled;

    const realmName = params.realm;
    const realm = realmName === undefined ? undefined : await findRealm(deps.admin.table, realmName);
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
    const response = await route.handle(call);
    if (request.method === 'GET') return { response };
    // Keycloak's OperationType: a POST that creates is CREATE, any other POST (regenerate a secret, push revocation) ACTION.
    const operationType = request.method === 'PUT' ? 'UPDATE' : request.method === 'DELETE' ? 'DELETE' : response.status === 201 ? 'CREATE' : 'ACTION';
    const resourcePath = (realmName === undefined ? segments : segments.slice(2)).map(encodeURIComponent).join('/');
    return {
      response,
      event: { operationType, ...(realmName === undefined ? {} : { realm: realmName }), resourcePath, authRealm: caller.realm, authClientId: caller.clientId, status: response.status },
    };
  }
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
      return { statusCode: 201, headers: { Location: response.location, 'Cache-Control': 'no-cache' }, body: '' };
    case 204:
      return { statusCode: 204, headers: { 'Cache-Control': 'no-cache' }, body: '' };
  }
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw cannotParseJson();
  }
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
  return (
    compiled.segments.length === segments.length &&
    compiled.segments.every((part, i) => ('literal' in part ? part.literal === segments[i] : segments[i] !== ''))
  );
}

/** A literal segment beats a parameter (`/clients/{id}/client-secret` over a `{x}` in its place), as JAX-RS ranks them. */
function pick(candidates: CompiledRoute[]): CompiledRoute | undefined {
  const literals = (compiled: CompiledRoute) => compiled.segments.filter((part) => 'literal' in part).length;
  return [...candidates].sort((a, b) => literals(b) - literals(a))[0];
}

function paramsOf(compiled: CompiledRoute, segments: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  compiled.segments.forEach((part, i) => {
    if ('param' in part) params[part.param] = segments[i]!;
  });
  return params;
}

export type { AdminMethod };
