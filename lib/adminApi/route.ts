import type { AdminContext } from '../admin/context.js';
import type { HttpRequest } from '../http/request.js';
import type { RealmSettings } from '../model/stored.js';
import type { AdminCaller, Right } from './rights.js';

/**
 * How a path family registers its endpoints: each family module (realms.ts, clients.ts, roles.ts,
 * …, one per Keycloak admin resource class) exports an `AdminRoute[]`, and lib/adminApi/families.ts
 * lists those tables. The router does everything common (prefixes, trailing slashes, bearer
 * authentication, the realm lookup, the rights check in Keycloak's order, JSON parsing, the
 * response headers, `Location`, error bodies); a handler only does its family's work.
 *
 * ```ts
 * export const clientRoutes: AdminRoute[] = [
 *   { method: 'GET', path: '/realms/{realm}/clients/{id}', right: 'view-clients', exists: requireClientId,
 *     handle: async (call) => ok(toRepresentation(await findClient(call))) },
 * ];
 * ```
 */
export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface AdminRoute {
  method: AdminMethod;
  /**
   * Relative to `/admin` (or `/auth/admin`), segments in Keycloak's words; `{name}` captures one
   * URL-decoded segment, and a last `{name+}` the rest of the path, its decoded segments joined
   * with `/` (`group-by-path/{path+}`). A `{realm}` parameter makes the router look the realm up (404
   * `Realm not found.`) and check that the caller's token may reach it before anything else.
   */
  path: string;
  /**
   * The right the route needs in `{realm}` (lib/adminApi/rights.ts). `'create-realm'` for POST
   * /admin/realms. `null`: the handler decides itself with `call.may`/`call.require` (listings
   * that filter by right, serverinfo).
   */
  right: Right | null;
  /**
   * Optional: called only when the caller lacks `right`, before the 403, so an unknown
   * sub-resource still answers 404 where Keycloak looks it up first (roles by id, mappers) or
   * where the caller could list it anyway (clients: `ClientsResource.getClient`). Throws the 404;
   * returning means the 403 stands.
   */
  exists?: (call: AdminCall) => Promise<void>;
  handle: (call: AdminCall) => Promise<AdminResponse>;
}

/** What a handler gets: the request, its parameters, the caller, and the admin operations' context. */
export interface AdminCall {
  request: HttpRequest;
  /** Path parameters, URL-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  caller: AdminCaller;
  /** lib/admin's context: the handlers call the same operations sa-admin calls. */
  admin: AdminContext;
  /** The `{realm}` parameter's realm, looked up by the router (undefined on routes without `{realm}`). */
  realm?: RealmSettings;
  /** Whether the caller holds `right` in the path's realm (or in `realm`). */
  may(right: Right, realm?: string): boolean;
  /** 403 unless the caller holds `right` in the path's realm (or in `realm`). */
  require(right: Right, realm?: string): void;
  /**
   * The JSON body. A body that is not JSON is 400 `Cannot parse the JSON`; `expect` `'object'`
   * or `'array'` refuses JSON of the other type (400 `unknown_error`, as Keycloak's Jackson mapper).
   * An empty body is `undefined`.
   */
  body(expect?: 'object' | 'array'): unknown;
  /**
   * The absolute URL of an admin resource, from the request's own origin and prefix
   * (`/auth/admin` when the request used it): `call.url('realms', name, 'clients', id)`, each
   * segment URL-encoded.
   */
  url(...segments: string[]): string;
}

export type AdminResponse =
  | { status: 200; body: unknown; headers?: Record<string, string> }
  | { status: 201; location: string; body?: unknown }
  | { status: 204 };

export const ok = (body: unknown, headers?: Record<string, string>): AdminResponse => (headers ? { status: 200, body, headers } : { status: 200, body });

/** 201, `Location` ending in the new item's key (the admin client and the provider read the id from it); a body only where Keycloak sends one (a new child group). */
export const created = (location: string, body?: unknown): AdminResponse => (body === undefined ? { status: 201, location } : { status: 201, location, body });

export const noContent = (): AdminResponse => ({ status: 204 });
