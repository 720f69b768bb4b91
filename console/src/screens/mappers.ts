/**
 * Protocol mappers of a container (Keycloak's MapperList, AddMapperDialog and MappingDetails): a
 * client's dedicated scope or a realm client scope, the same list, "Add mapper" › "From predefined
 * mappers" / "By configuration", and one mapper's form.
 * Nothing here knows a mapper type: the types, their settings and the predefined mappers all come
 * from serverinfo, which the server derives from its mapper registry.
 */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, dropdown, formGroup, h, kebab, modal, nextId, pageHeader, replace, select, switchControl, table, textInput } from '../dom.js';

/** Keycloak's ProviderConfigProperty, as serverinfo sends it. */
interface ConfigProperty {
  name: string;
  label?: string;
  helpText?: string;
  type?: string;
  defaultValue?: unknown;
  options?: string[];
  required?: boolean;
  readOnly?: boolean;
}

interface MapperType {
  id: string;
  name: string;
  category?: string;
  helpText?: string;
  priority?: number;
  properties: ConfigProperty[];
}

export const mapperTypes = (app: App): MapperType[] => ((app.serverInfo.protocolMapperTypes as Record<string, MapperType[]> | undefined)?.['openid-connect'] ?? []);
const builtinMappers = (app: App): Json[] => ((app.serverInfo.builtinProtocolMappers as Record<string, Json[]> | undefined)?.['openid-connect'] ?? []);

/** What holds the mappers: Keycloak's ProtocolMappersResource sits under a client and under a client scope alike. */
export interface MapperContainer {
  /** Admin API path of the holder: `/realms/{realm}/clients/{id}` or `/realms/{realm}/client-scopes/{id}`. */
  apiPath: string;
  /** Console route of its mapper list, under the realm: `clients/{id}/clientScopes/dedicated/mappers` or `client-scopes/{id}/mappers`. */
  route: string;
  /** The holder's `protocolMappers`, as its representation carries them. */
  mappers: Json[];
  /** Add mapper's subtitle names the holder (Keycloak's "…on this client" / "…on this client scope"). */
  kind: 'client' | 'client scope';
}

/** A client's dedicated scope: `#/{realm}/clients/{id}/clientScopes/dedicated/mappers[/…]`. */
export const clientMapperContainer = (app: App, client: Json): MapperContainer => ({
  apiPath: app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}`),
  route: `clients/${seg(String(client.id))}/clientScopes/dedicated/mappers`,
  mappers: (client.protocolMappers as Json[] | undefined) ?? [],
  kind: 'client',
});

/** A realm client scope: `#/{realm}/client-scopes/{id}/mappers[/…]`. */
export const scopeMapperContainer = (app: App, scope: Json): MapperContainer => ({
  apiPath: app.api.realmPath(app.realm, `/client-scopes/${seg(String(scope.id))}`),
  route: `client-scopes/${seg(String(scope.id))}/mappers`,
  mappers: (scope.protocolMappers as Json[] | undefined) ?? [],
  kind: 'client scope',
});

const mappersPath = (container: MapperContainer, ...rest: string[]) => [container.route, ...rest.map(seg)].join('/');

/** Shows `path` afresh: navigates there, or re-renders it when it is already the current route (the client is read again). */
function show(app: App, path: string): void {
  if (window.location.hash === app.href(path)) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else app.navigate(path);
}

/** The Mappers tab, or (`rest` = `[typeId, 'new']` / `[mapperId, 'edit']`) one mapper's form. */
export async function mapperList(app: App, content: HTMLElement, container: MapperContainer, rest: string[]): Promise<void> {
  if (rest.length >= 2) return mapperDetails(app, content, container, rest[0]!, rest[1] === 'new');
  const holderPath = container.apiPath;
  const manage = can.manageClients(app);
  const types = mapperTypes(app);
  const typeOf = (id: unknown) => types.find((type) => type.id === id);
  const mappers = [...container.mappers].sort((a, b) => (typeOf(a.protocolMapper)?.priority ?? 0) - (typeOf(b.protocolMapper)?.priority ?? 0) || String(a.name).localeCompare(String(b.name)));
  const addMenu = () => dropdown('Add mapper', [{ label: 'From predefined mappers', onclick: () => predefinedDialog(app, container) }, { label: 'By configuration', onclick: () => configureDialog(app, container) }], { primary: true });
  const remove = async (mapper: Json) => {
    try {
      await app.api.delete(`${holderPath}/protocol-mappers/models/${seg(String(mapper.id))}`);
      alert('success', 'Mapping successfully deleted');
      show(app, mappersPath(container));
    } catch (err) {
      alert('danger', ...failure('Could not delete mapping: ', err));
    }
  };
  const empty = {
    title: 'No mappers',
    message: 'If you want to add mappers, please click the button below to add some predefined mappers or to configure a new mapper.',
    ...(manage
      ? {
          action: h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'primary', onclick: () => predefinedDialog(app, container) }, 'Add predefined mapper'),
            h('button', { type: 'button', class: 'link', onclick: () => configureDialog(app, container) }, 'Configure a new mapper'),
          ),
        }
      : {}),
  };
  replace(
    content,
    h('div', { class: 'toolbar' }, manage && mappers.length > 0 ? addMenu() : null),
    table(
      'Mappers',
      [
        { title: 'Name', cell: (mapper) => h('a', { href: app.href(mappersPath(container, String(mapper.id), 'edit')) }, String(mapper.name)) },
        { title: 'Category', cell: (mapper) => typeOf(mapper.protocolMapper)?.category ?? 'Token mapper' },
        { title: 'Type', cell: (mapper) => typeOf(mapper.protocolMapper)?.name ?? String(mapper.protocolMapper) },
        { title: 'Priority', cell: (mapper) => String(typeOf(mapper.protocolMapper)?.priority ?? 0) },
        { title: 'Actions', cell: (mapper) => (manage ? kebab([{ label: 'Delete', danger: true, onclick: () => void remove(mapper) }]) : '') },
      ],
      mappers,
      empty,
    ),
  );
}

/** "By configuration": every mapper type serverinfo lists, with its help text; choosing one opens its form. */
function configureDialog(app: App, container: MapperContainer): void {
  const { close } = modal(
    'Configure a new mapper',
    [
      h('p', {}, 'Choose any of the mappings from this table'),
      table(
        'Mapper types',
        [
          { title: 'Name', cell: (type) => h('button', { type: 'button', class: 'link', onclick: () => { close(); app.navigate(mappersPath(container, type.id, 'new')); } }, type.name) },
          { title: 'Description', cell: (type) => type.helpText ?? '' },
        ],
        [...mapperTypes(app)].sort((a, b) => a.name.localeCompare(b.name)),
        { title: 'No mapper types', message: 'The server offers no mapper types.' },
      ),
    ],
    (closeDialog) => [h('button', { type: 'button', class: 'link', onclick: closeDialog }, 'Cancel')],
    { large: true },
  );
}

/** "From predefined mappers": serverinfo's built-in mappers the client has no mapper of that name for; added together (`add-models`). */
function predefinedDialog(app: App, container: MapperContainer): void {
  const holderPath = container.apiPath;
  const present = new Set(container.mappers.map((mapper) => String(mapper.name)));
  const candidates = builtinMappers(app).filter((mapper) => !present.has(String(mapper.name)));
  const typeName = (id: unknown) => mapperTypes(app).find((type) => type.id === id)?.name ?? String(id);
  const chosen = new Set<Json>();
  const add = h('button', { type: 'button', class: 'primary', disabled: true }, 'Add');
  const { close } = modal(
    'Add predefined mappers',
    [
      table(
        'Predefined mappers',
        [
          { title: 'Select', cell: (mapper) => h('input', { type: 'checkbox', 'aria-label': `Select ${String(mapper.name)}`, onchange: (event: Event) => { if ((event.target as HTMLInputElement).checked) chosen.add(mapper); else chosen.delete(mapper); add.disabled = chosen.size === 0; } }) },
          { title: 'Name', cell: (mapper) => String(mapper.name) },
          { title: 'Type', cell: (mapper) => typeName(mapper.protocolMapper) },
        ],
        candidates,
        { title: 'No predefined mappers', message: `All built in mappers were added to this ${container.kind}` },
      ),
    ],
    (closeDialog) => [add, h('button', { type: 'button', class: 'link', onclick: closeDialog }, 'Cancel')],
    { large: true },
  );
  add.addEventListener('click', () => {
    close();
    void app.api.post(`${holderPath}/protocol-mappers/add-models`, [...chosen]).then(
      () => {
        alert('success', 'Mapping successfully created');
        show(app, mappersPath(container));
      },
      (err) => alert('danger', ...failure('Could not create mapping: ', err)),
    );
  });
}

/** A form control for one property and how to read its value back (Keycloak's DynamicComponents, by `type`). */
interface Field {
  control: HTMLElement;
  value(): string;
}

async function field(property: ConfigProperty, initial: string, readOnly: boolean, lists: { clients: () => Promise<Json[]>; roles: () => Promise<string[]> }): Promise<Field> {
  const label = property.label ?? property.name;
  switch (property.type) {
    case 'boolean': {
      const input = switchControl(label, initial === 'true', { disabled: readOnly });
      return { control: input, value: () => String(input.checked) };
    }
    case 'List': {
      const options = property.options ?? [];
      const input = select([...(options.includes(initial) || initial === '' ? [] : [initial]), ...options].map((option) => [option, option] as const), initial || options[0] || '', { disabled: readOnly });
      return { control: input, value: () => input.value };
    }
    case 'ClientList': {
      // Keycloak stores the chosen client's clientId.
      const clients = (await lists.clients()).map((c) => String(c.clientId));
      const input = select([['', 'Select a client'], ...[...new Set([...(initial ? [initial] : []), ...clients])].map((id) => [id, id] as const)], initial, { disabled: readOnly });
      return { control: input, value: () => input.value };
    }
    case 'Role': {
      // Free text (`role` or `clientId.role`, as Keycloak stores it), with the realm's roles offered.
      const input = textInput(initial, { readOnly, placeholder: 'role or clientId.role' });
      const listId = nextId('roles');
      input.setAttribute('list', listId);
      const options = h('datalist', { id: listId }, ...(await lists.roles()).map((role) => h('option', { value: role })));
      return { control: h('div', {}, input, options), value: () => input.value.trim() };
    }
    case 'MultivaluedString': {
      // Keycloak keeps several values in one string, joined by `##`.
      const rows = h('div', { class: 'multivalued' });
      const addRow = (value: string) => rows.appendChild(textInput(value, { readOnly, label: `${label} value` }));
      const values = initial === '' ? [''] : initial.split('##');
      values.forEach(addRow);
      const more = h('button', { type: 'button', class: 'link', disabled: readOnly, onclick: () => addRow('') }, 'Add');
      return { control: h('div', {}, rows, more), value: () => [...rows.querySelectorAll('input')].map((input) => input.value.trim()).filter((value) => value !== '').join('##') };
    }
    case 'Text': {
      const input = h('textarea', { rows: 4, readonly: readOnly }, initial);
      return { control: input, value: () => input.value };
    }
    case 'Password': {
      const input = textInput(initial, { type: 'password', readOnly });
      return { control: input, value: () => input.value };
    }
    default: {
      const input = textInput(initial, { readOnly, required: property.required });
      return { control: input, value: () => input.value.trim() };
    }
  }
}

/** Add mapper (a type's form, empty) or a mapper's details (its stored values), one field per property of its type. */
async function mapperDetails(app: App, content: HTMLElement, container: MapperContainer, key: string, isNew: boolean): Promise<void> {
  const holderPath = container.apiPath;
  const existing = isNew ? undefined : container.mappers.find((mapper) => mapper.id === key);
  const typeId = isNew ? key : String(existing?.protocolMapper ?? '');
  const type = mapperTypes(app).find((candidate) => candidate.id === typeId);
  if (!type || (!isNew && !existing)) {
    replace(content, h('div', { class: 'empty-state' }, h('h2', {}, 'Could not find the resource that you are looking for'), h('a', { href: app.href(mappersPath(container)) }, 'Back to mappers')));
    return;
  }
  const readOnly = !can.manageClients(app);
  const stored = Object.assign(Object.create(null) as Record<string, string>, (existing?.config as Record<string, string> | undefined) ?? {});
  let clients: Promise<Json[]> | undefined;
  let roles: Promise<string[]> | undefined;
  const lists = {
    clients: () => (clients ??= app.api.get<Json[]>(app.api.realmPath(app.realm, '/clients?first=0&max=100'))),
    roles: () =>
      (roles ??= app.api.get<Json[]>(app.api.realmPath(app.realm, '/roles?first=0&max=1000')).then((list) => list.map((role) => String(role.name)).sort())),
  };
  const name = textInput(String(existing?.name ?? ''), { required: true, readOnly: readOnly || !isNew });
  const nameError = h('p', { class: 'field-error', role: 'alert', hidden: true }, 'Required field');
  const fields: { property: ConfigProperty; field: Field }[] = [];
  for (const property of type.properties) {
    const initial = Object.hasOwn(stored, property.name) ? stored[property.name]! : isNew && property.defaultValue !== undefined && property.defaultValue !== null ? String(property.defaultValue) : '';
    fields.push({ property, field: await field(property, initial, readOnly || property.readOnly === true, lists) });
  }
  const form = h(
    'form',
    { class: 'section', novalidate: true },
    formGroup('Mapper type', textInput(type.name, { readOnly: true })),
    formGroup('Name', name, 'Name of the mapper', { required: true }),
    nameError,
    ...fields.map(({ property, field: { control } }) => formGroup(property.label ?? property.name, control, property.helpText || undefined, { required: property.required === true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', disabled: readOnly }, 'Save'), h('a', { class: 'button link', href: app.href(mappersPath(container)) }, 'Cancel')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (name.value.trim() === '') {
      nameError.hidden = false;
      name.focus();
      return;
    }
    nameError.hidden = true;
    // Settings the form does not show (a key another tool wrote) are kept as stored.
    const config = Object.assign(Object.create(null) as Record<string, string>, stored);
    for (const { property, field: item } of fields) {
      const value = item.value();
      if (value === '') delete config[property.name];
      else config[property.name] = value;
    }
    const body = { ...(existing ? { id: existing.id } : {}), name: name.value.trim(), protocol: 'openid-connect', protocolMapper: type.id, config };
    const request = existing ? app.api.put(`${holderPath}/protocol-mappers/models/${seg(String(existing.id))}`, body) : app.api.post(`${holderPath}/protocol-mappers/models`, body);
    void request.then(
      () => {
        alert('success', existing ? 'Mapping successfully updated' : 'Mapping successfully created');
        show(app, mappersPath(container));
      },
      (err) => {
        const [title, detail] = failure('', err);
        alert('danger', `${existing ? 'Could not update mapping' : 'Could not create mapping'}: '${title}'`, detail);
      },
    );
  });
  const actions = existing && !readOnly
    ? dropdown('Action', [
        {
          label: 'Delete',
          danger: true,
          onclick: () =>
            confirmDialog({
              title: 'Delete mapping?',
              message: 'Are you sure you want to delete this mapping?',
              confirm: 'Delete',
              danger: true,
              onConfirm: () =>
                app.api.delete(`${holderPath}/protocol-mappers/models/${seg(String(existing.id))}`).then(
                  () => {
                    alert('success', 'Mapping successfully deleted');
                    show(app, mappersPath(container));
                  },
                  (err) => alert('danger', ...failure('Could not delete mapping: ', err)),
                ),
            }),
        },
      ])
    : null;
  replace(content, isNew ? pageHeader('Add mapper', `If you want more fine-grain control, you can create protocol mapper on this ${container.kind}`) : pageHeader(type.name, undefined, actions), form);
}
