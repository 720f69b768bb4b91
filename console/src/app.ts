/** What every screen gets: the API, the signed-in client's rights in the current realm, and navigation. */
import type { AdminApi, Json } from './api.js';
import type { Auth } from './auth.js';

export interface WhoAmI {
  userId: string;
  realm: string;
  displayName: string;
  createRealm: boolean;
  realm_access: Record<string, string[]>;
  temporary: boolean;
}

export interface App {
  api: AdminApi;
  auth: Auth;
  /** The realm being managed (the hash's first segment). */
  realm: string;
  whoami: WhoAmI;
  serverInfo: Json;
  /** Holds any of the `realm-management` roles named (Keycloak's `hasAccess`/`hasSomeAccess`). */
  has(...roles: string[]): boolean;
  /** `#/{realm}/…` for a path under the current realm. */
  href(path: string): string;
  navigate(path: string): void;
}

/** Keycloak's console rights, as the routes and buttons check them (AccessType). */
export const can = {
  queryClients: (app: App) => app.has('query-clients', 'view-clients', 'manage-clients'),
  viewClients: (app: App) => app.has('view-clients', 'manage-clients'),
  manageClients: (app: App) => app.has('manage-clients'),
  viewRealm: (app: App) => app.has('view-realm', 'manage-realm'),
  manageRealm: (app: App) => app.has('manage-realm'),
  viewUsers: (app: App) => app.has('view-users', 'manage-users'),
  manageUsers: (app: App) => app.has('manage-users'),
};

/** The alert of a failed call: "{prefix}{error}" with the body's description under it. */
export function failure(prefix: string, err: unknown): [string, string | undefined] {
  const error = err as Error & { description?: string };
  return [`${prefix}${error.message}`, error.description];
}
