/**
 * Keycloak's role-mapping table (components/role-mapping/RoleMapping.tsx), for a service
 * account's role mappings and a client's scope mappings alike: "Hide inherited roles", "Assign
 * role" › Realm roles / Client roles, "Unassign". Only documented Admin REST API calls: the
 * holder's mappings, `…/realm/composite` and `…/clients/{c}/composite` for inherited roles,
 * `…/available` for the assign dialog (Keycloak's console uses its private ui-ext lists instead).
 */
import { seg, type Json } from '../api.js';
import { failure, type App } from '../app.js';
import { alert, confirmDialog, dropdown, h, kebab, modal, replace, table } from '../dom.js';

export interface RoleMappingHolder {
  /** `…/users/{uid}/role-mappings` or `…/clients/{id}/scope-mappings`. */
  base: string;
  /** Named in the assign dialog's title. */
  holder: string;
  type: 'users' | 'clients' | 'groups' | 'clientScopes';
  readOnly: boolean;
}

interface Row {
  role: Json;
  /** The owning client's clientId and uuid, for client roles. */
  client?: { clientId: string; id: string };
  inherited: boolean;
}

const key = (row: Row) => `${row.client?.id ?? ''}\u0000${String(row.role.name)}`;

export async function roleMapping(app: App, container: HTMLElement, holder: RoleMappingHolder): Promise<void> {
  let hideInherited = true;
  let filter = '';
  const selected = new Map<string, Row>();
  const clients = await app.api.get<Json[]>(app.api.realmPath(app.realm, '/clients?max=1000'));

  const load = async (): Promise<Row[]> => {
    const direct = await app.api.get<{ realmMappings?: Json[]; clientMappings?: Record<string, { id: string; client: string; mappings: Json[] }> }>(holder.base);
    const rows: Row[] = (direct.realmMappings ?? []).map((role) => ({ role, inherited: false }));
    for (const mapping of Object.values(direct.clientMappings ?? {})) rows.push(...mapping.mappings.map((role) => ({ role, client: { clientId: mapping.client, id: mapping.id }, inherited: false })));
    if (hideInherited) return rows;
    const held = new Set(rows.map(key));
    const effective: Row[] = (await app.api.get<Json[]>(`${holder.base}/realm/composite`)).map((role) => ({ role, inherited: true }));
    const perClient = await Promise.all(clients.map(async (client) => (await app.api.get<Json[]>(`${holder.base}/clients/${seg(String(client.id))}/composite`)).map((role) => ({ role, client: { clientId: String(client.clientId), id: String(client.id) }, inherited: true }))));
    return [...rows, ...[...effective, ...perClient.flat()].filter((row) => !held.has(key(row)))];
  };

  const unassign = (rows: Row[]) =>
    confirmDialog({
      title: 'Remove role?',
      message: rows.length === 1 ? 'Are you sure you want to remove this role?' : `Are you sure you want to remove ${rows.length} roles?`,
      confirm: 'Remove',
      danger: true,
      onConfirm: async () => {
        try {
          const realmRoles = rows.filter((row) => !row.client).map((row) => row.role);
          if (realmRoles.length > 0) await app.api.delete(`${holder.base}/realm`, realmRoles);
          for (const row of rows.filter((r) => r.client)) await app.api.delete(`${holder.base}/clients/${seg(row.client!.id)}`, [row.role]);
          alert('success', 'Role mapping updated');
          selected.clear();
          await render();
        } catch (err) {
          alert('danger', ...failure('Could not update role mapping ', err));
        }
      },
    });

  const render = async () => {
    const rows = (await load()).filter((row) => String(row.role.name).toLowerCase().includes(filter.toLowerCase()));
    rows.sort((a, b) => `${a.client?.clientId ?? ''} ${String(a.role.name)}`.localeCompare(`${b.client?.clientId ?? ''} ${String(b.role.name)}`));
    const search = h('input', { type: 'search', placeholder: 'Search by name', 'aria-label': 'Search by name', value: filter });
    search.addEventListener('change', () => {
      filter = search.value;
      void render();
    });
    const hide = h('input', { type: 'checkbox', checked: hideInherited });
    hide.addEventListener('change', () => {
      hideInherited = hide.checked;
      void render();
    });
    const toolbar = h(
      'div',
      { class: 'toolbar' },
      search,
      h('label', { class: 'checkbox' }, hide, ' Hide inherited roles'),
      holder.readOnly
        ? null
        : dropdown('Assign role', [
            { label: 'Client roles', onclick: () => void assignDialog(app, holder, 'client', clients, render) },
            { label: 'Realm roles', onclick: () => void assignDialog(app, holder, 'realm', clients, render) },
          ], { primary: true }),
      holder.readOnly ? null : h('button', { type: 'button', class: 'link', onclick: () => selected.size > 0 && unassign([...selected.values()]) }, 'Unassign'),
    );
    replace(
      container,
      toolbar,
      table(
        'Role list',
        [
          {
            title: 'Select',
            cell: (row) =>
              row.inherited || holder.readOnly
                ? ''
                : h('input', { type: 'checkbox', 'aria-label': `Select ${String(row.role.name)}`, checked: selected.has(key(row)), onchange: (event: Event) => ((event.target as HTMLInputElement).checked ? selected.set(key(row), row) : selected.delete(key(row))) }),
          },
          { title: 'Name', cell: (row) => [row.client ? h('span', { class: 'badge' }, row.client.clientId) : null, ` ${String(row.role.name)}`] },
          { title: 'Inherited', cell: (row) => (row.inherited ? 'True' : 'False') },
          { title: 'Description', cell: (row) => String(row.role.description ?? '') },
          { title: 'Actions', cell: (row) => (row.inherited || holder.readOnly ? '' : kebab([{ label: 'Unassign', danger: true, onclick: () => unassign([row]) }])) },
        ],
        rows,
        holder.type === 'users'
          ? { title: 'No roles for this user', message: "You haven't assigned any roles to this user. Assign a role to get started." }
          : holder.type === 'groups'
            ? { title: 'No roles for this group', message: "You haven't assigned any roles to this group. Assign a role to get started." }
            : holder.type === 'clientScopes'
              ? { title: 'No roles for this client scope', message: "You haven't assigned any roles to this client scope. Assign a role to get started." }
              : { title: 'No roles for this client', message: "You haven't assigned any roles to this client. Assign a role to get started." },
      ),
    );
  };
  await render();
}

async function assignDialog(app: App, holder: RoleMappingHolder, kind: 'realm' | 'client', clients: Json[], done: () => Promise<void>): Promise<void> {
  const available: Row[] =
    kind === 'realm'
      ? (await app.api.get<Json[]>(`${holder.base}/realm/available`)).map((role) => ({ role, inherited: false }))
      : (
          await Promise.all(
            clients.map(async (client) => (await app.api.get<Json[]>(`${holder.base}/clients/${seg(String(client.id))}/available`)).map((role) => ({ role, client: { clientId: String(client.clientId), id: String(client.id) }, inherited: false }))),
          )
        ).flat();
  const chosen = new Map<string, Row>();
  const assign = h('button', { type: 'button', class: 'primary', disabled: true }, 'Assign');
  const list = table(
    kind === 'realm' ? 'Realm roles' : 'Client roles',
    [
      { title: 'Select', cell: (row) => h('input', { type: 'checkbox', 'aria-label': `Select ${row.client ? `${row.client.clientId} ` : ''}${String(row.role.name)}`, onchange: (event: Event) => { if ((event.target as HTMLInputElement).checked) chosen.set(key(row), row); else chosen.delete(key(row)); assign.disabled = chosen.size === 0; } }) },
      { title: 'Name', cell: (row) => String(row.role.name) },
      ...(kind === 'client' ? [{ title: 'Client ID', cell: (row: Row) => row.client!.clientId }] : []),
      { title: 'Description', cell: (row) => String(row.role.description ?? '') },
    ],
    available,
    { title: 'No roles for this user', message: kind === 'realm' ? 'There are no realm roles to assign' : 'There are no client roles to assign' },
  );
  const { close } = modal(`Assign ${kind} roles to ${holder.holder}`, [list], (closeDialog) => [assign, h('button', { type: 'button', class: 'link', onclick: closeDialog }, 'Cancel')], { large: true });
  assign.addEventListener('click', () => {
    close();
    void (async () => {
      try {
        const rows = [...chosen.values()];
        const realmRoles = rows.filter((row) => !row.client).map((row) => row.role);
        if (realmRoles.length > 0) await app.api.post(`${holder.base}/realm`, realmRoles);
        const byClient = new Map<string, Json[]>();
        for (const row of rows.filter((r) => r.client)) byClient.set(row.client!.id, [...(byClient.get(row.client!.id) ?? []), row.role]);
        for (const [client, roles] of byClient) await app.api.post(`${holder.base}/clients/${seg(client)}`, roles);
        alert('success', 'Role mapping updated');
        await done();
      } catch (err) {
        alert('danger', ...failure('Could not update role mapping ', err));
      }
    })();
  });
}
