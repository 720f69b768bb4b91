/** Realm roles and a client's Roles tab (Keycloak's RealmRolesSection, RolesList, RoleForm, RealmRoleTabs). */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, formGroup, h, kebab, pageHeader, replace, table, tabs, textInput } from '../dom.js';

function rolesTable(app: App, roles: Json[], link: (role: Json) => string, manage: boolean, reload: () => void, empty: { title: string; message: string }): HTMLElement {
  return table(
    'Roles',
    [
      { title: 'Role name', cell: (role) => h('a', { href: link(role) }, String(role.name)) },
      { title: 'Composite', cell: (role) => (role.composite ? 'True' : 'False') },
      { title: 'Description', cell: (role) => String(role.description ?? '') },
      {
        title: 'Actions',
        cell: (role) =>
          manage
            ? kebab([
                {
                  label: 'Delete',
                  danger: true,
                  onclick: () =>
                    String(role.name).startsWith('default-roles-')
                      ? alert('danger', 'You cannot delete a default role.')
                      : confirmDialog({
                          title: 'Delete role?',
                          message: `This action will permanently delete the role "${String(role.name)}". This cannot be undone.`,
                          confirm: 'Delete',
                          danger: true,
                          onConfirm: async () => {
                            try {
                              await app.api.delete(app.api.realmPath(app.realm, `/roles-by-id/${seg(String(role.id))}`));
                              alert('success', 'The role has been deleted');
                              reload();
                            } catch (err) {
                              alert('danger', ...failure('Could not delete role: ', err));
                            }
                          },
                        }),
                },
              ])
            : '',
      },
    ],
    [...roles].sort((a, b) => String(a.name).localeCompare(String(b.name))),
    empty,
  );
}

export async function realmRoles(app: App, main: HTMLElement): Promise<void> {
  const roles = await app.api.get<Json[]>(app.api.realmPath(app.realm, '/roles?first=0&max=1000'));
  const manage = can.manageRealm(app);
  replace(
    main,
    pageHeader('Realm roles', 'Realm roles are the roles that you define for use in the current realm.'),
    h('div', { class: 'toolbar' }, manage ? h('a', { href: app.href('roles/new'), class: 'button primary' }, 'Create role') : null),
    rolesTable(app, roles, (role) => app.href(`roles/${seg(String(role.id))}/details`), manage, () => void realmRoles(app, main), { title: 'No roles in this realm', message: "You haven't created any roles in this realm. Create a role to get started." }),
  );
}

/** Create role (realm, or a client's when `client` is given): Role name, Description, then the role's details. */
export async function createRole(app: App, main: HTMLElement, client?: Json): Promise<void> {
  const name = textInput('', { required: true });
  const description = textInput('', { maxLength: 255 });
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true }, 'Required field');
  const form = h(
    'form',
    { class: 'section', novalidate: true },
    formGroup('Role name', name, undefined, { required: true }),
    error,
    formGroup('Description', description),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), h('a', { href: client ? app.href(`clients/${seg(String(client.id))}/roles`) : app.href('roles'), class: 'button link' }, 'Cancel')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (name.value.trim() === '') {
      error.hidden = false;
      return;
    }
    const container = client ? `/clients/${seg(String(client.id))}/roles` : '/roles';
    void (async () => {
      try {
        await app.api.post(app.api.realmPath(app.realm, container), { name: name.value.trim(), description: description.value });
        const role = await app.api.get<Json>(app.api.realmPath(app.realm, `${container}/${seg(name.value.trim())}`));
        alert('success', 'Role created');
        app.navigate(client ? `clients/${seg(String(client.id))}/roles` : `roles/${seg(String(role.id))}/details`);
      } catch (err) {
        alert('danger', ...failure('Could not create role: ', err));
      }
    })();
  });
  replace(main, pageHeader('Create role'), form);
}

/** A role's details: Details (description) and Associated roles (its composites). */
export async function roleDetails(app: App, main: HTMLElement, path: string[]): Promise<void> {
  const id = path[1]!;
  const tab = path[2] ?? 'details';
  const rolePath = app.api.realmPath(app.realm, `/roles-by-id/${seg(id)}`);
  const role = await app.api.get<Json>(rolePath);
  const manage = can.manageRealm(app);
  const body = h('section', { class: 'tab-body' });
  replace(
    main,
    pageHeader(String(role.name), undefined, role.composite ? h('span', { class: 'badge' }, 'Composite') : null),
    tabs('Role details', [
      { title: 'Details', href: app.href(`roles/${seg(id)}/details`), current: tab === 'details' },
      { title: 'Associated roles', href: app.href(`roles/${seg(id)}/associated-roles`), current: tab === 'associated-roles' },
    ]),
    body,
  );
  if (tab === 'associated-roles') return associatedRoles(app, body, rolePath, String(role.name), manage);
  const description = textInput(String(role.description ?? ''), { readOnly: !manage, maxLength: 255 });
  const form = h('form', { class: 'section', novalidate: true }, formGroup('Role name', textInput(String(role.name), { readOnly: true })), formGroup('Description', description), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', disabled: !manage }, 'Save')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void app.api.put(rolePath, { ...role, description: description.value }).then(
      () => alert('success', 'The role has been saved'),
      (err) => alert('danger', ...failure('Could not save role: ', err)),
    );
  });
  replace(body, form);
}

async function associatedRoles(app: App, body: HTMLElement, rolePath: string, name: string, manage: boolean): Promise<void> {
  const composites = await app.api.get<Json[]>(`${rolePath}/composites`);
  const realmRoleList = (await app.api.get<Json[]>(app.api.realmPath(app.realm, '/roles?first=0&max=1000'))).filter((role) => role.name !== name && !composites.some((c) => c.id === role.id));
  const pick = h('select', { 'aria-label': 'Realm role to add' }, ...realmRoleList.map((role) => h('option', { value: String(role.id) }, String(role.name))));
  const add = h('button', { type: 'button', class: 'primary', disabled: !manage || realmRoleList.length === 0 }, 'Assign role');
  add.addEventListener('click', () => {
    const role = realmRoleList.find((r) => r.id === pick.value);
    if (!role) return;
    void app.api.post(`${rolePath}/composites`, [role]).then(
      () => {
        alert('success', 'Associated roles have been added');
        void associatedRoles(app, body, rolePath, name, manage);
      },
      (err) => alert('danger', ...failure('Could not update role mapping ', err)),
    );
  });
  const remove = (role: Json) =>
    confirmDialog({
      title: 'Remove role?',
      message: 'Are you sure you want to remove this role?',
      confirm: 'Remove',
      danger: true,
      onConfirm: () =>
        app.api.delete(`${rolePath}/composites`, [role]).then(
          () => {
            alert('success', 'Role mapping updated');
            void associatedRoles(app, body, rolePath, name, manage);
          },
          (err) => alert('danger', ...failure('Could not update role mapping ', err)),
        ),
    });
  replace(
    body,
    manage ? h('div', { class: 'toolbar' }, pick, add) : null,
    table(
      'Associated roles',
      [
        { title: 'Name', cell: (role) => String(role.name) },
        { title: 'Description', cell: (role) => String(role.description ?? '') },
        { title: 'Actions', cell: (role) => (manage ? kebab([{ label: 'Unassign', danger: true, onclick: () => remove(role) }]) : '') },
      ],
      composites,
      { title: 'No associated roles', message: 'To add associated roles to this role, click Assign role.' },
    ),
  );
}

/** A client's Roles tab. */
export async function clientRolesTab(app: App, body: HTMLElement, client: Json): Promise<void> {
  const roles = await app.api.get<Json[]>(app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}/roles`));
  const manage = can.manageClients(app);
  const create = h('button', { type: 'button', class: 'primary' }, 'Create role');
  create.addEventListener('click', () => void createRole(app, body, client));
  replace(
    body,
    h('div', { class: 'toolbar' }, manage ? create : null),
    rolesTable(app, roles, (role) => app.href(`roles/${seg(String(role.id))}/details`), manage, () => void clientRolesTab(app, body, client), {
      title: 'No roles for this client',
      message: "You haven't created any roles for this client. Create a role to get started.",
    }),
  );
}
