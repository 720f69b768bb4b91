/**
 * The client scope form (Keycloak's ScopeForm), for "Create client scope" (`#/{realm}/client-scopes/new`)
 * and a scope's Settings tab. Its Type is not a field of the scope: it is which realm list
 * (`default-default-client-scopes` / `default-optional-client-scopes`) names the scope, the
 * scopes every client created afterwards gets.
 */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, attributesOf, formGroup, h, pageHeader, replace, select, switchControl, textInput } from '../dom.js';

export type RealmScopeType = 'none' | 'default' | 'optional';

const TYPE_PATH = { default: '/default-default-client-scopes', optional: '/default-optional-client-scopes' } as const;

/** The scope's realm type, from the two realm lists (read together). */
export async function realmScopeTypes(app: App): Promise<Map<string, RealmScopeType>> {
  const [defaults, optionals] = await Promise.all([
    app.api.get<Json[]>(app.api.realmPath(app.realm, TYPE_PATH.default)),
    app.api.get<Json[]>(app.api.realmPath(app.realm, TYPE_PATH.optional)),
  ]);
  const types = new Map<string, RealmScopeType>();
  for (const scope of defaults) types.set(String(scope.id), 'default');
  for (const scope of optionals) types.set(String(scope.id), 'optional');
  return types;
}

/** Moves a scope between the realm lists as Keycloak's console does: off the old list, onto the new one. */
export async function changeRealmScopeType(app: App, id: string, from: RealmScopeType, to: RealmScopeType): Promise<void> {
  if (from === to) return;
  if (from !== 'none') await app.api.delete(app.api.realmPath(app.realm, `${TYPE_PATH[from]}/${seg(id)}`));
  if (to !== 'none') await app.api.put(app.api.realmPath(app.realm, `${TYPE_PATH[to]}/${seg(id)}`), undefined);
}

export const TYPE_OPTIONS = [['none', 'None'], ['default', 'Default'], ['optional', 'Optional']] as const;

/** The form; `scope` undefined creates one. Save is "Client scope created" / "Client scope updated". */
export function clientScopeForm(app: App, container: HTMLElement, scope: Json | undefined, type: RealmScopeType, onSaved: (id: string) => void): void {
  const readOnly = !can.manageClients(app);
  const attributes = attributesOf(scope?.attributes);
  const name = textInput(String(scope?.name ?? ''), { required: true, readOnly });
  const nameError = h('p', { class: 'field-error', role: 'alert', hidden: true }, 'Required field');
  name.addEventListener('input', () => (nameError.hidden = name.value.trim() !== ''));
  const description = textInput(String(scope?.description ?? ''), { readOnly });
  // The type is the realm's lists, which only manage-realm may change (RealmAdminResource.addDefaultClientScope).
  const typeSelect = select(TYPE_OPTIONS, type, { disabled: readOnly || !can.manageRealm(app) });
  // Only OpenID Connect is served here (the API refuses SAML), so it is the one protocol offered.
  const protocol = select([['openid-connect', 'OpenID Connect']], 'openid-connect', { disabled: readOnly || scope !== undefined });
  const consent = switchControl('Display on consent screen', attributes['display.on.consent.screen'] !== 'false', { disabled: readOnly });
  const consentText = textInput(attributes['consent.screen.text'] ?? '', { readOnly });
  const consentTextGroup = formGroup('Consent screen text', consentText, 'Text that will be shown on the consent screen when this client scope is added to some client with consent required. Defaults to name of client scope if it is not filled');
  consentTextGroup.hidden = !consent.checked;
  consent.addEventListener('change', () => (consentTextGroup.hidden = !consent.checked));
  const includeInScope = switchControl('Include in token scope', attributes['include.in.token.scope'] !== 'false', { disabled: readOnly });
  const order = textInput(attributes['gui.order'] ?? '', { readOnly, type: 'number' });

  const save = async () => {
    // Keycloak's form turns spaces into underscores: the name is the `scope` parameter's value.
    const scopeName = name.value.trim().replace(/\s/g, '_');
    if (scopeName === '') {
      nameError.hidden = false;
      name.focus();
      return;
    }
    nameError.hidden = true;
    const written = Object.assign(Object.create(null) as Record<string, string>, attributes, {
      'display.on.consent.screen': String(consent.checked),
      'consent.screen.text': consentText.value,
      'include.in.token.scope': String(includeInScope.checked),
      'gui.order': order.value.trim(),
    });
    const body = { ...(scope ?? {}), name: scopeName, description: description.value, protocol: protocol.value, attributes: written };
    const wanted = typeSelect.value as RealmScopeType;
    try {
      let id: string;
      if (scope) {
        id = String(scope.id);
        await app.api.put(app.api.realmPath(app.realm, `/client-scopes/${seg(id)}`), body);
      } else {
        const { location } = await app.api.post(app.api.realmPath(app.realm, '/client-scopes'), body);
        id = decodeURIComponent(location!.slice(location!.lastIndexOf('/') + 1));
      }
      await changeRealmScopeType(app, id, scope ? type : 'none', wanted);
      alert('success', scope ? 'Client scope updated' : 'Client scope created');
      onSaved(id);
    } catch (err) {
      const [title, detail] = failure('', err);
      alert('danger', `${scope ? 'Could not update client scope' : 'Could not create client scope'}: '${title}'`, detail);
    }
  };
  const form = h(
    'form',
    { class: 'section', novalidate: true },
    formGroup('Name', name, 'Name of the client scope. Must be unique in the realm. Name should not contain space characters as it is used as value of scope parameter', { required: true }),
    nameError,
    formGroup('Description', description, 'Description of the client scope'),
    formGroup('Type', typeSelect, 'Client scopes, which will be added as default scopes to each created client. Default: always included; Optional: included only when the client asks for it in the scope parameter; None: added to clients by hand'),
    formGroup('Protocol', protocol, 'Which SSO protocol configuration is being supplied by this client scope'),
    formGroup('Display on consent screen', consent, 'If on, and this client scope is added to some client with consent required, the text specified by \'Consent Screen Text\' will be displayed on consent screen. If off, this client scope will not be displayed on the consent screen'),
    consentTextGroup,
    formGroup('Include in token scope', includeInScope, 'If on, the name of this client scope will be added to the access token property \'scope\' as well as to the Token Introspection Endpoint response. If off, this client scope will be omitted from the token and from the Token Introspection Endpoint response.'),
    formGroup('Display Order', order, 'Specify order of the client scope in GUI (such as in Consent page) as integer.'),
    h(
      'div',
      { class: 'actions' },
      readOnly ? null : h('button', { type: 'submit', class: 'primary' }, 'Save'),
      scope
        ? readOnly ? null : h('button', { type: 'button', class: 'link', onclick: () => clientScopeForm(app, container, scope, type, onSaved) }, 'Revert')
        : h('a', { class: 'button link', href: app.href('client-scopes') }, 'Cancel'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  replace(container, ...(scope ? [] : [pageHeader('Create client scope')]), form);
}
