/**
 * The console's client › Sessions tab and Realm settings › Keys in a real browser through
 * serverless offline, clicking by role and label: a refresh-enabled client's session is listed
 * and "Sign out" ends it (its refresh token then fails); the Keys list shows the JWKS's active kid,
 * and rotating makes a new active key. A client with view rights only sees neither action.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { stageNames } from '../../lib/deployment/stageNames.js';
import { accessibilityViolations, launchBrowser, type Browser } from '../support/browser.js';
import { alertText, heading, signIn } from '../support/consolePage.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const IMAGES = join(PROJECT_ROOT, 'docs/images');
const suffix = randomUUID().slice(0, 8);
const admin = { clientId: `console-sessions-admin-${suffix}`, secret: randomUUID() };
// Made through the Admin API, so its keys are KMS-generated key pairs the API may rotate.
const realm = `console-keys-${suffix}`;
const worker = { clientId: `refreshing-${suffix}`, secret: `worker-${suffix}` };
const viewer = { clientId: `viewer-${suffix}`, secret: `viewer-${suffix}` };

async function form(path: string, params: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const grant = (realmName: string, client: { clientId: string; secret: string }) =>
  form(`/realms/${realmName}/protocol/openid-connect/token`, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret });

async function api(method: string, path: string, body?: unknown) {
  const bearer = (await grant('master', admin)).body.access_token as string;
  const res = await fetch(`${base}/admin/realms${path}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), body: text === '' ? undefined : (JSON.parse(text) as any) };
}

const jwksKids = async () => ((await (await fetch(`${base}/realms/${realm}/protocol/openid-connect/certs`)).json()) as { keys: { kid: string; alg: string }[] }).keys;

/** The kid in the Keys list's row of the active key of `alg`. */
async function activeKid(page: Page, alg: string): Promise<string> {
  const row = page.getByRole('table', { name: 'Keys list' }).getByRole('row').filter({ hasText: alg }).filter({ hasText: 'ACTIVE' });
  assert.equal(await row.count(), 1);
  // The third column, Kid.
  return (await row.getByRole('cell').nth(2).textContent())!;
}

describe('the console: client sessions and realm keys', () => {
  let browser: Browser;
  let page: Page;
  let workerUuid = '';
  const accessibility: string[] = [];

  const checkScreen = async (name: string) => {
    accessibility.push(...(await accessibilityViolations(page)).map((violation) => `${name}: ${violation}`));
    await page.screenshot({ path: join(IMAGES, `console-${name}.png`) });
  };

  before(async () => {
    await bootstrapAdminService(createAdminContext({ names: stageNames('test') }), admin.clientId, admin.secret);
    assert.equal((await api('POST', '', { realm, enabled: true })).status, 201);
    for (const client of [worker, viewer]) {
      const made = await api('POST', `/${realm}/clients`, { clientId: client.clientId, secret: client.secret, publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false });
      assert.equal(made.status, 201);
      if (client === worker) workerUuid = made.location!.slice(made.location!.lastIndexOf('/') + 1);
    }
    // The viewer may look at clients and the realm, and change nothing.
    const management = (await api('GET', `/${realm}/clients?clientId=realm-management`)).body[0];
    const viewerUuid = (await api('GET', `/${realm}/clients?clientId=${viewer.clientId}`)).body[0].id;
    const viewerUser = (await api('GET', `/${realm}/clients/${viewerUuid}/service-account-user`)).body;
    const roles = await Promise.all(['view-clients', 'view-realm'].map(async (name) => (await api('GET', `/${realm}/clients/${management.id}/roles/${name}`)).body));
    assert.equal((await api('POST', `/${realm}/users/${viewerUser.id}/role-mappings/clients/${management.id}`, roles)).status, 204);
    await mkdir(IMAGES, { recursive: true });
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
  });

  it('turns on refresh tokens for client credentials on Advanced; Sessions then lists the session a grant started', async () => {
    await signIn(page, `${base}/admin/master/console/#/${realm}/clients/${workerUuid}/sessions`, admin.clientId, admin.secret);
    await heading(page, worker.clientId);
    await page.getByRole('heading', { name: 'No sessions' }).waitFor();
    await page.getByText('"Use refresh tokens for client credentials grant" is on').waitFor();

    await page.getByRole('tab', { name: 'Advanced' }).click();
    await page.getByRole('switch', { name: 'Use refresh tokens for client credentials grant' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, 'Client successfully updated');

    const granted = await grant(realm, worker);
    assert.equal(granted.status, 200);
    assert.ok(granted.body.refresh_token, 'a refresh token comes with client_credentials now');
    await page.getByRole('tab', { name: 'Sessions' }).click();
    const sessions = page.getByRole('table', { name: 'Sessions' });
    await sessions.getByText(`service-account-${worker.clientId}`).waitFor();
    await sessions.getByText(`Session ID ${granted.body.session_state}`).waitFor();
    for (const column of ['User', 'Type', 'Started', 'Last access', 'IP address']) await sessions.getByRole('columnheader', { name: column, exact: true }).waitFor();
    await checkScreen('client-sessions');

    // "Sign out" ends it: the list empties, and the refresh token is refused.
    await sessions.getByRole('button', { name: 'Kebab toggle' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'No sessions' }).waitFor();
    await page.getByText('There are currently no active sessions for this client.', { exact: true }).waitFor();
    const refused = await form(`/realms/${realm}/protocol/openid-connect/token`, { grant_type: 'refresh_token', refresh_token: granted.body.refresh_token, client_id: worker.clientId, client_secret: worker.secret });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
  });

  it("lists the realm's keys with the JWKS's active kid, shows a public key, and rotates to a new active key", async () => {
    await page.getByRole('link', { name: 'Realm settings' }).click();
    await page.getByRole('tab', { name: 'Keys' }).click();
    await page.getByRole('table', { name: 'Keys list' }).waitFor();
    const before = await activeKid(page, 'RS256');
    const published = await jwksKids();
    assert.ok(published.some((key) => key.kid === before && key.alg === 'RS256'), 'the active RS256 key is the one the JWKS publishes');
    const signedWith = JSON.parse(Buffer.from(((await grant(realm, viewer)).body.access_token as string).split('.')[0]!, 'base64url').toString()) as { kid: string };
    assert.equal(signedWith.kid, before);
    await checkScreen('realm-keys');

    await page.getByRole('button', { name: `Public key ${before}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Public key' });
    await dialog.getByText('-----BEGIN PUBLIC KEY-----').waitFor();
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await page.getByRole('dialog', { name: 'Rotate keys?' }).getByRole('button', { name: 'Rotate' }).click();
    await alertText(page, 'The keys have been rotated');
    await page.getByRole('table', { name: 'Keys list' }).getByRole('row').filter({ hasText: before }).filter({ hasText: 'PASSIVE' }).waitFor();
    const after = await activeKid(page, 'RS256');
    assert.notEqual(after, before);
    const kids = (await jwksKids()).map((key) => key.kid);
    assert.ok(kids.includes(after) && kids.includes(before), 'both published: the old key still verifies what it signed');

    await page.getByRole('combobox', { name: 'Filter by status' }).selectOption('PASSIVE');
    assert.equal(await page.getByRole('table', { name: 'Keys list' }).getByText('ACTIVE', { exact: true }).count(), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('shows a client with view rights only the lists, without Sign out or Rotate keys', async () => {
    await grant(realm, worker);
    await signIn(page, `${base}/admin/${realm}/console/#/${realm}/clients/${workerUuid}/sessions`, viewer.clientId, viewer.secret);
    const sessions = page.getByRole('table', { name: 'Sessions' });
    await sessions.getByText(`service-account-${worker.clientId}`).waitFor();
    assert.equal(await sessions.getByRole('button', { name: 'Kebab toggle' }).count(), 0);
    await page.getByRole('link', { name: 'Realm settings' }).click();
    await page.getByRole('tab', { name: 'Keys' }).click();
    await page.getByRole('table', { name: 'Keys list' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Rotate keys' }).count(), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('logged no console error and no CSP violation, and axe found no serious or critical violation', () => {
    assert.deepEqual({ problems: browser.problems, accessibility }, { problems: [], accessibility: [] });
  });
});
