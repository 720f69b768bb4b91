/**
 * Keycloak's hash routes (admin-ui routes.tsx), each with the right it needs: a screen the
 * signed-in client may not open says so, as Keycloak's ForbiddenSection does. The API refuses
 * anyway; this only spares a person a screen of errors.
 */
import { can, type App } from './app.js';
import { h, replace } from './dom.js';
import { clientDetails } from './screens/client.js';
import { clientScopes } from './screens/clientScopes.js';
import { clientsList, clientsPage, createClient, importClient } from './screens/clients.js';
import { groups } from './screens/groups.js';
import { createRealm, realmSettings } from './screens/realmSettings.js';
import { createRole, realmRoles, roleDetails } from './screens/roles.js';
import { sessions } from './screens/sessions.js';

interface Route {
  match: (path: string[]) => boolean;
  allowed: (app: App) => boolean;
  needs: string;
  render: (app: App, main: HTMLElement, path: string[]) => Promise<void>;
  /** The GETs its screen opens with, given the realm's API path: started with the shell's calls on a first screen. */
  opening?: (realmPath: string) => string[];
}

const ROUTES: Route[] = [
  { match: (p) => p[0] === 'clients' && (p.length === 1 || p[1] === 'list'), allowed: can.queryClients, needs: 'query-clients', render: clientsList, opening: (realmPath) => [clientsPage(realmPath, 0, '')] },
  { match: (p) => p[0] === 'clients' && p[1] === 'add-client', allowed: can.manageClients, needs: 'manage-clients', render: createClient },
  { match: (p) => p[0] === 'clients' && p[1] === 'import-client', allowed: can.manageClients, needs: 'manage-clients', render: importClient },
  { match: (p) => p[0] === 'clients' && p.length >= 2, allowed: can.queryClients, needs: 'query-clients', render: clientDetails },
  { match: (p) => p[0] === 'client-scopes', allowed: can.viewClients, needs: 'view-clients', render: clientScopes },
  { match: (p) => p[0] === 'roles' && p[1] === 'new', allowed: can.manageRealm, needs: 'manage-realm', render: (app, main) => createRole(app, main) },
  { match: (p) => p[0] === 'roles' && p.length >= 2, allowed: can.viewRealm, needs: 'view-realm', render: roleDetails },
  { match: (p) => p[0] === 'roles', allowed: can.viewRealm, needs: 'view-realm', render: realmRoles },
  { match: (p) => p[0] === 'groups', allowed: (app) => app.has('query-groups', 'view-users', 'manage-users'), needs: 'query-groups', render: groups },
  { match: (p) => p[0] === 'realm-settings', allowed: can.viewRealm, needs: 'view-realm', render: realmSettings },
  { match: (p) => p[0] === 'add-realm', allowed: (app) => app.whoami.createRealm, needs: 'create-realm', render: createRealm },
  { match: (p) => p[0] === 'sessions', allowed: can.viewRealm, needs: 'view-realm', render: sessions },
];

/** The GETs the screen at `path` opens with (see AdminApi.prefetch). */
export const openingCalls = (realmPath: string, path: string[]): string[] => ROUTES.find((candidate) => candidate.match(path))?.opening?.(realmPath) ?? [];

export async function routeTo(app: App, main: HTMLElement, path: string[]): Promise<void> {
  const route = ROUTES.find((candidate) => candidate.match(path));
  if (!route) {
    replace(main, h('div', { class: 'empty-state' }, h('h1', {}, 'Page not found'), h('p', {}, 'We could not find the page you were looking for.')));
    return;
  }
  if (!route.allowed(app)) {
    replace(main, h('div', { class: 'empty-state' }, h('h1', {}, 'Forbidden'), h('p', {}, `Forbidden, permission needed: ${route.needs}`)));
    return;
  }
  await route.render(app, main, path);
  main.querySelector('h1')?.focus?.();
}
