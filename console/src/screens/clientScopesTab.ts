/**
 * A client's Client scopes tab: Setup (the dedicated scope, then the assigned default and optional
 * scopes) and the dedicated scope's Mappers and Scope tabs (Keycloak's ClientScopes,
 * DedicatedScopes, MapperList, MappingDetails).
 */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, dropdown, formGroup, h, kebab, modal, pageHeader, replace, select, switchControl, table, tabs, textInput } from '../dom.js';
import { roleMapping } from './roleMapping.js';

type ScopeType = 'default' | 'optional';

export async function clientScopesTab(app: App, body: HTMLElement, client: Json, path: string[]): Promise<void> {
  if (path[0] === 'dedicated') return dedicatedScope(app, body, client, path[1] ?? 'mappers');
  if (path[0] === 'evaluate') return evaluate(app, body, client);
  const clientPath = app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}`);
  const [defaults, optionals, all] = await Promise.all([
    app.api.get<Json[]>(`${clientPath}/default-client-scopes`),
    app.api.get<Json[]>(`${clientPath}/optional-client-scopes`),
    app.api.get<Json[]>(app.api.realmPath(app.realm, '/client-scopes')),
  ]);
  const manage = can.manageClients(app);
  const reload = () => void clientScopesTab(app, body, client, path);
  const rows: { id: string; name: string; type: ScopeType | 'dedicated'; description: string }[] = [
    { id: '', name: `${String(client.clientId)}-dedicated`, type: 'dedicated', description: 'Dedicated scope and mappers for this client' },
    ...defaults.map((scope) => ({ id: String(scope.id), name: String(scope.name), type: 'default' as const, description: String(scope.description ?? '') })),
    ...optionals.map((scope) => ({ id: String(scope.id), name: String(scope.name), type: 'optional' as const, description: String(scope.description ?? '') })),
  ];
  const change = async (id: string, from: ScopeType, to: ScopeType) => {
    try {
      await app.api.delete(`${clientPath}/${from}-client-scopes/${seg(id)}`);
      await app.api.put(`${clientPath}/${to}-client-scopes/${seg(id)}`, undefined);
      alert('success', 'Scope mapping updated');
    } catch (err) {
      alert('danger', ...failure('Could not update scope mapping ', err));
    }
    reload();
  };
  const remove = (row: { id: string; name: string; type: ScopeType }) =>
    confirmDialog({
      title: `Delete client scope ${row.name}`,
      message: 'Are you sure you want to delete this client scope?',
      confirm: 'Delete',
      danger: true,
      onConfirm: async () => {
        try {
          await app.api.delete(`${clientPath}/${row.type}-client-scopes/${seg(row.id)}`);
          alert('success', 'Scope mapping successfully removed');
        } catch (err) {
          alert('danger', ...failure('Could not update scope mapping ', err));
        }
        reload();
      },
    });
  const assigned = new Set(rows.map((row) => row.id));
  const addDialog = () => {
    const candidates = all.filter((scope) => !assigned.has(String(scope.id)) && (scope.protocol ?? 'openid-connect') === 'openid-connect');
    const chosen = new Set<string>();
    const add = async (type: ScopeType) => {
      try {
        for (const id of chosen) await app.api.put(`${clientPath}/${type}-client-scopes/${seg(id)}`, undefined);
        alert('success', 'Scope mapping updated');
      } catch (err) {
        alert('danger', ...failure('Could not update scope mapping ', err));
      }
      reload();
    };
    modal(
      `Add client scopes to ${String(client.clientId)}`,
      [
        table(
          'Client scopes',
          [
            { title: 'Select', cell: (scope) => h('input', { type: 'checkbox', 'aria-label': `Select ${String(scope.name)}`, onchange: (event: Event) => ((event.target as HTMLInputElement).checked ? chosen.add(String(scope.id)) : chosen.delete(String(scope.id))) }) },
            { title: 'Name', cell: (scope) => String(scope.name) },
            { title: 'Protocol', cell: () => 'OpenID Connect' },
            { title: 'Description', cell: (scope) => String(scope.description ?? '') },
          ],
          candidates,
          { title: 'No client scopes', message: 'There are no client scopes left to add' },
        ),
      ],
      (close) => [
        dropdown('Add', [
          { label: 'Default', onclick: () => { close(); void add('default'); } },
          { label: 'Optional', onclick: () => { close(); void add('optional'); } },
        ], { primary: true }),
        h('button', { type: 'button', class: 'link', onclick: close }, 'Cancel'),
      ],
      { large: true },
    );
  };
  const base = `clients/${seg(String(client.id))}/clientScopes`;
  replace(
    body,
    tabs('Client scopes', [
      { title: 'Setup', href: app.href(`${base}/setup`), current: true },
      { title: 'Evaluate', href: app.href(`${base}/evaluate`), current: false },
    ]),
    h('div', { class: 'toolbar' }, manage ? h('button', { type: 'button', class: 'primary', onclick: addDialog }, 'Add client scope') : null),
    table(
      'Client scopes',
      [
        { title: 'Assigned client scope', cell: (row) => (row.type === 'dedicated' ? h('a', { href: app.href(`${base}/dedicated`) }, row.name) : row.name) },
        {
          title: 'Assigned type',
          cell: (row) => {
            if (row.type === 'dedicated') return 'Dedicated';
            const type = select([['default', 'Default'], ['optional', 'Optional']], row.type, { 'aria-label': `Assigned type of ${row.name}`, disabled: !manage });
            type.addEventListener('change', () => void change(row.id, row.type as ScopeType, type.value as ScopeType));
            return type;
          },
        },
        { title: 'Description', cell: (row) => row.description },
        { title: 'Actions', cell: (row) => (row.type === 'dedicated' || !manage ? '' : kebab([{ label: 'Remove', danger: true, onclick: () => remove(row as { id: string; name: string; type: ScopeType }) }])) },
      ],
      rows,
      { title: 'No client scopes', message: "This client doesn't have any added client scopes" },
    ),
  );
}

/** The dedicated scope: Mappers (the client's own protocol mappers) and Scope (Full scope allowed, role scope mappings). */
async function dedicatedScope(app: App, body: HTMLElement, client: Json, tab: string): Promise<void> {
  const clientPath = app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}`);
  const base = `clients/${seg(String(client.id))}/clientScopes/dedicated`;
  const manage = can.manageClients(app);
  const content = h('div', {});
  replace(
    body,
    pageHeader(`${String(client.clientId)}-dedicated`, 'This is a client scope which includes the dedicated mappers and scope'),
    tabs('Dedicated scope', [
      { title: 'Mappers', href: app.href(`${base}/mappers`), current: tab !== 'scope' },
      { title: 'Scope', href: app.href(`${base}/scope`), current: tab === 'scope' },
    ]),
    content,
  );
  if (tab === 'scope') {
    const full = switchControl('Full scope allowed', client.fullScopeAllowed !== false, { disabled: !manage });
    full.addEventListener('change', () =>
      void app.api.put(clientPath, { ...client, fullScopeAllowed: full.checked }).then(
        () => {
          alert('success', 'Scope mapping updated');
          client.fullScopeAllowed = full.checked;
          void dedicatedScope(app, body, client, tab);
        },
        (err) => alert('danger', ...failure('Could not update scope mapping ', err)),
      ),
    );
    replace(content, h('div', { class: 'section' }, formGroup('Full scope allowed', full, 'Allows you to disable all restrictions. Better to switch it off and give the client only the roles it needs in its role scope.')));
    if (client.fullScopeAllowed === false) {
      const mappings = h('div', {});
      content.appendChild(mappings);
      await roleMapping(app, mappings, { base: `${clientPath}/scope-mappings`, holder: String(client.clientId), type: 'clients', readOnly: !manage });
    }
    return;
  }
  const mappers = (client.protocolMappers as Json[] | undefined) ?? [];
  const types = ((app.serverInfo.protocolMapperTypes as Record<string, Json[]> | undefined)?.['openid-connect'] ?? []).filter((type) => type.id === 'oidc-audience-mapper' || type.id === 'oidc-hardcoded-claim-mapper');
  const typeName = (id: unknown) => String(((app.serverInfo.protocolMapperTypes as Record<string, Json[]> | undefined)?.['openid-connect'] ?? []).find((type) => type.id === id)?.name ?? id);
  const configure = () =>
    modal(
      'Configure a new mapper',
      [h('p', {}, 'Choose any of the mappings from this table'), h('ul', { class: 'choice-list' }, ...types.map((type) => h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => { document.querySelector('dialog')?.remove(); mapperForm(app, content, client, String(type.id), String(type.name)); } }, String(type.name)))))],
      (close) => [h('button', { type: 'button', class: 'link', onclick: close }, 'Cancel')],
    );
  replace(
    content,
    h('div', { class: 'toolbar' }, manage ? dropdown('Add mapper', [{ label: 'By configuration', onclick: configure }], { primary: true }) : null),
    table(
      'Mappers',
      [
        { title: 'Name', cell: (mapper) => String(mapper.name) },
        { title: 'Category', cell: () => 'Token mapper' },
        { title: 'Type', cell: (mapper) => typeName(mapper.protocolMapper) },
        {
          title: 'Actions',
          cell: (mapper) =>
            manage
              ? kebab([
                  {
                    label: 'Delete',
                    danger: true,
                    onclick: () =>
                      void app.api.delete(`${clientPath}/protocol-mappers/models/${seg(String(mapper.id))}`).then(
                        async () => {
                          alert('success', 'Mapping successfully deleted');
                          const fresh = await app.api.get<Json>(clientPath);
                          void dedicatedScope(app, body, fresh, tab);
                        },
                        (err) => alert('danger', ...failure('Could not delete mapping: ', err)),
                      ),
                  },
                ])
              : '',
        },
      ],
      mappers,
      { title: 'No mappers', message: 'If you want to add mappers, please click the button below to add some predefined mappers or to configure a new mapper.' },
    ),
  );
}

/** Add mapper: Audience or Hardcoded claim, with Keycloak's labels and config keys (keycloak-mappers.md §6). */
function mapperForm(app: App, content: HTMLElement, client: Json, typeId: string, typeName: string): void {
  const clientPath = app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}`);
  const name = textInput('', { required: true });
  const fields: [string, string, HTMLInputElement | HTMLSelectElement][] =
    typeId === 'oidc-audience-mapper'
      ? [
          ['Included Client Audience', 'included.client.audience', textInput('')],
          ['Included Custom Audience', 'included.custom.audience', textInput('')],
        ]
      : [
          ['Token Claim Name', 'claim.name', textInput('')],
          ['Claim value', 'claim.value', textInput('')],
          ['Claim JSON Type', 'jsonType.label', select([['String', 'String'], ['long', 'long'], ['int', 'int'], ['boolean', 'boolean'], ['JSON', 'JSON']], 'String')],
        ];
  const switches: [string, string, HTMLInputElement][] = [
    ['Add to ID token', 'id.token.claim', switchControl('Add to ID token', typeId !== 'oidc-audience-mapper')],
    ['Add to access token', 'access.token.claim', switchControl('Add to access token', true)],
    ['Add to lightweight access token', 'lightweight.claim', switchControl('Add to lightweight access token', false)],
    ['Add to token introspection', 'introspection.token.claim', switchControl('Add to token introspection', true)],
  ];
  const form = h(
    'form',
    { class: 'section', novalidate: true },
    formGroup('Mapper type', textInput(typeName, { readOnly: true })),
    formGroup('Name', name, 'Name of the mapper', { required: true }),
    ...fields.map(([label, , control]) => formGroup(label, control)),
    ...switches.map(([label, , control]) => formGroup(label, control)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), h('a', { class: 'button link', href: app.href(`clients/${seg(String(client.id))}/clientScopes/dedicated/mappers`) }, 'Cancel')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (name.value.trim() === '') return alert('danger', 'Required field');
    const config = Object.create(null) as Record<string, string>;
    for (const [, key, control] of fields) if (control.value !== '') config[key] = control.value;
    for (const [, key, control] of switches) config[key] = String((control as HTMLInputElement).checked);
    void app.api.post(`${clientPath}/protocol-mappers/models`, { name: name.value.trim(), protocol: 'openid-connect', protocolMapper: typeId, config }).then(
      () => {
        alert('success', 'Mapping successfully created');
        app.navigate(`clients/${seg(String(client.id))}/clientScopes/dedicated/mappers`);
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      },
      (err) => {
        const [title, detail] = failure('', err);
        alert('danger', `Could not create mapping: '${title}'`, detail);
      },
    );
  });
  replace(content, pageHeader('Add mapper', 'If you want more fine-grain control, you can create protocol mapper on this client'), form);
}

/**
 * Evaluate: the tokens the client's service account would get for a scope parameter (`openid`,
 * always, plus the chosen optional scopes), from `evaluate-scopes/generate-example-*`.
 */
async function evaluate(app: App, body: HTMLElement, client: Json): Promise<void> {
  const clientPath = app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}`);
  const optional = await app.api.get<Json[]>(`${clientPath}/optional-client-scopes`);
  const base = `clients/${seg(String(client.id))}/clientScopes`;
  const chosen = new Set<string>();
  const value = textInput('openid', { readOnly: true, label: 'Effective scope parameter' });
  const output = h('pre', { class: 'code', tabindex: '0', 'aria-label': 'Generated token' });
  const kinds = [
    ['Generated access token', 'generate-example-access-token'],
    ['Generated ID token', 'generate-example-id-token'],
  ] as const;
  let kind: string = kinds[0][1];
  const tabList = h('div', { role: 'tablist', 'aria-label': 'Evaluate', 'aria-orientation': 'vertical', class: 'vertical-tabs' });
  const refresh = async () => {
    const scope = ['openid', ...chosen].join(' ');
    value.value = scope;
    for (const tab of tabList.querySelectorAll('button')) tab.setAttribute('aria-selected', String(tab.dataset.kind === kind));
    try {
      output.textContent = JSON.stringify(await app.api.get(`${clientPath}/evaluate-scopes/${kind}?scope=${encodeURIComponent(scope)}`), null, 2);
    } catch (err) {
      output.textContent = '';
      alert('danger', ...failure('', err));
    }
  };
  for (const [title, id] of kinds) {
    tabList.appendChild(h('button', { type: 'button', role: 'tab', 'aria-selected': String(id === kind), 'data-kind': id, onclick: () => { kind = id; void refresh(); } }, title));
  }
  replace(
    body,
    tabs('Client scopes', [
      { title: 'Setup', href: app.href(`${base}/setup`), current: false },
      { title: 'Evaluate', href: app.href(`${base}/evaluate`), current: true },
    ]),
    h('p', {}, 'This page allows you to see all protocol mappers and role scope mappings'),
    h(
      'div',
      { class: 'section' },
      formGroup(
        'Scope parameter',
        h('div', { class: 'checkboxes', role: 'group', 'aria-label': 'Optional client scopes' }, ...optional.map((scope) => h('label', { class: 'checkbox' }, h('input', { type: 'checkbox', onchange: (event: Event) => { if ((event.target as HTMLInputElement).checked) chosen.add(String(scope.name)); else chosen.delete(String(scope.name)); void refresh(); } }), ` ${String(scope.name)}`))),
        'You can copy/paste this value of scope parameter and use it in initial OpenID Connect Authentication Request sent from this client adapter. Default client scopes and selected optional client scopes will be used when generating token issued for this client',
      ),
      formGroup('Effective scope parameter', value),
    ),
    h('div', { class: 'evaluate' }, tabList, h('div', { role: 'tabpanel', class: 'evaluate-output' }, output)),
  );
  await refresh();
}
