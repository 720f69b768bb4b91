/** Client scopes list (Keycloak's ClientScopesSection): name, protocol, display order, description; delete. */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, confirmDialog, h, kebab, pageHeader, replace, table } from '../dom.js';

export async function clientScopesList(app: App, main: HTMLElement): Promise<void> {
  const scopes = await app.api.get<Json[]>(app.api.realmPath(app.realm, '/client-scopes'));
  const manage = can.manageClients(app);
  const remove = (scope: Json) =>
    scopes.length === 1
      ? alert('danger', 'You are not allowed to delete all the client scopes.')
      : confirmDialog({
          title: `Delete client scope ${String(scope.name)}`,
          message: 'Are you sure you want to delete this client scope?',
          confirm: 'Delete',
          danger: true,
          onConfirm: async () => {
            try {
              await app.api.delete(app.api.realmPath(app.realm, `/client-scopes/${seg(String(scope.id))}`));
              alert('success', 'The client scope has been deleted');
              void clientScopesList(app, main);
            } catch (err) {
              alert('danger', ...failure('Could not delete client scope: ', err));
            }
          },
        });
  replace(
    main,
    pageHeader('Client scopes', 'Client scopes are a common set of protocol mappers and roles that are shared between multiple clients.'),
    table(
      'Client scopes',
      [
        { title: 'Name', cell: (scope) => String(scope.name) },
        { title: 'Protocol', cell: (scope) => (scope.protocol === 'saml' ? 'SAML' : 'OpenID Connect') },
        { title: 'Display order', cell: (scope) => String((scope.attributes as Json | undefined)?.['gui.order'] ?? '') },
        { title: 'Description', cell: (scope) => String(scope.description ?? '') },
        { title: 'Actions', cell: (scope) => (manage ? kebab([{ label: 'Delete', danger: true, onclick: () => remove(scope) }]) : '') },
      ],
      [...scopes].sort((a, b) => String(a.name).localeCompare(String(b.name))),
      { title: 'No client scopes', message: 'There are no client scopes in this realm.' },
    ),
  );
}
