/**
 * Sessions (Keycloak's SessionsSection): here the realm's revocation tool, Action › Revocation
 * (the realm's not-before: tokens issued before it are refused). The product keeps no browser
 * sessions; a client's refresh sessions are listed, and signed out, on its own Sessions tab (clientSessions.ts).
 */
import type { Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, dropdown, formGroup, h, modal, pageHeader, replace, textInput } from '../dom.js';

export async function sessions(app: App, main: HTMLElement): Promise<void> {
  const realmPath = app.api.realmPath(app.realm);
  const realm = await app.api.get<Json>(realmPath);
  const setNotBefore = async (notBefore: number, message: string) => {
    try {
      await app.api.put(realmPath, { ...realm, notBefore });
      alert('success', message);
      void sessions(app, main);
    } catch (err) {
      alert('danger', ...failure('Realm could not be updated: ', err));
    }
  };
  const revocation = () => {
    const notBefore = Number(realm.notBefore ?? 0);
    modal(
      'Revocation',
      [
        h('p', {}, 'This is a way to revoke all active sessions and access tokens. Not before means you can revoke any tokens issued before the date.'),
        formGroup('Not Before', textInput(notBefore > 0 ? new Date(notBefore * 1000).toLocaleString() : 'None', { readOnly: true })),
      ],
      (close) => [
        h('button', { type: 'button', class: 'primary', onclick: () => { close(); void setNotBefore(Math.floor(Date.now() / 1000), 'Success! "Not before" set for realm'); } }, 'Set to now'),
        h('button', { type: 'button', class: 'secondary', onclick: () => { close(); void setNotBefore(0, 'Success! "Not Before" cleared for realm.'); } }, 'Clear'),
        h('button', { type: 'button', class: 'link', onclick: close }, 'Cancel'),
      ],
    );
  };
  replace(
    main,
    pageHeader('Sessions', 'Sessions are sessions of users in this realm and the clients that they access within the session.', can.manageRealm(app) ? dropdown('Action', [{ label: 'Revocation', onclick: revocation }]) : null),
    // Only a client's own sessions are listed (the sessions table is indexed by client): say where they are.
    h('div', { class: 'empty-state' }, h('h2', {}, 'No sessions'), h('p', {}, 'There are currently no active sessions in this realm.'), h('p', {}, "A client's refresh-token sessions are on the client's Sessions tab.")),
  );
}
