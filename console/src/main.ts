/**
 * The admin console: a hash-routed browser app over the Admin REST API, laid out as Keycloak's
 * (js/apps/admin-ui): sign-in, then the realm selector and the left navigation (Manage: Clients,
 * Client scopes, Realm roles, Sessions; Configure: Realm settings), the screen on the right.
 * Routes are Keycloak's: `#/{realm}/clients/{id}/{tab}`, `#/{realm}/roles`, …
 */
import './style.css';
import { AdminApi, consoleLocation, type Json } from './api.js';
import { can, failure, type App, type WhoAmI } from './app.js';
import { Auth, signInForm } from './auth.js';
import { alert, h, replace, spinner } from './dom.js';
import { openingCalls, routeTo } from './routes.js';

const location = consoleLocation(window.location.pathname);
const auth = new Auth(location);
const api = new AdminApi(location, auth);
const root = document.getElementById('app')!;

interface Shell {
  realm: string;
  app: App;
  main: HTMLElement;
}
let shell: Shell | undefined;

function showSignIn(): void {
  shell = undefined;
  document.title = 'Sign in · Administration Console';
  replace(
    root,
    h(
      'main',
      { class: 'sign-in-page' },
      h('h1', {}, 'Sign in to the Administration Console'),
      h('p', { class: 'subtitle' }, `Realm ${location.loginRealm}: sign in with the client ID and secret of an admin client (its service account holds admin roles in this realm).`),
      signInForm(auth, '', () => void route()),
    ),
  );
  root.querySelector('input')?.focus();
}

/** `#/{realm}/{rest}`: the realm and the screen's path. */
function parseHash(): { realm: string; path: string[] } {
  const parts = window.location.hash.replace(/^#\/?/, '').split('?')[0]!.split('/').map((part) => decodeURIComponent(part));
  const realm = parts[0] || location.loginRealm;
  return { realm, path: parts.slice(1).filter((part) => part !== '') };
}

/** Each navigation's number: a slower, older one never paints over a newer one. */
let generation = 0;

async function buildShell(realm: string, mine: number): Promise<Shell | undefined> {
  const [serverInfo, whoami, realms] = await Promise.all([
    api.get<Json>('/serverinfo'),
    api.get<WhoAmI>(`/${encodeURIComponent(location.loginRealm)}/console/whoami?currentRealm=${encodeURIComponent(realm)}`),
    api.get<{ realm: string; displayName?: string }[]>('/realms?briefRepresentation=true'),
  ]);
  const roles = new Set(Object.hasOwn(whoami.realm_access, realm) ? whoami.realm_access[realm] : []);
  const app: App = {
    api,
    auth,
    realm,
    whoami,
    serverInfo,
    has: (...names) => names.some((name) => roles.has(name)),
    href: (path) => `#/${encodeURIComponent(realm)}/${path}`,
    navigate: (path) => {
      window.location.hash = `#/${encodeURIComponent(realm)}/${path}`;
    },
  };
  if (mine !== generation) return undefined;
  const main = h('main', { id: 'main', class: 'page', tabindex: '-1' });
  const realmSelect = h(
    'select',
    { id: 'realm-select', 'aria-label': 'Select realm', onchange: (event: Event) => (window.location.hash = `#/${encodeURIComponent((event.target as HTMLSelectElement).value)}/clients`) },
    ...realms.map((item) => h('option', { value: item.realm, selected: item.realm === realm }, item.displayName ? `${item.displayName} (${item.realm})` : item.realm)),
  );
  const link = (title: string, path: string, visible: boolean) => (visible ? h('li', {}, h('a', { href: app.href(path), 'data-section': path.split('/')[0] }, title)) : null);
  const nav = h(
    'nav',
    { class: 'sidebar', 'aria-label': 'Global' },
    h('label', { for: 'realm-select', class: 'realm-label' }, 'Realm'),
    realmSelect,
    whoami.createRealm ? h('button', { type: 'button', class: 'link', onclick: () => app.navigate('add-realm') }, 'Create realm') : null,
    h('h2', {}, 'Manage'),
    h('ul', {}, link('Clients', 'clients', can.queryClients(app)), link('Client scopes', 'client-scopes', can.viewClients(app)), link('Realm roles', 'roles', can.viewRealm(app)), link('Groups', 'groups', app.has('query-groups', 'view-users', 'manage-users')), link('Sessions', 'sessions', can.viewRealm(app))),
    h('h2', {}, 'Configure'),
    h('ul', {}, link('Realm settings', 'realm-settings', can.viewRealm(app))),
  );
  const header = h(
    'header',
    { class: 'masthead' },
    h('a', { href: app.href('clients'), class: 'brand' }, 'Administration Console'),
    h('span', { class: 'who' }, `Signed in as ${auth.clientId ?? whoami.displayName} (${location.loginRealm})`),
    h('button', { type: 'button', class: 'secondary', onclick: () => void auth.signOut().then(() => { window.location.hash = ''; showSignIn(); }) }, 'Sign out'),
  );
  const banner = whoami.temporary
    ? h('div', { class: 'banner warning', role: 'status' }, 'You are logged in as a temporary admin user. To harden security, create a permanent admin account and delete the temporary one.')
    : null;
  replace(root, h('a', { href: '#main', class: 'skip' }, 'Skip to content'), header, banner, h('div', { class: 'layout' }, nav, main));
  return { realm, app, main };
}

async function route(): Promise<void> {
  const mine = ++generation;
  if (!auth.clientId) return showSignIn();
  const { realm, path } = parseHash();
  if (path.length === 0) {
    window.location.hash = `#/${encodeURIComponent(realm)}/clients`;
    return;
  }
  try {
    api.forget();
    if (!shell || shell.realm !== realm) {
      // The screen's own first calls start now, beside the shell's, not after them (docs/console.md, first screen).
      api.prefetch(openingCalls(api.realmPath(realm), path));
      const built = await buildShell(realm, mine);
      if (!built) return;
      shell = built;
    }
    const { app, main } = shell;
    for (const a of document.querySelectorAll<HTMLAnchorElement>('.sidebar a')) {
      if (a.dataset.section === path[0]) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    // The screen renders into its own container, shown only if no newer navigation started meanwhile.
    const screen = h('div', { class: 'screen' }, spinner());
    replace(main, screen);
    await routeTo(app, screen, path);
    if (mine !== generation) return;
  } catch (err) {
    if (mine !== generation) return;
    const [title, description] = failure('', err);
    if (shell) replace(shell.main, h('div', { class: 'empty-state' }, h('h1', {}, 'Something went wrong'), h('p', {}, title), description ? h('p', {}, description) : null));
    else alert('danger', title, description);
  }
}

window.addEventListener('hashchange', () => void route());
showSignIn();
