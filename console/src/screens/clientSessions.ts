/**
 * Client › Sessions (Keycloak's ClientSessions over SessionsTable): the client's stored sessions,
 * which exist only while "Use refresh tokens for client credentials grant" is on (one per token
 * response with a refresh token). Row action "Sign out" ends one: `DELETE sessions/{id}`, as
 * Keycloak's row action does, without a confirmation; the list then reloads.
 */
import { seg, type Json } from '../api.js';
import { can, failure, type App } from '../app.js';
import { alert, h, kebab, replace, spinner, table } from '../dom.js';

const PAGE_SIZE = 10;

interface UserSession {
  id: string;
  username: string;
  ipAddress: string;
  start: number;
  lastAccess: number;
  transientUser?: boolean;
}

const formatDate = (ms: number) => new Date(ms).toLocaleString();

export async function clientSessionsTab(app: App, body: HTMLElement, client: Json): Promise<void> {
  const base = app.api.realmPath(app.realm, `/clients/${seg(String(client.id))}`);
  const refreshTokensOn = (client.attributes as Json | undefined)?.['client_credentials.use_refresh_token'] === 'true';
  const signOut = can.manageUsers(app);
  let first = 0;
  const results = h('div', { class: 'results' }, spinner());

  const load = async (): Promise<void> => {
    const [sessions, { count }] = await Promise.all([
      app.api.get<UserSession[]>(`${base}/user-sessions?first=${first}&max=${PAGE_SIZE}`),
      app.api.get<{ count: number }>(`${base}/session-count`),
    ]);
    if (sessions.length === 0 && first > 0) {
      // The last session of a later page was signed out: show the page before it.
      first = Math.max(0, first - PAGE_SIZE);
      return load();
    }
    const end = async (session: UserSession) => {
      try {
        await app.api.delete(app.api.realmPath(app.realm, `/sessions/${seg(session.id)}?isOffline=false`));
        await load();
      } catch (err) {
        alert('danger', ...failure('Could not sign out the session: ', err));
      }
    };
    const refresh = h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, 'Refresh');
    const pager = h(
      'div',
      { class: 'pager', role: 'navigation', 'aria-label': 'Pagination' },
      h('span', {}, sessions.length === 0 ? '0 - 0' : `${first + 1} - ${first + sessions.length} of ${count}`),
      h('button', { type: 'button', class: 'plain', 'aria-label': 'Go to previous page', disabled: first === 0, onclick: () => { first -= PAGE_SIZE; void load(); } }, '‹'),
      h('button', { type: 'button', class: 'plain', 'aria-label': 'Go to next page', disabled: first + sessions.length >= count, onclick: () => { first += PAGE_SIZE; void load(); } }, '›'),
    );
    replace(
      results,
      sessions.length > 0 ? h('div', { class: 'toolbar' }, refresh, pager) : null,
      table<UserSession>(
        'Sessions',
        [
          { title: 'User', cell: (s) => [h('span', {}, s.username), h('br'), h('small', { class: 'muted' }, `Session ID ${s.id}`)] },
          { title: 'Type', cell: () => 'REGULAR' },
          { title: 'Started', cell: (s) => formatDate(s.start) },
          { title: 'Last access', cell: (s) => formatDate(s.lastAccess) },
          { title: 'IP address', cell: (s) => s.ipAddress },
          ...(signOut ? [{ title: 'Actions', cell: (s: UserSession) => kebab([{ label: 'Sign out', onclick: () => void end(s) }]) }] : []),
        ],
        sessions,
        {
          title: 'No sessions',
          message: refreshTokensOn
            ? 'There are currently no active sessions for this client.'
            : 'There are currently no active sessions for this client. A client_credentials grant keeps a session only when "Use refresh tokens for client credentials grant" is on (Advanced).',
          action: refresh,
        },
      ),
    );
  };

  replace(body, results);
  await load();
}
