/**
 * A client's Client scopes tab: Setup (the dedicated scope, then the assigned default and optional
 * scopes), Evaluate (./evaluate.ts), and the dedicated scope's Mappers (./mappers.ts) and Scope
 * tabs (Keycloak's ClientScopes, DedicatedScopes).
 */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, dropdown, formGroup, h, kebab, modal, pageHeader, replace, select, switchControl, table, tabs } from '../dom.js';
import { evaluateTab } from './evaluate.js';
import { clientMapperContainer, mapperList } from './mappers.js';
import { roleMapping } from './roleMapping.js';

type ScopeType = 'default' | 'optional';

export async function clientScopesTab(app: App, body: HTMLElement, client: Json, path: string[]): Promise<void> {
  if (path[0] === 'dedicated') return dedicatedScope(app, body, client, path[1] ?? 'mappers', path.slice(2));
  const base = `clients/${seg(String(client.id))}/clientScopes`;
  const subTabs = (current: 'setup' | 'evaluate') =>
    tabs('Client scopes', [
      { title: 'Setup', href: app.href(`${base}/setup`), current: current === 'setup' },
      { title: 'Evaluate', href: app.href(`${base}/evaluate`), current: current === 'evaluate' },
    ]);
  if (path[0] === 'evaluate') return evaluateTab(app, body, client, subTabs('evaluate'));
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
  replace(
    body,
    subTabs('setup'),
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
async function dedicatedScope(app: App, body: HTMLElement, client: Json, tab: string, rest: string[]): Promise<void> {
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
          void dedicatedScope(app, body, client, tab, rest);
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
  await mapperList(app, content, clientMapperContainer(app, client), rest);
}
