/**
 * The console's one way to the server: the Admin REST API (same origin, bearer token) and, for
 * signing in and out, the login realm's token and revocation endpoints. Nothing else is called.
 */

/** Where this page was served: `/admin/{realm}/console/` or the legacy `/auth/admin/{realm}/console/`. */
export interface ConsoleLocation {
  /** `''` or `/auth`. */
  prefix: string;
  loginRealm: string;
}

export function consoleLocation(pathname: string): ConsoleLocation {
  const match = /^(.*?)\/admin\/([^/]+)\/console\/?/.exec(pathname);
  return { prefix: match?.[1] ?? '', loginRealm: decodeURIComponent(match?.[2] ?? 'master') };
}

/** A failed call, with Keycloak's error text: body `errorMessage`, else `error`, and `error_description` (ui-shared utils/errors.ts). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly description?: string,
  ) {
    super(message);
  }
}

export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: the status says enough
  }
  const message = typeof body.errorMessage === 'string' ? body.errorMessage : typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
  return new ApiError(response.status, message, typeof body.error_description === 'string' ? body.error_description : undefined);
}

export type Json = Record<string, unknown>;

/** What a call needs of the signed-in session (auth.ts's Auth), named here so api.ts does not import auth.ts, which imports it. */
export interface TokenSource {
  token(): Promise<string>;
  /** The server refused this token: sign in again before the next one. */
  expired(token: string): void;
}

export class AdminApi {
  constructor(
    private readonly location: ConsoleLocation,
    private readonly auth: TokenSource,
  ) {}

  /** `path` relative to `/admin/realms/{realm}`; every segment the caller passes is already encoded (see `seg`). */
  realmPath(realm: string, path = ''): string {
    return `/realms/${encodeURIComponent(realm)}${path}`;
  }

  /** GETs started ahead (`prefetch`), each answer handed to the first `get` of its path. */
  private readonly early = new Map<string, Promise<unknown>>();

  get<T = Json>(path: string): Promise<T> {
    const early = this.early.get(path);
    if (early) {
      this.early.delete(path);
      return early as Promise<T>;
    }
    return this.call('GET', path).then((result) => result.body as T);
  }

  /**
   * Starts the GETs a screen is about to make, so that on the first screen they run beside the
   * shell's own calls (serverinfo, whoami, realms) instead of after them: one round trip fewer.
   * `forget` drops answers nobody asked for, so a later screen never reads an old one.
   */
  prefetch(paths: readonly string[]): void {
    for (const path of paths) {
      const pending = this.call('GET', path).then((result) => result.body);
      // A refusal (a right the caller lacks) surfaces only if the screen asks for it.
      pending.catch(() => undefined);
      this.early.set(path, pending);
    }
  }

  forget(): void {
    this.early.clear();
  }

  async post(path: string, body?: unknown): Promise<{ location: string | null; body: unknown }> {
    return this.call('POST', path, body);
  }

  async put(path: string, body: unknown): Promise<void> {
    await this.call('PUT', path, body);
  }

  async delete(path: string, body?: unknown): Promise<void> {
    await this.call('DELETE', path, body);
  }

  /** An expired or revoked token asks to sign in again (the screen stays as it is), then the call runs once more. */
  private async call(method: string, path: string, body?: unknown): Promise<{ location: string | null; body: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.auth.token();
      const response = await fetch(`${this.location.prefix}/admin${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
        credentials: 'omit',
      });
      if (response.status === 401 && attempt === 0) {
        this.auth.expired(token);
        continue;
      }
      if (!response.ok) throw await errorOf(response);
      const text = await response.text();
      return { location: response.headers.get('Location'), body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    }
  }
}

/** One path segment, encoded: ids and names from the API never change a path's shape. */
export const seg = (value: string) => encodeURIComponent(value);
