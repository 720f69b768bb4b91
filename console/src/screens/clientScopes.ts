/**
 * Client scopes (Keycloak's ClientScopesSection and EditClientScope): the list with each scope's
 * realm type, "Create client scope", delete; a scope's details with tabs Settings (./clientScopeForm.ts),
 * Mappers (./mappers.ts, under `client-scopes/{id}/protocol-mappers`) and Scope (its role scope
 * mappings, ./roleMapping.ts). Routes `#/{realm}/client-scopes[/new|/{id}/{tab}[/…]]`.
 */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, dropdown, h, kebab, pageHeader, replace, table, tabs } from '../dom.js';
import { clientScopeForm, realmScopeTypes, TYPE_OPTIONS } from './clientScopeForm.js';
import { mapperList, scopeMapperContainer } from './mappers.js';
import { roleMapping } from './roleMapping.js';

const typeLabel = (type: string | undefined) => TYPE_OPTIONS.find(([value]) => value === (type ?? 'none'))![1];

export async function clientScopes(app: App, main: HTMLElement, path: string[]): Promise<void> {
  if (path[1] === 'new') {
    if (!can.manageClients(app)) {
      replace(main, h('div', { class: 'empty-state' }, h('h1', {}, 'Forbidden'), h('p', {}, 'Forbidden, permission needed: manage-clients')));
      return;
    }
    clientScopeForm(app, main, undefined, 'none', (id) => app.navigate(`client-scopes/${seg(id)}/settings`));
    return;
  }
  if (path[1] !== undefined) return clientScopeDetails(app, main, path[1], path[2] ?? 'settings', path.slice(3));
  return clientScopesList(app, main);
}

const deleteScope = (app: App, scope: Json, then: () => void) =>
  confirmDialog({
    title: `Delete client scope ${String(scope.name)}`,
    message: 'Are you sure you want to delete this client scope?',
    confirm: 'Delete',
    danger: true,
    onConfirm: async () => {
      try {
        await app.api.delete(app.api.realmPath(app.realm, `/client-scopes/${seg(String(scope.id))}`));
        alert('success', 'The client scope has been deleted');
        then();
      } catch (err) {
        alert('danger', ...failure('Could not delete client scope: ', err));
      }
    },
  });

async function clientScopesList(app: App, main: HTMLElement): Promise<void> {
  const [scopes, types] = await Promise.all([app.api.get<Json[]>(app.api.realmPath(app.realm, '/client-scopes')), realmScopeTypes(app)]);
  const manage = can.manageClients(app);
  const remove = (scope: Json) =>
    scopes.length === 1 ? alert('danger', 'You are not allowed to delete all the client scopes.') : deleteScope(app, scope, () => void clientScopesList(app, main));
  replace(
    main,
    pageHeader('Client scopes', 'Client scopes are a common set of protocol mappers and roles that are shared between multiple clients.'),
    h('div', { class: 'toolbar' }, manage ? h('a', { class: 'button primary', href: app.href('client-scopes/new') }, 'Create client scope') : null),
    table(
      'Client scopes',
      [
        { title: 'Name', cell: (scope) => h('a', { href: app.href(`client-scopes/${seg(String(scope.id))}/settings`) }, String(scope.name)) },
        { title: 'Assigned type', cell: (scope) => typeLabel(types.get(String(scope.id))) },
        { title: 'Protocol', cell: (scope) => (scope.protocol === 'saml' ? 'SAML' : 'OpenID Connect') },
        { title: 'Display order', cell: (scope) => String((scope.attributes as Json | undefined)?.['gui.order'] ?? '') },
        { title: 'Description', cell: (scope) => String(scope.description ?? '') },
        { title: 'Actions', cell: (scope) => (manage ? kebab([{ label: 'Delete', danger: true, onclick: () => remove(scope) }]) : '') },
      ],
      [...scopes].sort((a, b) => String(a.name).localeCompare(String(b.name))),
      { title: 'No client scopes', message: 'There are no client scopes in this realm.' },
    ),
  );
}

async function clientScopeDetails(app: App, main: HTMLElement, id: string, tab: string, rest: string[]): Promise<void> {
  const [scope, types] = await Promise.all([app.api.get<Json>(app.api.realmPath(app.realm, `/client-scopes/${seg(id)}`)), realmScopeTypes(app)]);
  const manage = can.manageClients(app);
  const base = `client-scopes/${seg(id)}`;
  const body = h('section', { class: 'tab-body' });
  const actions = manage ? dropdown('Action', [{ label: 'Delete', danger: true, onclick: () => deleteScope(app, scope, () => app.navigate('client-scopes')) }]) : null;
  replace(
    main,
    h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: app.href('client-scopes') }, 'Client scopes'), ` › ${String(scope.name)}`),
    pageHeader(String(scope.name), undefined, h('span', { class: 'badge' }, 'OpenID Connect'), actions),
    tabs('Client scope', [
      { title: 'Settings', href: app.href(`${base}/settings`), current: tab === 'settings' },
      { title: 'Mappers', href: app.href(`${base}/mappers`), current: tab === 'mappers' },
      { title: 'Scope', href: app.href(`${base}/scope`), current: tab === 'scope' },
    ]),
    body,
  );
  if (tab === 'mappers') return mapperList(app, body, scopeMapperContainer(app, scope), rest);
  if (tab === 'scope') {
    const mappings = h('div', {});
    replace(
      body,
      h('p', { class: 'info' }, 'If there is no role scope mapping defined, each user is permitted to use this client scope. If there are role scope mappings defined, the user must be a member of at least one of the roles.'),
      mappings,
    );
    return roleMapping(app, mappings, { base: app.api.realmPath(app.realm, `/client-scopes/${seg(id)}/scope-mappings`), holder: String(scope.name), type: 'clientScopes', readOnly: !manage });
  }
  clientScopeForm(app, body, scope, types.get(id) ?? 'none', () => void clientScopeDetails(app, main, id, 'settings', []));
}
