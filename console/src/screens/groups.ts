/**
 * Groups (Keycloak's GroupsSection): the realm's groups as a tree you walk down, Create group /
 * Create child group, Delete, and a group's tabs: Child groups, Members (service accounts), Role
 * mapping. Routes: `#/{realm}/groups[/{id}…]`, the path of ids from the top, as Keycloak's.
 */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, formGroup, h, kebab, modal, pageHeader, replace, table, tabs, textInput } from '../dom.js';
import { attributesForm } from './attributes.js';
import { roleMapping } from './roleMapping.js';

const SUBTITLE = 'A group is a set of attributes and role mappings that can be applied to a user. You can create, edit, and delete groups and manage their child-parent organization.';

export async function groups(app: App, main: HTMLElement, path: string[]): Promise<void> {
  const trail = path.slice(1);
  const last = trail.length > 0 ? trail[trail.length - 1] : undefined;
  const tab = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('tab') ?? 'children';
  const manage = can.manageUsers(app);
  const group = last ? await app.api.get<Json>(app.api.realmPath(app.realm, `/groups/${seg(last)}`)) : undefined;
  const children = await app.api.get<Json[]>(app.api.realmPath(app.realm, group ? `/groups/${seg(String(group.id))}/children?first=0&max=100` : '/groups?first=0&max=100&briefRepresentation=false'));
  const here = (extra = '') => app.href(['groups', ...trail.map(seg)].join('/') + extra);
  const reload = () => void groups(app, main, path);

  const createDialog = () => {
    const name = textInput('', { required: true });
    const description = textInput('');
    modal(group ? 'Create child group' : 'Create a group', [formGroup('Name', name, undefined, { required: true }), formGroup('Description', description)], (close) => [
      h('button', { type: 'button', class: 'primary', onclick: () => {
        if (name.value.trim() === '') return alert('danger', 'Required field');
        close();
        const target = app.api.realmPath(app.realm, group ? `/groups/${seg(String(group.id))}/children` : '/groups');
        void app.api.post(target, { name: name.value.trim(), description: description.value }).then(
          () => { alert('success', 'Group created'); reload(); },
          (err) => alert('danger', ...failure('Could not create group ', err)),
        );
      } }, 'Create'),
      h('button', { type: 'button', class: 'link', onclick: close }, 'Cancel'),
    ]);
  };
  const remove = (target: Json, then: () => void) =>
    confirmDialog({
      title: `Delete group "${String(target.name)}"?`,
      message: 'Are you sure you want to delete this group',
      confirm: 'Delete',
      danger: true,
      onConfirm: () =>
        app.api.delete(app.api.realmPath(app.realm, `/groups/${seg(String(target.id))}`)).then(
          () => { alert('success', 'Group deleted'); then(); },
          (err) => alert('danger', ...failure('Could not delete group ', err)),
        ),
    });

  const childTable = h(
    'div',
    {},
    h('div', { class: 'toolbar' }, manage ? h('button', { type: 'button', class: 'primary', onclick: createDialog }, group ? 'Create child group' : 'Create group') : null),
    table(
      'Groups',
      [
        { title: 'Group name', cell: (child) => h('a', { href: app.href(['groups', ...trail.map(seg), seg(String(child.id))].join('/')) }, String(child.name)) },
        { title: 'Description', cell: (child) => String(child.description ?? '') },
        { title: 'Actions', cell: (child) => (manage ? kebab([{ label: 'Delete', danger: true, onclick: () => remove(child, reload) }]) : '') },
      ],
      children,
      group ? { title: 'No child groups', message: 'You haven\'t created any child groups in this group.' } : { title: 'No groups in this realm', message: "You haven't created any groups in this realm. Create a group to get started." },
    ),
  );
  const crumbs = h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('a', { href: app.href('groups') }, 'Groups'), ...trail.slice(0, -1).map((id, i) => [' › ', h('a', { href: app.href(['groups', ...trail.slice(0, i + 1).map(seg)].join('/')) }, id)]).flat(), group ? ` › ${String(group.name)}` : '');
  if (!group) {
    replace(main, crumbs, pageHeader('Groups', SUBTITLE), childTable);
    return;
  }
  const body = h('section', { class: 'tab-body' });
  replace(
    main,
    crumbs,
    pageHeader(String(group.name), String(group.description ?? '') || undefined, manage ? h('button', { type: 'button', class: 'secondary', onclick: () => remove(group, () => app.navigate(['groups', ...trail.slice(0, -1).map(seg)].join('/'))) }, 'Delete group') : null),
    tabs('Group', [
      { title: 'Child groups', href: here('?tab=children'), current: tab === 'children' },
      { title: 'Members', href: here('?tab=members'), current: tab === 'members' },
      { title: 'Attributes', href: here('?tab=attributes'), current: tab === 'attributes' },
      { title: 'Role mapping', href: here('?tab=role-mapping'), current: tab === 'role-mapping' },
    ]),
    body,
  );
  if (tab === 'members') return members(app, body, group, manage);
  if (tab === 'attributes')
    return attributesForm(body, group.attributes, {
      readOnly: !manage,
      // GroupAttributes.tsx: the whole group goes back with the new attributes.
      onSave: (attributes) =>
        void app.api.put(app.api.realmPath(app.realm, `/groups/${seg(String(group.id))}`), { ...group, attributes }).then(
          () => { alert('success', 'Group updated'); reload(); },
          (err) => alert('danger', ...failure('Error updating group ', err)),
        ),
    });
  if (tab === 'role-mapping') return roleMapping(app, body, { base: app.api.realmPath(app.realm, `/groups/${seg(String(group.id))}/role-mappings`), holder: String(group.name), type: 'groups', readOnly: !manage });
  replace(body, childTable);
}

/** Members: the service accounts in the group; "Add member" picks among the realm's service accounts, "Leave" removes one. */
async function members(app: App, body: HTMLElement, group: Json, manage: boolean): Promise<void> {
  const groupPath = app.api.realmPath(app.realm, `/groups/${seg(String(group.id))}`);
  const list = await app.api.get<Json[]>(`${groupPath}/members?first=0&max=100&briefRepresentation=true`);
  const reload = () => void members(app, body, group, manage);
  const add = async () => {
    const users = (await app.api.get<Json[]>(app.api.realmPath(app.realm, '/users?first=0&max=100&briefRepresentation=true'))).filter((user) => !list.some((member) => member.id === user.id));
    const chosen = new Set<string>();
    modal(
      'Add member',
      [
        table(
          'Users',
          [
            { title: 'Select', cell: (user) => h('input', { type: 'checkbox', 'aria-label': `Select ${String(user.username)}`, onchange: (event: Event) => ((event.target as HTMLInputElement).checked ? chosen.add(String(user.id)) : chosen.delete(String(user.id))) }) },
            { title: 'Username', cell: (user) => String(user.username) },
          ],
          users,
          { title: 'No users found', message: 'Every service account of this realm is already a member.' },
        ),
      ],
      (close) => [
        h('button', { type: 'button', class: 'primary', onclick: () => {
          close();
          void Promise.all([...chosen].map((id) => app.api.put(app.api.realmPath(app.realm, `/users/${seg(id)}/groups/${seg(String(group.id))}`), undefined))).then(
            () => { alert('success', `${chosen.size} user(s) added to the group`); reload(); },
            (err) => alert('danger', ...failure('Could not add users to the group: ', err)),
          );
        } }, 'Add'),
        h('button', { type: 'button', class: 'link', onclick: close }, 'Cancel'),
      ],
      { large: true },
    );
  };
  replace(
    body,
    h('div', { class: 'toolbar' }, manage ? h('button', { type: 'button', class: 'primary', onclick: () => void add() }, 'Add member') : null),
    table(
      'Members',
      [
        { title: 'Name', cell: (user) => String(user.username) },
        {
          title: 'Actions',
          cell: (user) =>
            manage
              ? kebab([{ label: 'Leave', onclick: () => void app.api.delete(app.api.realmPath(app.realm, `/users/${seg(String(user.id))}/groups/${seg(String(group.id))}`)).then(() => { alert('success', '1 user(s) left the group'); reload(); }, (err) => alert('danger', ...failure('Could not remove users from the group: ', err))) }])
              : '',
        },
      ],
      list,
      { title: 'No users found', message: 'This group has no members. Add a service account with "Add member".' },
    ),
  );
}
