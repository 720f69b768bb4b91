/**
 * The admin console (console/, functions/console.ts) in a real browser through serverless
 * offline: Debian's Chromium driven by playwright-core, clicking by role and label as a person
 * would. The workflow is the seed text's: a confidential client with a service account, its
 * service account roles, a restricted scope with an audience, then a real client_credentials
 * request outside the browser proves the token carries exactly what the screens set.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { tableNames } from '../../infra/local/tables.js';
import { secretsKeyAlias, signingKeyAliases } from '../../infra/seed.js';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { ensureAdministration } from '../../lib/admin/realmManagement.js';
import { accessibilityViolations, launchBrowser, type Browser } from '../support/browser.js';
import { alertText, heading, signIn } from '../support/consolePage.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const consoleUrl = `${base}/admin/master/console/`;
const IMAGES = join(PROJECT_ROOT, 'docs/images');
const suffix = randomUUID().slice(0, 8);
const admin = { clientId: `console-admin-${suffix}`, secret: randomUUID() };

async function token(realm: string, clientId: string, secret: string) {
  const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; refresh_token?: string } };
}

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;

async function api(method: string, path: string, body?: unknown) {
  const bearer = (await token('master', admin.clientId, admin.secret)).body.access_token!;
  const res = await fetch(`${base}/admin/realms${path}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), body: text === '' ? undefined : (JSON.parse(text) as any) };
}

async function introspect(accessToken: string): Promise<boolean> {
  const res = await fetch(`${base}/realms/master/protocol/openid-connect/token/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: accessToken, client_id: admin.clientId, client_secret: admin.secret }),
  });
  return ((await res.json()) as { active: boolean }).active;
}

describe('the admin console', () => {
  let browser: Browser;
  let page: Page;
  const accessibility: string[] = [];
  const role = `console-role-${suffix}`;
  const clientId = `console-client-${suffix}`;
  let secret = '';
  let consoleToken = '';

  const checkScreen = async (name: string) => {
    accessibility.push(...(await accessibilityViolations(page)).map((violation) => `${name}: ${violation}`));
    await page.screenshot({ path: join(IMAGES, `console-${name}.png`) });
  };

  before(async () => {
    const ctx = createAdminContext({
      names: { stage: 'test', service: 'sa-token-service', clientsTable: tableNames('test').clients, signingKeyAliases: signingKeyAliases('test'), secretsKeyId: secretsKeyAlias('test') },
    });
    await bootstrapAdminService(ctx, admin.clientId, admin.secret);
    // The demo realm was seeded from a file: give it Keycloak's realm-management client (as `sa-admin realm upgrade`).
    await ensureAdministration(ctx, 'demo');
    await mkdir(IMAGES, { recursive: true });
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
  });

  it('serves the page no-store and its hashed assets immutable, under a strict Content-Security-Policy, at both prefixes', async () => {
    for (const prefix of ['', '/auth']) {
      const page = await fetch(`${base}${prefix}/admin/demo/console/`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.match(page.headers.get('content-type')!, /^text\/html/);
      const csp = page.headers.get('content-security-policy')!;
      for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) assert.ok(csp.split('; ').includes(directive), directive);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      const html = await page.text();
      assert.doesNotMatch(html, /<script>|<style|style=/, 'no inline script or style');
      const assets = [...html.matchAll(/(?:src|href)="([^"]*\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      assert.equal(assets.length, 2);
      for (const asset of assets) {
        assert.match(asset, new RegExp(`^${prefix}/admin/demo/console/assets/console-[A-Z0-9]{8}\\.(js|css)$`), 'content-hashed, under this console path');
        const res = await fetch(`${base}${asset}`);
        assert.equal(res.status, 200, asset);
        assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.match(res.headers.get('content-type')!, asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      }
      assert.equal(await (await fetch(`${base}${prefix}/admin/demo/console`)).text(), html, 'the same page without the slash');
      assert.equal((await fetch(`${base}${prefix}/admin/demo/console/assets/..%2F..%2Fserverless.yml`)).status, 404);
      assert.equal((await fetch(`${base}${prefix}/admin/demo/console/assets/missing-AAAAAAAA.js`)).status, 404);
    }
  });

  it("answers Keycloak's whoami for the signed-in client, the temporary flag included", async () => {
    const bearer = (await token('master', admin.clientId, admin.secret)).body.access_token!;
    const res = await fetch(`${base}/admin/master/console/whoami?currentRealm=demo`, { headers: { authorization: `Bearer ${bearer}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { realm: string; createRealm: boolean; temporary: boolean; realm_access: Record<string, string[]> };
    assert.equal(body.realm, 'master');
    assert.equal(body.createRealm, true);
    assert.equal(body.temporary, true);
    assert.ok(body.realm_access.demo!.includes('manage-clients'));
    assert.equal((await fetch(`${base}/admin/master/console/whoami`)).status, 401);
  });

  it("refuses a wrong secret with the token endpoint's message, then signs in and shows the clients", async (t) => {
    await page.goto(consoleUrl);
    await page.getByRole('heading', { name: 'Sign in to the Administration Console' }).waitFor();
    // Reported, not asserted (tests count operations, not time): from navigation start to the first screen.
    t.diagnostic(`first screen after ${Math.round(await page.evaluate<number>('performance.now()'))} ms`);
    await checkScreen('sign-in');
    await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(admin.clientId);
    await page.getByRole('textbox', { name: 'Client secret', exact: true }).fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid client or Invalid client credentials' }).waitFor();
    consoleToken = await signIn(page, consoleUrl, admin.clientId, admin.secret);
    await heading(page, 'Clients');
    await page.getByText('You are logged in as a temporary admin user.').waitFor();
    // The bootstrap client is flagged in the list, as Keycloak flags is_temporary_admin.
    await page.getByRole('img', { name: /Temporary admin service account/ }).first().waitFor();
    await checkScreen('clients');
  });

  it('creates a realm role in the demo realm', async () => {
    await page.getByRole('combobox', { name: 'Select realm' }).selectOption('demo');
    // The demo realm's own clients: the screen now shows that realm.
    await page.getByRole('link', { name: 'product-sa-client', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Realm roles' }).click();
    await heading(page, 'Realm roles');
    await checkScreen('realm-roles');
    await page.getByRole('link', { name: 'Create role' }).click();
    await page.getByRole('textbox', { name: 'Role name', exact: true }).fill(role);
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, 'Role created');
    await heading(page, role);
  });

  it('creates a client with Client authentication on and Service account roles ticked', async () => {
    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.getByRole('link', { name: 'Create client' }).click();
    await heading(page, 'Create client');
    await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(clientId);
    await page.getByRole('button', { name: 'Next' }).click();
    const authentication = page.getByRole('switch', { name: 'Client authentication' });
    if (!(await authentication.isChecked())) await authentication.check();
    const serviceAccounts = page.getByRole('checkbox', { name: 'Service account roles' });
    if (!(await serviceAccounts.isChecked())) await serviceAccounts.check();
    await page.getByRole('checkbox', { name: 'Standard flow' }).uncheck();
    await checkScreen('create-client');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, 'Client created successfully');
    await heading(page, clientId);
    await checkScreen('client-settings');
    const created = (await api('GET', `/demo/clients?clientId=${clientId}`)).body[0];
    assert.equal(created.publicClient, false);
    assert.equal(created.serviceAccountsEnabled, true);
    assert.equal(created.standardFlowEnabled, false);
  });

  it("shows Keycloak's alert for a duplicate client ID (409)", async () => {
    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.getByRole('link', { name: 'Create client' }).click();
    await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(clientId);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, `Could not create client: 'Client ${clientId} already exists'`);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('searchbox', { name: 'Search for client' }).fill(clientId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: clientId, exact: true }).click();
    await heading(page, clientId);
  });

  it('reads the secret on Credentials and assigns a realm role and a client role in Service account roles', async () => {
    await page.getByRole('tab', { name: 'Credentials' }).click();
    await page.getByRole('button', { name: 'Show secret' }).click();
    secret = await page.getByRole('textbox', { name: 'Client Secret', exact: true }).inputValue();
    assert.ok(secret.length >= 16);
    await checkScreen('credentials');

    await page.getByRole('tab', { name: 'Service account roles' }).click();
    await page.getByText(`service-account-${clientId}`).waitFor();
    await page.getByRole('button', { name: /Assign role/ }).click();
    await page.getByRole('menuitem', { name: 'Realm roles' }).click();
    const realmDialog = page.getByRole('dialog', { name: `Assign realm roles to service-account-${clientId}` });
    await realmDialog.getByRole('checkbox', { name: `Select ${role}` }).check();
    await realmDialog.getByRole('button', { name: 'Assign' }).click();
    await alertText(page, 'Role mapping updated');
    await page.getByRole('table', { name: 'Role list' }).getByText(role).waitFor();

    await page.getByRole('button', { name: /Assign role/ }).click();
    await page.getByRole('menuitem', { name: 'Client roles' }).click();
    const clientDialog = page.getByRole('dialog', { name: `Assign client roles to service-account-${clientId}` });
    await clientDialog.getByRole('checkbox', { name: 'Select product-api read' }).check();
    await clientDialog.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('table', { name: 'Role list' }).getByText('product-api').waitFor();
    await checkScreen('service-account-roles');
    const granted = claims((await token('demo', clientId, secret)).body.access_token!);
    assert.ok(granted.realm_access.roles.includes(role));
    assert.deepEqual(granted.resource_access['product-api'], { roles: ['read'] });
  });

  it('restricts the dedicated scope to one role and adds an Audience mapper: the token then carries exactly that role and audience', async () => {
    await page.getByRole('tab', { name: 'Client scopes' }).click();
    await page.getByRole('link', { name: `${clientId}-dedicated` }).click();
    await page.getByRole('tab', { name: 'Scope', exact: true }).click();
    await page.getByRole('switch', { name: 'Full scope allowed' }).uncheck();
    await alertText(page, 'Scope mapping updated');
    await page.getByRole('button', { name: /Assign role/ }).click();
    await page.getByRole('menuitem', { name: 'Realm roles' }).click();
    const dialog = page.getByRole('dialog', { name: `Assign realm roles to ${clientId}` });
    await dialog.getByRole('checkbox', { name: `Select ${role}` }).check();
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('table', { name: 'Role list' }).getByText(role).waitFor();
    await checkScreen('dedicated-scope');

    // Mappers › By configuration: the Audience form is drawn from serverinfo's description of the type.
    await page.getByRole('tab', { name: 'Mappers' }).click();
    await page.getByRole('button', { name: 'Configure a new mapper' }).click();
    await page.getByRole('dialog', { name: 'Configure a new mapper' }).getByRole('button', { name: 'Audience', exact: true }).click();
    await heading(page, 'Add mapper');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('console audience');
    await page.getByRole('combobox', { name: 'Included Client Audience' }).waitFor();
    await page.getByRole('textbox', { name: 'Included Custom Audience', exact: true }).fill(`aud-${suffix}`);
    // Keycloak's defaults for a new audience mapper: access token on, ID token off.
    assert.equal(await page.getByRole('switch', { name: 'Add to access token', exact: true }).isChecked(), true);
    assert.equal(await page.getByRole('switch', { name: 'Add to ID token', exact: true }).isChecked(), false);
    await checkScreen('add-mapper');
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, 'Mapping successfully created');
    await page.getByRole('table', { name: 'Mappers' }).getByRole('link', { name: 'console audience' }).waitFor();

    // Mappers › From predefined mappers: the built-in "upn" mapper, added as it is.
    await page.getByRole('button', { name: /Add mapper/ }).click();
    await page.getByRole('menuitem', { name: 'From predefined mappers' }).click();
    const predefined = page.getByRole('dialog', { name: 'Add predefined mappers' });
    await predefined.getByRole('checkbox', { name: 'Select upn', exact: true }).check();
    await checkScreen('predefined-mappers');
    await predefined.getByRole('button', { name: 'Add', exact: true }).click();
    await alertText(page, 'Mapping successfully created');
    await page.getByRole('table', { name: 'Mappers' }).getByRole('link', { name: 'upn', exact: true }).waitFor();
    await checkScreen('mappers');

    // A mapper opens in the same form, with its stored values; a refused save shows Keycloak's alert and keeps the form.
    await page.getByRole('table', { name: 'Mappers' }).getByRole('link', { name: 'console audience' }).click();
    await heading(page, 'Audience');
    assert.equal(await page.getByRole('textbox', { name: 'Included Custom Audience', exact: true }).inputValue(), `aud-${suffix}`);
    assert.notEqual(await page.getByRole('textbox', { name: 'Name', exact: true }).getAttribute('readonly'), null);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: /Add mapper/ }).click();
    await page.getByRole('menuitem', { name: 'By configuration' }).click();
    await page.getByRole('dialog', { name: 'Configure a new mapper' }).getByRole('button', { name: 'Hardcoded claim', exact: true }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('no claim name');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('list', { name: 'Alerts' }).getByText(/^Could not create mapping: '.*claim\.name.* is required'$/).first().waitFor();
    await heading(page, 'Add mapper');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('table', { name: 'Mappers' }).waitFor();

    // Client scopes › Evaluate: the two mappers among the effective ones, exactly the mapped role, and the token.
    await page.getByRole('tab', { name: 'Client scopes', exact: true }).click();
    await page.getByRole('tab', { name: 'Evaluate' }).click();
    const effective = page.getByRole('table', { name: 'Effective protocol mappers' });
    for (const name of ['console audience', 'upn']) {
      await effective.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) }).getByRole('cell', { name: `${clientId}-dedicated`, exact: true }).waitFor();
    }
    await checkScreen('evaluate');
    await page.getByRole('tab', { name: 'Effective role scope mappings' }).click();
    const scopeRoles = page.getByRole('table', { name: 'Effective role scope mappings' });
    await scopeRoles.waitFor();
    const grantedRows = await scopeRoles.getByRole('row').all();
    const grantedRoles = await Promise.all(grantedRows.slice(1).map((row) => row.getByRole('cell').first().textContent()));
    assert.deepEqual(grantedRoles, [role]);
    await checkScreen('evaluate-roles');
    await page.getByRole('tab', { name: 'Generated access token' }).click();
    const generated = page.getByRole('tabpanel', { name: 'Generated access token' }).getByLabel('Generated access token', { exact: true });
    await generated.filter({ hasText: `aud-${suffix}` }).waitFor();
    const evaluated = JSON.parse((await generated.textContent())!) as Record<string, any>;
    assert.deepEqual(evaluated.realm_access, { roles: [role] });
    assert.deepEqual([evaluated.aud].flat(), [`aud-${suffix}`]);
    assert.equal(evaluated.upn, `service-account-${clientId}`);
    await checkScreen('evaluate-token');

    // Outside the browser: the seed request with the copied secret.
    const granted = claims((await token('demo', clientId, secret)).body.access_token!);
    assert.deepEqual(granted.realm_access, { roles: [role] });
    assert.equal(granted.resource_access, undefined);
    assert.deepEqual([granted.aud].flat(), [`aud-${suffix}`]);
    assert.equal(granted.upn, `service-account-${clientId}`);
  });

  it('regenerates the secret after the confirmation: the old one fails, the new one works', async () => {
    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.getByRole('link', { name: clientId, exact: true }).click();
    await page.getByRole('tab', { name: 'Credentials' }).click();
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await page.getByRole('dialog', { name: 'Regenerate secret for this client?' }).getByRole('button', { name: 'Yes' }).click();
    await alertText(page, 'Client secret regenerated');
    await page.getByRole('button', { name: 'Show secret' }).click();
    // Polled from here: a string predicate evaluated in the page is what the page's CSP forbids (no eval).
    let regenerated = secret;
    for (let i = 0; i < 100 && regenerated === secret; i++) {
      regenerated = await page.getByRole('textbox', { name: 'Client Secret', exact: true }).inputValue();
      if (regenerated === secret) await page.waitForTimeout(100);
    }
    assert.notEqual(regenerated, secret);
    assert.equal((await token('demo', clientId, secret)).status, 401);
    assert.equal((await token('demo', clientId, regenerated)).status, 200);
  });

  it('asks to sign in again when the token stops working, and keeps the form being edited', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('textbox', { name: 'Description', exact: true }).fill('kept across sign-in');
    // The token ends outside the page (RFC 7009 revocation), as expiry would end it.
    await fetch(`${base}/realms/master/protocol/openid-connect/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: consoleToken, client_id: admin.clientId, client_secret: admin.secret }),
    });
    await page.getByRole('button', { name: 'Save' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in again' });
    await dialog.getByRole('textbox', { name: 'Client secret', exact: true }).fill(admin.secret);
    const response = page.waitForResponse((r) => r.url().endsWith('/protocol/openid-connect/token'));
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    consoleToken = ((await (await response).json()) as { access_token: string }).access_token;
    await alertText(page, 'Client successfully updated');
    assert.equal((await api('GET', `/demo/clients?clientId=${clientId}`)).body[0].description, 'kept across sign-in');
  });

  it('keeps the token out of every browser storage', async () => {
    const stored = await page.evaluate('({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie })');
    assert.deepEqual(stored, { local: 0, session: 0, cookie: '' });
    assert.deepEqual(await browser.context.cookies(), []);
  });

  it('shows Realm settings › Tokens and the Sessions revocation', async () => {
    await page.getByRole('link', { name: 'Realm settings' }).click();
    await page.getByRole('tab', { name: 'Tokens' }).click();
    await page.getByRole('combobox', { name: 'Default Signature Algorithm' }).waitFor();
    await checkScreen('realm-settings-tokens');
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('button', { name: /Action/ }).click();
    await page.getByRole('menuitem', { name: 'Revocation' }).click();
    await page.getByRole('dialog', { name: 'Revocation' }).getByRole('textbox', { name: 'Not Before', exact: true }).waitFor();
    await checkScreen('revocation');
    await page.getByRole('dialog', { name: 'Revocation' }).getByRole('button', { name: 'Cancel' }).click();
  });

  it('completes the create-client wizard with the keyboard alone', async () => {
    const keyboardClient = `console-keys-${suffix}`;
    await page.goto(`${consoleUrl}#/demo/clients`);
    await page.reload();
    // A reload forgets the token: the console asks again.
    consoleToken = await signIn(page, `${consoleUrl}#/demo/clients`, admin.clientId, admin.secret);
    await heading(page, 'Clients');
    const tabTo = async (test: () => Promise<boolean>) => {
      for (let i = 0; i < 60 && !(await test()); i++) await page.keyboard.press('Tab');
      assert.ok(await test(), 'reached by Tab');
    };
    const focused = () => page.evaluate<string>('document.activeElement?.textContent ?? ""');
    await tabTo(async () => (await focused()) === 'Create client');
    await page.keyboard.press('Enter');
    await heading(page, 'Create client');
    await tabTo(() =>
      page.evaluate<boolean>(`(() => {
        const active = document.activeElement;
        return active?.tagName === 'INPUT' && !!document.querySelector('label[for="' + active.id + '"]')?.textContent?.startsWith('Client ID');
      })()`),
    );
    await page.keyboard.type(keyboardClient);
    await page.keyboard.press('Enter');
    await tabTo(async () => (await focused()) === 'Next');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await alertText(page, 'Client created successfully');
    await heading(page, keyboardClient);
  });

  it('creates a group, adds the service account as a member and maps a role to the group', async () => {
    const group = `console-group-${suffix}`;
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await heading(page, 'Groups');
    await page.getByRole('button', { name: 'Create group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a group' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(group);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await alertText(page, 'Group created');
    await page.getByRole('link', { name: group, exact: true }).click();
    await heading(page, group);
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByRole('button', { name: 'Add member' }).click();
    const add = page.getByRole('dialog', { name: 'Add member' });
    await add.getByRole('checkbox', { name: `Select service-account-${clientId}` }).check();
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    await alertText(page, '1 user(s) added to the group');
    await page.getByRole('table', { name: 'Members' }).getByText(`service-account-${clientId}`).waitFor();
    await page.getByRole('tab', { name: 'Role mapping' }).click();
    await page.getByRole('button', { name: /Assign role/ }).click();
    await page.getByRole('menuitem', { name: 'Realm roles' }).click();
    const assign = page.getByRole('dialog', { name: `Assign realm roles to ${group}` });
    await assign.getByRole('checkbox', { name: 'Select user' }).check();
    await assign.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('table', { name: 'Role list' }).getByText('user', { exact: true }).waitFor();
    await checkScreen('groups');
    const created = (await api('GET', `/demo/groups?search=${group}&exact=true`)).body[0];
    assert.equal(created.name, group);
    assert.deepEqual((await api('GET', `/demo/groups/${created.id}/role-mappings/realm`)).body.map((r: { name: string }) => r.name), ['user']);
  });

  it('signs out by revoking the token: introspection then says inactive', async () => {
    assert.equal(await introspect(consoleToken), true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the Administration Console' }).waitFor();
    assert.equal(await introspect(consoleToken), false);
  });

  it('lets a realm-only admin see only its realm, and a view-clients client nothing to change', async () => {
    const realmAdmin = `realm-admin-${suffix}`;
    const viewer = `viewer-${suffix}`;
    for (const [id, roleName] of [[realmAdmin, 'realm-admin'], [viewer, 'view-clients']] as const) {
      const made = await api('POST', '/demo/clients', { clientId: id, publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false, secret: `${id}-secret` });
      assert.equal(made.status, 201);
      const uuid = made.location!.slice(made.location!.lastIndexOf('/') + 1);
      const user = (await api('GET', `/demo/clients/${uuid}/service-account-user`)).body;
      const management = (await api('GET', '/demo/clients?clientId=realm-management')).body[0];
      const roleRep = (await api('GET', `/demo/clients/${management.id}/roles/${roleName}`)).body;
      assert.equal((await api('POST', `/demo/users/${user.id}/role-mappings/clients/${management.id}`, [roleRep])).status, 204);
    }
    const demoConsole = `${base}/admin/demo/console/`;
    await signIn(page, demoConsole, realmAdmin, `${realmAdmin}-secret`);
    await heading(page, 'Clients');
    const realms = await page.getByRole('combobox', { name: 'Select realm' }).locator('option').allTextContents();
    assert.deepEqual(realms, ['Demo (demo)'], 'the demo realm only, by its display name');
    assert.ok(await page.getByRole('link', { name: 'Create client' }).isVisible());
    await page.getByRole('button', { name: 'Sign out' }).click();

    const viewerToken = await signIn(page, demoConsole, viewer, `${viewer}-secret`);
    await heading(page, 'Clients');
    assert.equal(await page.getByRole('link', { name: 'Create client' }).count(), 0);
    await page.getByRole('searchbox', { name: 'Search for client' }).fill(clientId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: clientId, exact: true }).click();
    await heading(page, clientId);
    assert.ok(await page.getByRole('button', { name: 'Save' }).isDisabled());
    assert.ok(await page.getByRole('textbox', { name: 'Client ID', exact: true }).getAttribute('readonly') !== null);
    await page.getByRole('button', { name: /Action/ }).click();
    assert.equal(await page.getByRole('menuitem', { name: 'Delete' }).count(), 0);
    // Hiding is not the guard: the API refuses the write the screen does not offer.
    const forged = await fetch(`${base}/admin/realms/demo/clients`, { method: 'POST', headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ clientId: `forged-${suffix}` }) });
    assert.equal(forged.status, 403);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('logged no console error and no CSP violation, and axe found no serious or critical violation', () => {
    // Chromium logs every failed fetch; the 401s (wrong secret, revoked token), the 409 and the 400 (a mapper without its claim name) are the ones this run provokes.
    const provoked = /^console: Failed to load resource: the server responded with a status of (400|401|409) /;
    assert.deepEqual({ problems: browser.problems.filter((problem) => !provoked.test(problem)), accessibility }, { problems: [], accessibility: [] });
  });
});
