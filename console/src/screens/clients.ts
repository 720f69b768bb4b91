/** Clients list, Create client wizard and Import client (Keycloak's clients/ClientsSection, add/NewClientForm, import/ImportForm). */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, formGroup, h, kebab, pageHeader, replace, select, switchControl, switchView, table, tabs, textInput } from '../dom.js';

export const CLIENTS_SUBTITLE = 'Clients are applications and services that can request authentication of a user.';
const PAGE_SIZE = 10;

/** Exports a client as Keycloak's console does: the representation without ids, downloaded as `{clientId}.json`. */
export function exportClient(client: Json): void {
  const { id: _id, ...rest } = client;
  const mappers = Array.isArray(rest.protocolMappers) ? (rest.protocolMappers as Json[]).map(({ id: _m, ...mapper }) => mapper) : undefined;
  const blob = new Blob([JSON.stringify({ ...rest, ...(mappers ? { protocolMappers: mappers } : {}) }, null, 2)], { type: 'application/json' });
  const link = h('a', { href: URL.createObjectURL(blob), download: `${String(client.clientId)}.json` });
  link.click();
  URL.revokeObjectURL(link.href);
}

export function deleteClient(app: App, client: Json, then: () => void): void {
  confirmDialog({
    title: `Delete ${String(client.clientId)} ?`,
    message: 'If you delete this client, all associated data will be removed.',
    confirm: 'Delete',
    danger: true,
    onConfirm: async () => {
      try {
        await app.api.delete(app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}`));
        alert('success', 'The client has been deleted');
        then();
      } catch (err) {
        alert('danger', ...failure('Could not delete client: ', err));
      }
    },
  });
}

/** One page of the clients list (one more than shown, to know whether a next page exists). */
export const clientsPage = (realmPath: string, first: number, search: string) =>
  `${realmPath}/clients?first=${first}&max=${PAGE_SIZE + 1}${search ? `&clientId=${encodeURIComponent(search)}&search=true` : ''}`;

export async function clientsList(app: App, main: HTMLElement): Promise<void> {
  let first = 0;
  let search = '';
  const results = h('div', { class: 'results' });
  const searchInput = h('input', { type: 'search', placeholder: 'Search for client', 'aria-label': 'Search for client' });
  const load = async () => {
    const clients = await app.api.get<Json[]>(clientsPage(app.api.realmPath(app.realm), first, search));
    const rows = clients.slice(0, PAGE_SIZE);
    const manage = can.manageClients(app);
    const pager = h(
      'div',
      { class: 'pager', role: 'navigation', 'aria-label': 'Pagination' },
      h('span', {}, rows.length === 0 ? '0 - 0' : `${first + 1} - ${first + rows.length}`),
      h('button', { type: 'button', class: 'plain', 'aria-label': 'Go to previous page', disabled: first === 0, onclick: () => { first -= PAGE_SIZE; void load(); } }, '‹'),
      h('button', { type: 'button', class: 'plain', 'aria-label': 'Go to next page', disabled: clients.length <= PAGE_SIZE, onclick: () => { first += PAGE_SIZE; void load(); } }, '›'),
    );
    replace(
      results,
      pager,
      table(
        'Clients',
        [
          {
            title: 'Client ID',
            cell: (client) => [
              h('a', { href: app.href(`clients/${seg(String(client.id))}/settings`) }, String(client.clientId)),
              client.enabled === false ? h('span', { class: 'badge' }, 'Disabled') : null,
              (client.attributes as Json | undefined)?.is_temporary_admin === 'true'
                ? h('span', { class: 'warning-icon', role: 'img', 'aria-label': 'Temporary admin service account. Ensure it is replaced with a permanent admin service account as soon as possible.', title: 'Temporary admin service account. Ensure it is replaced with a permanent admin service account as soon as possible.' }, '⚠')
                : null,
            ],
          },
          { title: 'Name', cell: (client) => String(client.name ?? '') },
          { title: 'Type', cell: () => 'OpenID Connect' },
          { title: 'Description', cell: (client) => String(client.description ?? '') },
          { title: 'Home URL', cell: (client) => (typeof client.baseUrl === 'string' && /^https?:\/\//.test(client.baseUrl) ? h('a', { href: client.baseUrl, rel: 'noreferrer noopener', target: '_blank' }, client.baseUrl) : '—') },
          {
            title: 'Actions',
            cell: (client) =>
              kebab([
                { label: 'Export', onclick: () => exportClient(client) },
                ...(manage && (client.attributes as Json | undefined)?.realm_client !== 'true' ? [{ label: 'Delete', danger: true, onclick: () => deleteClient(app, client, () => void load()) }] : []),
              ]),
          },
        ],
        rows,
        search ? { title: 'No search results', message: 'Click on the search bar above to search again' } : { title: 'No clients', message: 'There are no clients in this realm.' },
      ),
    );
  };
  const toolbar = h(
    'form',
    { class: 'toolbar', role: 'search', onsubmit: (event: Event) => { event.preventDefault(); search = searchInput.value.trim(); first = 0; void load(); } },
    searchInput,
    h('button', { type: 'submit', class: 'secondary' }, 'Search'),
    can.manageClients(app) ? h('a', { href: app.href('clients/add-client'), class: 'button primary' }, 'Create client') : null,
    can.manageClients(app) ? h('a', { href: app.href('clients/import-client'), class: 'button link' }, 'Import client') : null,
  );
  replace(main, pageHeader('Clients', CLIENTS_SUBTITLE), tabs('Clients', [{ title: 'Clients list', href: app.href('clients'), current: true }]), toolbar, results);
  await load();
}

/** The capability config of the wizard and of Settings: Client authentication and the authentication flows. */
export function capabilityConfig(client: Json, readOnly: boolean): { view: HTMLElement; apply: (target: Json) => void } {
  const confidential = switchControl('Client authentication', client.publicClient !== true, { disabled: readOnly });
  const authorization = switchControl('Authorization', false, { disabled: true });
  const check = (label: string, checked: boolean, help: string) => {
    const input = h('input', { type: 'checkbox', checked, disabled: readOnly });
    return { input, view: h('label', { class: 'checkbox', title: help }, input, ` ${label}`) };
  };
  const standard = check('Standard flow', client.standardFlowEnabled === true, 'This enables standard OpenID Connect redirect based authentication with authorization code.');
  const direct = check('Direct access grants', client.directAccessGrantsEnabled === true, 'This enables support for Direct Access Grants.');
  const implicit = check('Implicit flow', client.implicitFlowEnabled === true, 'This enables support for OpenID Connect redirect based authentication without authorization code.');
  const serviceAccounts = check(
    'Service account roles',
    client.serviceAccountsEnabled === true,
    'Allows you to authenticate this client to Keycloak and retrieve access token dedicated to this client. In terms of OAuth2 specification, this enables support of Client Credentials Grant for this client.',
  );
  // Keycloak: a public client has no service account; switching authentication off clears it.
  const sync = () => {
    serviceAccounts.input.disabled = readOnly || !confidential.checked;
    if (!confidential.checked) serviceAccounts.input.checked = false;
  };
  confidential.addEventListener('change', sync);
  sync();
  const view = h(
    'fieldset',
    { class: 'section' },
    h('legend', {}, 'Capability config'),
    formGroup('Client authentication', confidential, 'This defines the type of the OIDC client. When it is ON, the OIDC type is set to confidential access type. When it is OFF, it is set to public access type.'),
    formGroup('Authorization', authorization, 'Authorization services are not supported by this service.'),
    h(
      'div',
      { class: 'form-group' },
      h('div', { class: 'form-label' }, h('span', { id: 'authentication-flow' }, 'Authentication flow')),
      h('div', { class: 'form-control checkboxes', role: 'group', 'aria-labelledby': 'authentication-flow' }, standard.view, direct.view, implicit.view, serviceAccounts.view),
    ),
  );
  return {
    view,
    apply: (target) => {
      target.publicClient = !confidential.checked;
      target.standardFlowEnabled = standard.input.checked;
      target.directAccessGrantsEnabled = direct.input.checked;
      target.implicitFlowEnabled = implicit.input.checked;
      target.serviceAccountsEnabled = serviceAccounts.input.checked;
    },
  };
}

/** Create client: General settings → Capability config → Login settings, then `POST clients`. */
export async function createClient(app: App, main: HTMLElement): Promise<void> {
  // §8 of the console reference: preset for a service account (Keycloak itself starts public with standard flow on).
  const draft: Json = { protocol: 'openid-connect', publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false, directAccessGrantsEnabled: false, implicitFlowEnabled: false, frontchannelLogout: true };
  const type = select([['openid-connect', 'OpenID Connect']], 'openid-connect');
  const clientId = textInput('', { required: true });
  const name = textInput('');
  const description = textInput('', { maxLength: 255 });
  const capability = capabilityConfig(draft, false);
  const rootUrl = textInput('', { type: 'url' });
  const homeUrl = textInput('', { type: 'url' });
  const clientIdError = h('p', { class: 'field-error', role: 'alert', hidden: true }, 'Required field');
  const steps = [
    { title: 'General settings', view: h('fieldset', { class: 'section' }, h('legend', {}, 'General settings'), formGroup('Client type', type, "'OpenID Connect' allows Clients to verify the identity of the End-User based on the authentication performed by an Authorization Server."), formGroup('Client ID', clientId, 'The client identifier registered with the identity provider.', { required: true }), clientIdError, formGroup('Name', name, 'Specifies display name of the client.'), formGroup('Description', description, 'Specifies description of the client.')) },
    { title: 'Capability config', view: capability.view },
    { title: 'Login settings', view: h('fieldset', { class: 'section' }, h('legend', {}, 'Login settings'), formGroup('Root URL', rootUrl, 'Root URL appended to relative URLs'), formGroup('Home URL', homeUrl, 'Default URL to use when the auth server needs to redirect or link back to the client.')) },
  ];
  let step = 0;
  let saving = false;
  const body = h('div', { class: 'wizard-body' });
  const nav = h('nav', { class: 'wizard-nav', 'aria-label': 'Create client steps' });
  const back = h('button', { type: 'button', class: 'secondary' }, 'Back');
  const next = h('button', { type: 'submit', class: 'primary' }, 'Next');
  const show = () => {
    replace(nav, h('ol', {}, ...steps.map((s, i) => h('li', { 'aria-current': i === step ? 'step' : undefined, class: i === step ? 'current' : undefined }, s.title))));
    replace(body, steps[step]!.view);
    back.disabled = step === 0;
    next.textContent = step === steps.length - 1 ? 'Save' : 'Next';
  };
  back.addEventListener('click', () => {
    step -= 1;
    show();
  });
  const form = h('form', { class: 'wizard', novalidate: true }, nav, body, h('div', { class: 'actions' }, back, next, h('a', { href: app.href('clients'), class: 'button link' }, 'Cancel')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (step === 0 && clientId.value.trim() === '') {
      clientIdError.hidden = false;
      clientId.setAttribute('aria-invalid', 'true');
      clientId.focus();
      return;
    }
    clientIdError.hidden = true;
    clientId.removeAttribute('aria-invalid');
    if (step < steps.length - 1) {
      step += 1;
      show();
      (body.querySelector('input:not([disabled]), select') as HTMLElement | null)?.focus();
      return;
    }
    if (saving) return; // Keycloak ignores double clicks on Save
    saving = true;
    const client: Json = { ...draft, clientId: clientId.value.trim(), name: name.value, description: description.value, rootUrl: rootUrl.value, baseUrl: homeUrl.value };
    capability.apply(client);
    void app.api
      .post(app.api.realmPath(app.realm, '/clients'), client)
      .then(({ location }) => {
        alert('success', 'Client created successfully');
        app.navigate(`clients/${seg(decodeURIComponent(location!.slice(location!.lastIndexOf('/') + 1)))}/settings`);
      })
      .catch((err) => {
        const [title, detail] = failure('', err);
        alert('danger', `Could not create client: '${title}'`, detail);
      })
      .finally(() => (saving = false));
  });
  replace(main, pageHeader('Create client', CLIENTS_SUBTITLE), form);
  show();
  void switchView; // the capability view embeds its switches
}

/** Import client: a Keycloak client JSON (file or pasted), then `POST clients`. XML is not supported here. */
export async function importClient(app: App, main: HTMLElement): Promise<void> {
  const file = h('input', { type: 'file', accept: '.json,application/json' });
  const text = h('textarea', { rows: 14, 'aria-label': 'Resource file' });
  file.addEventListener('change', () => void file.files?.[0]?.text().then((content) => (text.value = content)));
  const form = h(
    'form',
    { class: 'section', novalidate: true },
    formGroup('Resource file', file, 'Upload a JSON file'),
    text,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), h('a', { href: app.href('clients'), class: 'button link' }, 'Cancel')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let client: unknown;
    try {
      client = JSON.parse(text.value);
    } catch (err) {
      alert('danger', `Could not parse the file ${(err as Error).message}`);
      return;
    }
    void app.api
      .post(app.api.realmPath(app.realm, '/clients'), client)
      .then(({ location }) => {
        alert('success', 'Client imported successfully');
        app.navigate(`clients/${seg(decodeURIComponent(location!.slice(location!.lastIndexOf('/') + 1)))}/settings`);
      })
      .catch((err) => alert('danger', ...failure('Could not import client: ', err)));
  });
  replace(main, pageHeader('Import client', CLIENTS_SUBTITLE), form);
}
