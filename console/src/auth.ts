/**
 * Signing in without user accounts: the admin client's ID and secret, exchanged by
 * `client_credentials` at the login realm's token endpoint (Keycloak 26's bootstrap "temporary
 * admin service account" works the same way). The access token lives in this object only: never
 * in localStorage, sessionStorage or a cookie, so a reload asks again. The secret is kept in
 * memory too, only to revoke the token on "Sign out" (RFC 7009 §2.1: the client authenticates);
 * it is never used to renew a token: an expired token asks the person again.
 */
import { errorOf, type ConsoleLocation } from './api.js';
import { alert, h, modal, textInput, formGroup } from './dom.js';

interface Credentials {
  clientId: string;
  secret: string;
}

/** Seconds before `expires_in` at which the token counts as expired, so no call starts with a token about to lapse. */
const EXPIRY_MARGIN_SECONDS = 5;

export class Auth {
  private accessToken?: string;
  private expiresAt = 0;
  private credentials?: Credentials;
  private pending?: Promise<string>;

  constructor(private readonly location: ConsoleLocation) {}

  get clientId(): string | undefined {
    return this.credentials?.clientId;
  }

  private endpoint(name: 'token' | 'revoke'): string {
    return `${this.location.prefix}/realms/${encodeURIComponent(this.location.loginRealm)}/protocol/openid-connect/${name}`;
  }

  /** Exchanges the credentials for a token; throws the endpoint's error (Keycloak's message) on failure. */
  async signIn(clientId: string, secret: string): Promise<void> {
    const response = await fetch(this.endpoint('token'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
      cache: 'no-store',
      credentials: 'omit',
    });
    if (!response.ok) throw await errorOf(response);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    this.accessToken = body.access_token;
    this.expiresAt = Date.now() + (body.expires_in - EXPIRY_MARGIN_SECONDS) * 1000;
    this.credentials = { clientId, secret };
  }

  /** A token for the next call: the current one, or, once it expired, the one the person signs in for again. */
  token(): Promise<string> {
    if (this.accessToken && Date.now() < this.expiresAt) return Promise.resolve(this.accessToken);
    this.pending ??= this.askAgain().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The server refused `token` (expired, revoked, not-before): forget it. */
  expired(token: string): void {
    if (this.accessToken === token) {
      this.accessToken = undefined;
      this.expiresAt = 0;
    }
  }

  /** "Sign out": revoke the token at the login realm, forget everything, and show the sign-in page. */
  async signOut(): Promise<void> {
    const token = this.accessToken;
    const credentials = this.credentials;
    this.accessToken = undefined;
    this.credentials = undefined;
    this.expiresAt = 0;
    if (token && credentials) {
      await fetch(this.endpoint('revoke'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: credentials.clientId, client_secret: credentials.secret }),
        credentials: 'omit',
      }).catch(() => undefined);
    }
  }

  /** A modal over the current screen, so a half-filled form survives the new sign-in. */
  private askAgain(): Promise<string> {
    return new Promise((resolve) => {
      const form = signInForm(this, this.credentials?.clientId ?? '', () => {
        close();
        resolve(this.accessToken!);
      });
      const { close, dialog } = modal('Sign in again', [h('p', {}, 'Your session has expired. Sign in again to continue; nothing on this page is lost.'), form], () => []);
      // The person must sign in: Escape does not dismiss this one.
      dialog.addEventListener('cancel', (event) => event.stopImmediatePropagation(), { capture: true });
      dialog.querySelector<HTMLInputElement>('input[type=password]')?.focus();
    });
  }
}

/** The sign-in form: Client ID, Client secret, "Sign in"; a failure shows the token endpoint's own message. */
export function signInForm(auth: Auth, clientId: string, signedIn: () => void): HTMLFormElement {
  const id = textInput(clientId, { required: true });
  id.autocomplete = 'username';
  const secret = textInput('', { type: 'password', required: true });
  secret.autocomplete = 'current-password';
  const error = h('div', { class: 'inline-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'sign-in', novalidate: true }, formGroup('Client ID', id, undefined, { required: true }), formGroup('Client secret', secret, undefined, { required: true }), error, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (id.value.trim() === '' || secret.value === '') {
      error.textContent = 'Required field';
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    auth
      .signIn(id.value.trim(), secret.value)
      .then(() => {
        secret.value = '';
        signedIn();
      })
      .catch((err: Error & { description?: string }) => {
        // Keycloak's login page shows the description ("Invalid client or Invalid client credentials").
        error.textContent = err.description ?? err.message;
        error.hidden = false;
        if (err instanceof TypeError) alert('danger', 'Could not reach the server');
      })
      .finally(() => (submit.disabled = false));
  });
  return form;
}
