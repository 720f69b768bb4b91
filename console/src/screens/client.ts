/** Client details (Keycloak's ClientDetails): header with Enabled and Action, and its routed tabs. */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, dropdown, formGroup, h, pageHeader, replace, select, switchControl, switchView, tabs, textInput } from '../dom.js';
import { clientRolesTab } from './roles.js';
import { clientScopesTab } from './clientScopesTab.js';
import { clientSessionsTab } from './clientSessions.js';
import { capabilityConfig, deleteClient, exportClient } from './clients.js';
import { roleMapping } from './roleMapping.js';

interface ClientScreen {
  app: App;
  client: Json;
  path: string;
  /** `PUT clients/{id}` with the stored representation merged with the form, then reload. */
  save(changes: Json, messages?: { success: string; failure: string }): Promise<void>;
  reload(): void;
}

const AUTHENTICATORS = [
  ['client-secret', 'Client Id and Secret'],
  ['client-jwt', 'Signed JWT'],
  ['client-secret-jwt', 'Signed JWT with Client Secret'],
] as const;

export async function clientDetails(app: App, main: HTMLElement, path: string[]): Promise<void> {
  const id = path[1]!;
  const tab = path[2] ?? 'settings';
  const clientPath = app.api.realmPath(app.realm, `/clients/${seg(id)}`);
  const client = await app.api.get<Json>(clientPath).catch((err: { status?: number }) => {
    if (err.status === 404) throw new Error('Could not find the resource that you are looking for');
    throw err;
  });
  const manage = can.manageClients(app);
  const screen: ClientScreen = {
    app,
    client,
    path: clientPath,
    reload: () => void clientDetails(app, main, path),
    save: async (changes, messages = { success: 'Client successfully updated', failure: 'Client could not be updated: ' }) => {
      try {
        await app.api.put(clientPath, { ...client, ...changes });
        alert('success', messages.success);
        screen.reload();
      } catch (err) {
        alert('danger', ...failure(messages.failure, err));
      }
    },
  };
  const enabled = switchControl('Enabled', client.enabled !== false, { disabled: !manage, onLabel: 'Enabled', offLabel: 'Disabled' });
  enabled.addEventListener('change', () => {
    if (enabled.checked) return void screen.save({ enabled: true });
    enabled.checked = true;
    confirmDialog({ title: 'Disable client?', message: 'Are you sure you want to disable this client?', confirm: 'Disable', onConfirm: () => screen.save({ enabled: false }) });
  });
  const action = dropdown('Action', [
    { label: 'Export', onclick: () => exportClient(client) },
    ...(manage ? [{ label: 'Delete', danger: true, onclick: () => deleteClient(app, client, () => app.navigate('clients')) }] : []),
  ]);
  const base = `clients/${seg(id)}`;
  const isPublic = client.publicClient === true;
  const tabList = [
    { key: 'settings', title: 'Settings', shown: true },
    { key: 'keys', title: 'Keys', shown: !isPublic && client.clientAuthenticatorType === 'client-jwt' },
    { key: 'credentials', title: 'Credentials', shown: !isPublic },
    { key: 'roles', title: 'Roles', shown: true },
    { key: 'clientScopes', title: 'Client scopes', shown: can.viewClients(app) },
    { key: 'serviceAccount', title: 'Service account roles', shown: client.serviceAccountsEnabled === true && can.viewUsers(app) },
    { key: 'sessions', title: 'Sessions', shown: client.bearerOnly !== true && can.viewClients(app) },
    { key: 'advanced', title: 'Advanced', shown: true },
  ].filter((item) => item.shown);
  const body = h('section', { class: 'tab-body' });
  replace(
    main,
    pageHeader(String(client.clientId), undefined, h('span', { class: 'badge' }, 'OpenID Connect'), h('span', { class: 'inline-switch' }, switchView(enabled)), action),
    tabs('Client details', tabList.map((item) => ({ title: item.title, href: app.href(`${base}/${item.key}`), current: item.key === tab }))),
    body,
  );
  switch (tab) {
    case 'keys':
      return keysTab(screen, body);
    case 'credentials':
      return credentialsTab(screen, body);
    case 'roles':
      return clientRolesTab(app, body, client);
    case 'clientScopes':
      return clientScopesTab(app, body, client, path.slice(3));
    case 'serviceAccount':
      return serviceAccountTab(app, body, client);
    case 'sessions':
      return clientSessionsTab(app, body, client);
    case 'advanced':
      return advancedTab(screen, body);
    default:
      return settingsTab(screen, body);
  }
}

function saveBar(onSave: () => void, onRevert: () => void, disabled: boolean): HTMLElement {
  return h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', disabled, onclick: (event: Event) => { event.preventDefault(); onSave(); } }, 'Save'), h('button', { type: 'button', class: 'link', disabled, onclick: onRevert }, 'Revert'));
}

/** Settings: General settings and Capability config; the browser-login sections do not apply to client credentials. */
function settingsTab(screen: ClientScreen, body: HTMLElement): void {
  const { client } = screen;
  const readOnly = !can.manageClients(screen.app);
  const clientId = textInput(String(client.clientId), { required: true, readOnly });
  const name = textInput(String(client.name ?? ''), { readOnly });
  const description = textInput(String(client.description ?? ''), { readOnly, maxLength: 255 });
  const capability = capabilityConfig(client, readOnly);
  const form = h(
    'form',
    { novalidate: true },
    h(
      'fieldset',
      { class: 'section' },
      h('legend', {}, 'General settings'),
      formGroup('Client ID', clientId, 'The client identifier registered with the identity provider.', { required: true }),
      formGroup('Name', name, 'Specifies display name of the client.'),
      formGroup('Description', description, 'Specifies description of the client.'),
    ),
    capability.view,
    saveBar(
      () => {
        const changes: Json = { clientId: clientId.value.trim(), name: name.value, description: description.value };
        capability.apply(changes);
        void screen.save(changes);
      },
      screen.reload,
      readOnly,
    ),
  );
  replace(body, form);
}

function credentialsTab(screen: ClientScreen, body: HTMLElement): Promise<void> {
  const { app, client } = screen;
  const readOnly = !can.manageClients(app);
  const attributes = { ...((client.attributes as Record<string, string> | undefined) ?? {}) };
  const current = String(client.clientAuthenticatorType ?? 'client-secret');
  const authenticator = select(AUTHENTICATORS, current, { disabled: readOnly });
  const algorithm = select(
    [['', 'Any algorithm'], ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512'].map((alg) => [alg, alg] as const)],
    attributes['token.endpoint.auth.signing.alg'] ?? '',
    { disabled: readOnly },
  );
  const maxExp = textInput(attributes['token.endpoint.auth.signing.max.exp'] ?? '60', { type: 'number', readOnly });
  const jwtFields = h(
    'div',
    {},
    formGroup('Signature algorithm', algorithm, 'JWA algorithm, which client needs to use when signing a JWT for authentication. If left blank, the client is allowed to use any algorithm.'),
    formGroup('Max expiration', maxExp, 'Maximum allowed expiration of a JWT in seconds.'),
  );
  const showJwt = () => (jwtFields.hidden = authenticator.value === 'client-secret');
  authenticator.addEventListener('change', showJwt);
  showJwt();
  const save = () => {
    const changes: Json = { clientAuthenticatorType: authenticator.value, attributes: { ...attributes, 'token.endpoint.auth.signing.alg': algorithm.value, 'token.endpoint.auth.signing.max.exp': maxExp.value } };
    if (authenticator.value === current) return void screen.save(changes);
    const label = AUTHENTICATORS.find(([value]) => value === authenticator.value)![1];
    confirmDialog({
      title: `Change to ${label}?`,
      message: `If you change authenticator to ${label}, the database will be updated and you may need to download a new adapter configuration for this client.`,
      confirm: 'Yes',
      cancel: 'No',
      onConfirm: () => screen.save(changes),
    });
  };
  const form = h('form', { class: 'section', novalidate: true }, formGroup('Client Authenticator', authenticator, 'Client Authenticator used for authentication of this client against Keycloak server'), jwtFields, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', disabled: readOnly, onclick: (event: Event) => { event.preventDefault(); save(); } }, 'Save')));
  replace(body, form);
  // Reading the secret needs manage-clients here (lib/adminApi/rights.ts): a viewer sees the setting, not the secret.
  if (current === 'client-jwt' || readOnly) return Promise.resolve();
  return app.api.get<{ value?: string }>(`${screen.path}/client-secret`).then((secret) => {
    const value = textInput(secret.value ?? '', { type: 'password', readOnly: true, label: 'Client Secret' });
    const show = h('button', { type: 'button', class: 'plain', 'aria-label': 'Show secret', 'aria-pressed': 'false' }, '👁');
    show.addEventListener('click', () => {
      const visible = value.type === 'password';
      value.type = visible ? 'text' : 'password';
      show.setAttribute('aria-pressed', String(visible));
    });
    const copy = h('button', { type: 'button', class: 'plain', 'aria-label': 'Copy to clipboard' }, '⧉');
    copy.addEventListener('click', () =>
      void navigator.clipboard.writeText(value.value).then(
        () => alert('success', 'Copied to clipboard'),
        () => alert('danger', 'Could not copy to clipboard'),
      ),
    );
    const regenerate = h('button', { type: 'button', class: 'secondary', disabled: readOnly }, 'Regenerate');
    regenerate.addEventListener('click', () =>
      confirmDialog({
        title: 'Regenerate secret for this client?',
        message: 'If you regenerate the secret, the database will be updated and you will need to download a new adapter for this client.',
        confirm: 'Yes',
        cancel: 'No',
        onConfirm: async () => {
          try {
            await app.api.post(`${screen.path}/client-secret`);
            alert('success', 'Client secret regenerated');
            screen.reload();
          } catch (err) {
            alert('danger', ...failure('Could not regenerate client secret due to: ', err));
          }
        },
      }),
    );
    body.appendChild(h('div', { class: 'section' }, formGroup('Client Secret', h('div', { class: 'secret' }, value, show, copy, regenerate))));
  });
}

/** Keys: where a `client-jwt` client's public keys come from (a JWKS URL, or a JWKS kept with the client). */
function keysTab(screen: ClientScreen, body: HTMLElement): void {
  const readOnly = !can.manageClients(screen.app);
  const attributes = { ...((screen.client.attributes as Record<string, string> | undefined) ?? {}) };
  const useUrl = switchControl('Use JWKS URL', attributes['use.jwks.url'] === 'true', { disabled: readOnly });
  const url = textInput(attributes['jwks.url'] ?? '', { type: 'url', readOnly });
  const jwks = h('textarea', { rows: 8, readonly: readOnly }, attributes['jwks.string'] ?? '');
  const urlRow = formGroup('JWKS URL', url, 'URL where client keys in JWK format are stored.');
  const jwksRow = formGroup('JWKS', jwks, 'The client\'s public keys as a JSON Web Key Set, used when "Use JWKS URL" is off.');
  const sync = () => {
    urlRow.hidden = !useUrl.checked;
    jwksRow.hidden = useUrl.checked;
  };
  useUrl.addEventListener('change', sync);
  sync();
  const save = () =>
    screen.save({
      attributes: { ...attributes, 'use.jwks.url': String(useUrl.checked), 'jwks.url': url.value, 'use.jwks.string': String(!useUrl.checked && jwks.value.trim() !== ''), 'jwks.string': jwks.value },
    });
  replace(
    body,
    h(
      'form',
      { class: 'section', novalidate: true },
      h('h2', {}, 'JWKS URL configs'),
      h('p', {}, 'If the switch is on, the client keys are downloaded from the JWKS URL and downloaded again when a token arrives signed with an unknown key.'),
      formGroup('Use JWKS URL', useUrl),
      urlRow,
      jwksRow,
      saveBar(() => void save(), screen.reload, readOnly),
    ),
  );
}

async function serviceAccountTab(app: App, body: HTMLElement, client: Json): Promise<void> {
  const user = await app.api.get<Json>(app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}/service-account-user`));
  replace(body, h('p', { class: 'info' }, 'To manage detail and group mappings, click on the username ', h('strong', {}, String(user.username))));
  const table = h('div', {});
  body.appendChild(table);
  await roleMapping(app, table, { base: app.api.realmPath(app.realm, `/users/${seg(String(user.id))}/role-mappings`), holder: String(user.username), type: 'users', readOnly: !can.manageUsers(app) && !can.manageClients(app) });
}

/** Advanced: the token settings a service account uses (Keycloak's AdvancedTab sections). */
function advancedTab(screen: ClientScreen, body: HTMLElement): void {
  const readOnly = !can.manageClients(screen.app);
  const attributes = { ...((screen.client.attributes as Record<string, string> | undefined) ?? {}) };
  const signature = select([['', 'Choose...'], ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'].map((alg) => [alg, alg] as const)], attributes['access.token.signed.response.alg'] ?? '', { disabled: readOnly });
  const refresh = switchControl('Use refresh tokens for client credentials grant', attributes['client_credentials.use_refresh_token'] === 'true', { disabled: readOnly });
  const lightweight = switchControl('Always use lightweight access token', attributes['client.use.lightweight.access.token.enabled'] === 'true', { disabled: readOnly });
  const lifespanSeconds = Number(attributes['access.token.lifespan'] ?? '');
  const inherits = !(lifespanSeconds > 0);
  const lifespanMode = select([['inherit', 'Inherits from realm settings'], ['expires', 'Expires in']], inherits ? 'inherit' : 'expires', { disabled: readOnly, 'aria-label': 'Access Token Lifespan' });
  const lifespanMinutes = textInput(inherits ? '' : String(Math.round(lifespanSeconds / 60)), { type: 'number', readOnly, label: 'Access Token Lifespan in minutes' });
  const syncLifespan = () => (lifespanMinutes.hidden = lifespanMode.value === 'inherit');
  lifespanMode.addEventListener('change', syncLifespan);
  syncLifespan();
  const save = () =>
    screen.save({
      attributes: {
        ...attributes,
        'access.token.signed.response.alg': signature.value,
        'client_credentials.use_refresh_token': String(refresh.checked),
        'client.use.lightweight.access.token.enabled': String(lightweight.checked),
        'access.token.lifespan': lifespanMode.value === 'inherit' ? '' : String(Math.max(1, Number(lifespanMinutes.value)) * 60),
      },
    });
  replace(
    body,
    h(
      'form',
      { novalidate: true },
      h('fieldset', { class: 'section' }, h('legend', {}, 'Fine grain OpenID Connect configuration'), formGroup('Access token signature algorithm', signature, 'JWA algorithm used for signing access tokens.')),
      h(
        'fieldset',
        { class: 'section' },
        h('legend', {}, 'OpenID Connect Compatibility Modes'),
        formGroup('Use refresh tokens for client credentials grant', refresh, 'If this is on, a refresh_token will be created and added to the token response if the client_credentials grant is used. The OAuth 2.0 RFC6749 Section 4.4.3 states that a refresh_token should not be generated when client_credentials grant is used. If this is off then no refresh_token will be generated and the associated user session will be removed.'),
      ),
      h(
        'fieldset',
        { class: 'section' },
        h('legend', {}, 'Advanced settings'),
        formGroup('Access Token Lifespan', h('div', { class: 'inline' }, lifespanMode, lifespanMinutes, h('span', {}, 'minutes')), 'Max time before an access token is expired. This value is recommended to be short relative to the SSO timeout.'),
        formGroup('Always use lightweight access token', lightweight, 'If enabled, the lightweight access token is always used. If disabled, it is used only when a client policy executor turns it on.'),
      ),
      saveBar(() => void save(), screen.reload, readOnly),
    ),
  );
}
