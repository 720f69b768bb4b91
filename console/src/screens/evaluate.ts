/**
 * Client scopes › Evaluate (Keycloak's EvaluateScopes): for a scope parameter (`openid`, always,
 * plus the chosen optional scopes), the mappers the client's tokens would run, the roles it may
 * carry, and the tokens its service account would get. Every list comes from the server's
 * evaluate-scopes endpoints, which work it out with the token endpoint's own code. There is no
 * user to pick (the token is always the service account's) and no user info tab (this service
 * has no userinfo endpoint).
 */
import { seg, type Json } from '../api.js';
import { failure, type App } from '../app.js';
import { formGroup, h, nextId, replace, table, textInput } from '../dom.js';
import { mapperTypes } from './mappers.js';

interface Panel {
  title: string;
  help: string;
  body: HTMLElement;
  load(scope: string): Promise<void>;
}

export async function evaluateTab(app: App, body: HTMLElement, client: Json, header: HTMLElement): Promise<void> {
  const clientPath = app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}`);
  const optional = await app.api.get<Json[]>(`${clientPath}/optional-client-scopes`);
  const chosen = new Set<string>();
  const effective = textInput('openid', { readOnly: true, label: 'Effective scope parameter' });
  const query = (scope: string) => `scope=${encodeURIComponent(scope)}`;
  const types = mapperTypes(app);
  const typeOf = (id: unknown) => types.find((type) => type.id === id);

  const panels: Panel[] = [
    {
      title: 'Effective protocol mappers',
      help: 'Shows all protocol mappers used when issuing a token for this client: its own and those of the client scopes in effect.',
      body: h('div', {}),
      async load(scope) {
        const mappers = await app.api.get<Json[]>(`${clientPath}/evaluate-scopes/protocol-mappers?${query(scope)}`);
        replace(
          this.body,
          table(
            'Effective protocol mappers',
            [
              { title: 'Name', cell: (mapper) => String(mapper.mapperName) },
              { title: 'Parent client scope', cell: (mapper) => (mapper.containerType === 'client' ? `${String(client.clientId)}-dedicated` : String(mapper.containerName)) },
              { title: 'Category', cell: (mapper) => typeOf(mapper.protocolMapper)?.category ?? 'Token mapper' },
              { title: 'Priority', cell: (mapper) => String(typeOf(mapper.protocolMapper)?.priority ?? 0) },
            ],
            mappers,
            { title: 'No protocol mappers', message: 'No protocol mapper would run for this scope parameter.' },
          ),
        );
      },
    },
    {
      title: 'Effective role scope mappings',
      help: 'Shows the realm roles this client may carry in its tokens for this scope parameter: all of them with "Full scope allowed", else its role scope mappings and those of the client scopes in effect.',
      body: h('div', {}),
      async load(scope) {
        const roles = await app.api.get<Json[]>(`${clientPath}/evaluate-scopes/scope-mappings/${seg(app.realm)}/granted?${query(scope)}`);
        replace(
          this.body,
          table(
            'Effective role scope mappings',
            [
              { title: 'Role', cell: (role) => String(role.name) },
              { title: 'Origin', cell: () => app.realm },
            ],
            roles,
            { title: 'No roles', message: 'This client may carry no realm role in its tokens for this scope parameter.' },
          ),
        );
      },
    },
    tokenPanel(app, 'Generated access token', 'Shows an example access token issued to the client\'s service account: its claims, not signed.', `${clientPath}/evaluate-scopes/generate-example-access-token`),
    tokenPanel(app, 'Generated ID token', 'Shows an example ID token issued to the client\'s service account with the openid scope.', `${clientPath}/evaluate-scopes/generate-example-id-token`),
  ];

  let active = 0;
  const tabList = h('div', { role: 'tablist', 'aria-label': 'Evaluate', 'aria-orientation': 'vertical', class: 'vertical-tabs' });
  const panelViews = panels.map((panel, index) => {
    const tabId = nextId('evaluate-tab');
    const panelId = nextId('evaluate-panel');
    const tab = h('button', { type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, 'aria-selected': String(index === active), tabindex: index === active ? '0' : '-1', title: panel.help }, panel.title);
    const view = h('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, class: 'evaluate-output', hidden: index !== active }, h('p', { class: 'help-text' }, panel.help), panel.body);
    tab.addEventListener('click', () => select(index));
    tabList.appendChild(tab);
    return { tab, view };
  });
  const select = (index: number) => {
    active = index;
    panelViews.forEach(({ tab, view }, i) => {
      tab.setAttribute('aria-selected', String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
      view.hidden = i !== index;
    });
    panelViews[index]!.tab.focus();
  };
  // The WAI-ARIA tabs pattern: arrow keys move between the tabs, Tab moves on to the panel.
  tabList.addEventListener('keydown', (event) => {
    const key = (event as KeyboardEvent).key;
    const step = key === 'ArrowDown' || key === 'ArrowRight' ? 1 : key === 'ArrowUp' || key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    select((active + step + panels.length) % panels.length);
  });

  const refresh = async () => {
    const scope = ['openid', ...chosen].join(' ');
    effective.value = scope;
    // Each list is read again for every change of the scope parameter, as Keycloak's tab does.
    await Promise.all(panels.map((panel) => panel.load(scope).catch((err) => replace(panel.body, h('div', { class: 'empty-state' }, h('h2', {}, `No ${panel.title.toLowerCase()}`), h('p', {}, failure('', err)[0]))))));
  };

  replace(
    body,
    header,
    h('p', {}, 'This page allows you to see all protocol mappers and role scope mappings'),
    h(
      'div',
      { class: 'section' },
      formGroup(
        'Scope parameter',
        h(
          'div',
          { class: 'checkboxes', role: 'group', 'aria-label': 'Optional client scopes' },
          h('label', { class: 'checkbox' }, h('input', { type: 'checkbox', checked: true, disabled: true }), ' openid'),
          ...optional.map((scope) =>
            h('label', { class: 'checkbox' }, h('input', { type: 'checkbox', onchange: (event: Event) => { if ((event.target as HTMLInputElement).checked) chosen.add(String(scope.name)); else chosen.delete(String(scope.name)); void refresh(); } }), ` ${String(scope.name)}`),
          ),
        ),
        'You can copy/paste this value of scope parameter and use it in initial OpenID Connect Authentication Request sent from this client adapter. Default client scopes and selected optional client scopes will be used when generating token issued for this client',
      ),
      formGroup('Effective scope parameter', effective),
    ),
    h('div', { class: 'evaluate' }, tabList, h('div', {}, ...panelViews.map(({ view }) => view))),
  );
  await refresh();
}

function tokenPanel(app: App, title: string, help: string, url: string): Panel {
  const output = h('pre', { class: 'code', tabindex: '0', 'aria-label': title });
  return {
    title,
    help,
    body: h('div', {}, output),
    async load(scope) {
      output.textContent = JSON.stringify(await app.api.get(`${url}?scope=${encodeURIComponent(scope)}`), null, 2);
      replace(this.body, output);
    },
  };
}
