/**
 * The service's routes as serverless.yml declares them (each under `/realms/{realm}` and under
 * Keycloak's legacy `/auth/realms/{realm}`), for aiming hostile requests and for telling, over real
 * HTTP, whether a response came from one of our handlers or from the gateway in front of them.
 */
export type RouteName = 'token' | 'refresh' | 'logout' | 'revoke' | 'introspect' | 'certs' | 'discovery';

export interface RouteInfo {
  method: 'GET' | 'POST';
  /** The path after `/realms/{realm}`. */
  suffix: string;
  /** Token-endpoint family: every response, errors too, must carry `Cache-Control: no-store`. */
  noStore: boolean;
}

export const ROUTES: Record<RouteName, RouteInfo> = {
  token: { method: 'POST', suffix: '/protocol/openid-connect/token', noStore: true },
  refresh: { method: 'POST', suffix: '/protocol/openid-connect/token/refresh', noStore: true },
  logout: { method: 'POST', suffix: '/protocol/openid-connect/logout', noStore: true },
  revoke: { method: 'POST', suffix: '/protocol/openid-connect/revoke', noStore: true },
  introspect: { method: 'POST', suffix: '/protocol/openid-connect/token/introspect', noStore: true },
  certs: { method: 'GET', suffix: '/protocol/openid-connect/certs', noStore: false },
  discovery: { method: 'GET', suffix: '/.well-known/openid-configuration', noStore: false },
};

export const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

export function routePath(route: RouteName, realm: string, legacy: boolean): string {
  return `${legacy ? '/auth' : ''}/realms/${encodeURIComponent(realm)}${ROUTES[route].suffix}`;
}

/**
 * The route an HTTP API would send this request to, as its route templates match: `{realm}` is one
 * non-empty path segment, the rest literal, the query string ignored. HEAD is answered by the GET
 * route (the local gateway does so), without a body.
 */
export function matchRoute(method: string, rawUrl: string): { route: RouteName; realm: string } | undefined {
  const path = withoutDotSegments(rawUrl.split('?')[0]!);
  const match = /^(?:\/auth)?\/realms\/([^/]+)(\/.*)$/.exec(path);
  if (!match) return undefined;
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const route = ROUTE_NAMES.find((name) => ROUTES[name].suffix === match[2] && ROUTES[name].method === verb);
  return route && { route, realm: lenientDecode(match[1]!) };
}

/** decodeURIComponent, or the text as it is when it is not valid percent-encoding. */
export function lenientDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** RFC 3986 §5.2.4, as the gateway resolves `.` and `..` segments before routing. */
function withoutDotSegments(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/').slice(1)) {
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  const last = path.split('/').pop();
  return `/${out.join('/')}${(last === '.' || last === '..') && out.length > 0 ? '/' : ''}`;
}
