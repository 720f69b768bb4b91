import type { HttpRequest } from '../lib/http/request.js';
import type { HttpResponse } from '../lib/http/response.js';

/**
 * The console's page and assets, as built by console/build.mjs, answered for Keycloak's console
 * URLs: `/admin/{realm}/console/` (and under the legacy `/auth` prefix). The realm in the path is
 * the console's login realm, read by the app itself; the page is the same for every realm.
 *
 * Headers: the page is `no-store` (it names the current assets), the assets are content-hashed
 * and cached for a year as `immutable`. A strict Content-Security-Policy (same-origin script,
 * style and connections only; no inline code; no framing) limits what an injected string could do.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

/** What console/build.mjs writes to console/dist/manifest.json. */
export interface ConsoleManifest {
  page: string;
  assets: { name: string; contentType: string; body: string }[];
}

export interface ConsoleAssets {
  page: string;
  /** File name → its text and type; a Map, so a requested name can only find a built file. */
  assets: ReadonlyMap<string, { body: string; contentType: string }>;
}

export function consoleAssets(manifest: ConsoleManifest): ConsoleAssets {
  return { page: manifest.page, assets: new Map(manifest.assets.map(({ name, body, contentType }) => [name, { body, contentType }])) };
}

/** console/build.mjs's placeholder for the console path in the page's asset URLs. */
const ASSET_BASE_PLACEHOLDER = '__CONSOLE_BASE__';

/** The realm segment decoded; encodeURIComponent then leaves no character that could end an HTML attribute. */
function realmOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const CONSOLE_PATH = /^(?:\/auth)?\/admin\/([^/]+)\/console(\/.*)?$/;

export function serveConsole(console: ConsoleAssets, request: HttpRequest): HttpResponse {
  const match = CONSOLE_PATH.exec(request.path);
  if (!match) return text(404, 'Not Found');
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  const rest = match[2];
  if (rest === undefined || rest === '/') {
    // Absolute asset URLs under this very console path: `/admin/{realm}/console` works without its
    // slash too (serverless offline strips it before the function sees the path).
    const base = `${request.path.startsWith('/auth/') ? '/auth' : ''}/admin/${encodeURIComponent(realmOf(match[1]!))}/console/`;
    return { statusCode: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS }, body: console.page.replaceAll(ASSET_BASE_PLACEHOLDER, base) };
  }
  const asset = /^\/assets\/([\w.-]+)$/.exec(rest);
  const found = asset ? console.assets.get(asset[1]!) : undefined;
  if (!found) return text(404, 'Not Found');
  return {
    statusCode: 200,
    headers: { 'Content-Type': found.contentType, 'Cache-Control': 'public, max-age=31536000, immutable', ...SECURITY_HEADERS },
    body: found.body,
  };
}

function text(statusCode: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS, ...headers }, body };
}
