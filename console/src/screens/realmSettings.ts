/** Realm settings (Keycloak's RealmSettingsTabs): General and Tokens, saved with `PUT /admin/realms/{realm}`, and Keys (realmKeys.ts). */
import type { Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, formGroup, h, pageHeader, replace, select, switchControl, tabs, textInput } from '../dom.js';
import { realmKeysTab } from './realmKeys.js';

export async function realmSettings(app: App, main: HTMLElement, path: string[]): Promise<void> {
  const tab = path[1] === 'tokens' || path[1] === 'keys' ? path[1] : 'general';
  const realmPath = app.api.realmPath(app.realm);
  const realm = await app.api.get<Json>(realmPath);
  const readOnly = !can.manageRealm(app);
  const save = async (changes: Json) => {
    try {
      await app.api.put(realmPath, { ...realm, ...changes });
      alert('success', 'Realm successfully updated');
      void realmSettings(app, main, path);
    } catch (err) {
      alert('danger', ...failure('Realm could not be updated: ', err));
    }
  };
  const body = h('section', { class: 'tab-body' });
  replace(
    main,
    pageHeader(String(realm.realm), 'Realm settings are settings that control the options for users, applications, roles, and groups in the current realm.'),
    tabs('Realm settings', [
      { title: 'General', href: app.href('realm-settings/general'), current: tab === 'general' },
      { title: 'Tokens', href: app.href('realm-settings/tokens'), current: tab === 'tokens' },
      { title: 'Keys', href: app.href('realm-settings/keys'), current: tab === 'keys' },
    ]),
    body,
  );
  const actions = (collect: () => Json) =>
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', disabled: readOnly, onclick: (event: Event) => { event.preventDefault(); void save(collect()); } }, 'Save'), h('button', { type: 'button', class: 'link', disabled: readOnly, onclick: () => void realmSettings(app, main, path) }, 'Revert'));
  if (tab === 'keys') return realmKeysTab(app, body);
  if (tab === 'general') {
    const displayName = textInput(String(realm.displayName ?? ''), { readOnly });
    const discovery = `${window.location.origin}${window.location.pathname.replace(/\/admin\/[^/]+\/console\/?$/, '')}/realms/${encodeURIComponent(String(realm.realm))}/.well-known/openid-configuration`;
    replace(
      body,
      h(
        'form',
        { class: 'section', novalidate: true },
        formGroup('Realm name', textInput(String(realm.realm), { readOnly: true })),
        formGroup('Display name', displayName),
        formGroup('Endpoints', h('a', { href: discovery, target: '_blank', rel: 'noreferrer noopener' }, 'OpenID Endpoint Configuration')),
        actions(() => ({ displayName: displayName.value })),
      ),
    );
    return;
  }
  const algorithm = select(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'].map((alg) => [alg, alg] as const), String(realm.defaultSignatureAlgorithm ?? 'RS256'), { disabled: readOnly });
  const revoke = switchControl('Revoke Refresh Token', realm.revokeRefreshToken === true, { disabled: readOnly, onLabel: 'Enabled', offLabel: 'Disabled' });
  const maxReuse = textInput(String(realm.refreshTokenMaxReuse ?? 0), { type: 'number', readOnly });
  const maxReuseRow = formGroup('Refresh Token Max Reuse', maxReuse, 'Maximum number of times a refresh token can be reused. When a different token is used, revocation is immediate.');
  const syncReuse = () => (maxReuseRow.hidden = !revoke.checked);
  revoke.addEventListener('change', syncReuse);
  syncReuse();
  const lifespan = textInput(String(Math.round(Number(realm.accessTokenLifespan ?? 300) / 60)), { type: 'number', readOnly });
  replace(
    body,
    h(
      'form',
      { novalidate: true },
      h('fieldset', { class: 'section' }, h('legend', {}, 'General'), formGroup('Default Signature Algorithm', algorithm, 'Default algorithm used to sign tokens for the realm')),
      h('fieldset', { class: 'section' }, h('legend', {}, 'Refresh tokens'), formGroup('Revoke Refresh Token', revoke, 'If enabled a refresh token can only be used up to Refresh Token Max Reuse and is revoked when a different token is used. Otherwise, refresh tokens are not revoked when used and can be used multiple times.'), maxReuseRow),
      h('fieldset', { class: 'section' }, h('legend', {}, 'Access tokens'), formGroup('Access Token Lifespan', h('div', { class: 'inline' }, lifespan, h('span', {}, 'minutes')), 'Max time before an access token is expired. This value is recommended to be short relative to the SSO timeout.')),
      actions(() => ({
        defaultSignatureAlgorithm: algorithm.value,
        revokeRefreshToken: revoke.checked,
        refreshTokenMaxReuse: Number(maxReuse.value),
        accessTokenLifespan: Math.max(1, Number(lifespan.value)) * 60,
      })),
    ),
  );
}

/** Create realm (master admins, `whoami.createRealm`): Realm name and Enabled, then `POST /admin/realms`. */
export async function createRealm(app: App, main: HTMLElement): Promise<void> {
  const name = textInput('', { required: true });
  const enabled = switchControl('Enabled', true);
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true }, 'Required field');
  const form = h(
    'form',
    { class: 'section', novalidate: true },
    formGroup('Realm name', name, undefined, { required: true }),
    error,
    formGroup('Enabled', enabled),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create'), h('a', { href: app.href('clients'), class: 'button link' }, 'Cancel')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const realm = name.value.trim();
    if (realm === '') {
      error.hidden = false;
      return;
    }
    void app.api.post('/realms', { realm, enabled: enabled.checked }).then(
      () => {
        alert('success', 'Realm created successfully');
        window.location.hash = `#/${encodeURIComponent(realm)}/clients`;
      },
      (err) => alert('danger', ...failure('Could not create realm: ', err)),
    );
  });
  replace(main, pageHeader('Create realm', 'A realm manages a set of users, credentials, roles, and groups. A user belongs to and logs into a realm. Realms are isolated from one another and can only manage and authenticate the users that they control.'), form);
}
