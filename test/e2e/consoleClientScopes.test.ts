/**
 * The console's realm client scopes and group attributes in a real browser through serverless
 * offline, clicking by role and label: Create client scope (type Default), a mapper by
 * configuration on it, a realm role in its Scope tab; a client created afterwards gets the scope
 * and its token, from the token endpoint, carries the mapper's claim. A group attribute survives a
 * reload. A client with view-clients only sees no Create/Save and the API refuses its forged write.
 * Also counts the requests of the first screen (sign-in form, then the Clients list) and prints
 * how long they took, for docs/console.md (time is reported, never asserted).
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
const admin = { clientId: `console-scopes-admin-${suffix}`, secret: randomUUID() };
const realm = `console-scopes-${suffix}`;
const viewer = { clientId: `scope-viewer-${suffix}`, secret: `viewer-${suffix}` };
const later = { clientId: `later-${suffix}`, secret: `later-${suffix}` };
const scopeName = `audit-${suffix}`;

async function form(path: string, params: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const grant = (realmName: string, client: { clientId: string; secret: string }) =>
  form(`/realms/${realmName}/protocol/openid-connect/token`, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret });

async function api(method: string, path: string, body?: unknown, as: { realm: string; clientId: string; secret: string } = { realm: 'master', ...admin }) {
  const bearer = (await grant(as.realm, as)).body.access_token as string;
  const res = await fetch(`${base}/admin/realms${path}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), body: text === '' ? undefined : (JSON.parse(text) as any) };
}

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;

describe('the console: client scopes and group attributes', () => {
  let browser: Browser;
  let page: Page;
  let groupId = '';
  let scopeId = '';
  const accessibility: string[] = [];

  const checkScreen = async (name: string) => {
    accessibility.push(...(await accessibilityViolations(page)).map((violation) => `${name}: ${violation}`));
    await page.screenshot({ path: join(IMAGES, `console-${name}.png`) });
  };

  before(async () => {
    await bootstrapAdminService(createAdminContext({ names: stageNames('test') }), admin.clientId, admin.secret);
    assert.equal((await api('POST', '', { realm, enabled: true })).status, 201);
    const role = await api('POST', `/${realm}/roles`, { name: 'auditor' });
    assert.equal(role.status, 201, JSON.stringify(role));
    const made = await api('POST', `/${realm}/clients`, { clientId: viewer.clientId, secret: viewer.secret, publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false });
    assert.equal(made.status, 201);
    const management = (await api('GET', `/${realm}/clients?clientId=realm-management`)).body[0];
    const viewerUuid = made.location!.slice(made.location!.lastIndexOf('/') + 1);
    const viewerUser = (await api('GET', `/${realm}/clients/${viewerUuid}/service-account-user`)).body;
    const viewClients = (await api('GET', `/${realm}/clients/${management.id}/roles/view-clients`)).body;
    assert.equal((await api('POST', `/${realm}/users/${viewerUser.id}/role-mappings/clients/${management.id}`, [viewClients])).status, 204);
    const group = await api('POST', `/${realm}/groups`, { name: 'payments-team' });
    assert.equal(group.status, 201);
    groupId = group.location!.slice(group.location!.lastIndexOf('/') + 1);
    await mkdir(IMAGES, { recursive: true });
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
  });

  it('first screen: the sign-in form, then the Clients list after four API calls made together', async () => {
    const calls: string[] = [];
    // In order: `>path` when a call starts, `<path` when its answer is in.
    const events: string[] = [];
    const isApi = (url: string) => url.includes('/admin/realms') || url.includes('/console/whoami') || url.includes('/admin/serverinfo');
    page.on('request', (request) => {
      if (!isApi(request.url())) return;
      calls.push(new URL(request.url()).pathname);
      events.push(`>${new URL(request.url()).pathname}`);
    });
    page.on('requestfinished', (request) => {
      if (isApi(request.url())) events.push(`<${new URL(request.url()).pathname}`);
    });
    const started = Date.now();
    await page.goto(`${base}/admin/master/console/#/${realm}/clients`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const formShown = Date.now() - started;
    await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(admin.clientId);
    await page.getByRole('textbox', { name: 'Client secret', exact: true }).fill(admin.secret);
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table', { name: 'Clients' }).waitFor();
    const listShown = Date.now() - clicked;
    // Reported for docs/console.md (the machine's load varies; the count of calls is what is checked).
    console.log(`first screen: sign-in form ${formShown} ms after navigation; Clients list ${listShown} ms after "Sign in"`);
    assert.deepEqual(calls.map((path) => path.replace(/^\/admin\//, '')).sort(), ['master/console/whoami', 'realms', `realms/${realm}/clients`, 'serverinfo'].sort());
    // All four start before any answer arrives: the Clients page does not wait for the shell's calls.
    assert.deepEqual(events.slice(0, 4).map((event) => event[0]), ['>', '>', '>', '>'], events.join(' '));
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('creates a Default client scope with a mapper and a role scope mapping; a client created afterwards gets both', async () => {
    await page.goto('about:blank');
    await signIn(page, `${base}/admin/master/console/#/${realm}/client-scopes`, admin.clientId, admin.secret);
    await heading(page, 'Client scopes');
    await page.getByRole('link', { name: 'Create client scope' }).click();
    await heading(page, 'Create client scope');
    // Keycloak's validation: the name is required.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Required field', { exact: true }).waitFor();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(scopeName);
    await page.getByRole('textbox', { name: 'Description', exact: true }).fill('Audit claims');
    await page.getByRole('combobox', { name: 'Type' }).selectOption('default');
    assert.equal(await page.getByRole('switch', { name: 'Include in token scope' }).isChecked(), true);
    await checkScreen('create-client-scope');
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, 'Client scope created');
    await heading(page, scopeName);
    scopeId = decodeURIComponent(new URL(page.url()).hash.split('/')[3]!);
    assert.ok((await api('GET', `/${realm}/default-default-client-scopes`)).body.some((scope: { name: string }) => scope.name === scopeName));

    // Settings: edit, Revert restores, Save writes.
    const description = page.getByRole('textbox', { name: 'Description', exact: true });
    await description.fill('changed');
    await page.getByRole('button', { name: 'Revert' }).click();
    assert.equal(await page.getByRole('textbox', { name: 'Description', exact: true }).inputValue(), 'Audit claims');
    await page.getByRole('spinbutton', { name: 'Display Order', exact: true }).fill('5');
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, 'Client scope updated');
    assert.equal((await api('GET', `/${realm}/client-scopes/${scopeId}`)).body.attributes['gui.order'], '5');

    // Mappers › By configuration: a hardcoded claim, the same forms as a client's dedicated scope.
    await page.getByRole('tab', { name: 'Mappers' }).click();
    await page.getByRole('button', { name: 'Configure a new mapper' }).click();
    await page.getByRole('dialog', { name: 'Configure a new mapper' }).getByRole('button', { name: 'Hardcoded claim', exact: true }).click();
    await heading(page, 'Add mapper');
    await page.getByText('If you want more fine-grain control, you can create protocol mapper on this client scope').waitFor();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('team claim');
    await page.getByRole('textbox', { name: 'Token Claim Name', exact: true }).fill('team');
    await page.getByRole('textbox', { name: 'Claim value', exact: true }).fill('payments');
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, 'Mapping successfully created');
    await page.getByRole('table', { name: 'Mappers' }).getByRole('link', { name: 'team claim' }).waitFor();
    await checkScreen('client-scope-mappers');

    // Scope: a realm role; then only holders of it get this scope's mappers (Keycloak's client scope permission).
    await page.getByRole('tab', { name: 'Scope' }).click();
    await page.getByRole('heading', { name: 'No roles for this client scope' }).waitFor();
    await page.getByRole('button', { name: /Assign role/ }).click();
    await page.getByRole('menuitem', { name: 'Realm roles' }).click();
    const dialog = page.getByRole('dialog', { name: `Assign realm roles to ${scopeName}` });
    await dialog.getByRole('checkbox', { name: 'Select auditor' }).check();
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await alertText(page, 'Role mapping updated');
    await page.getByRole('table', { name: 'Role list' }).getByText('auditor').waitFor();
    await checkScreen('client-scope-scope');
    await page.getByRole('link', { name: 'Client scopes', exact: true }).first().click();
    const row = page.getByRole('table', { name: 'Client scopes' }).getByRole('row').filter({ hasText: scopeName });
    await row.getByText('Default', { exact: true }).waitFor();
    await checkScreen('client-scopes');

    // A client created afterwards takes the realm's default scopes.
    const created = await api('POST', `/${realm}/clients`, { clientId: later.clientId, secret: later.secret, publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false });
    assert.equal(created.status, 201);
    const laterUuid = created.location!.slice(created.location!.lastIndexOf('/') + 1);
    assert.ok((await api('GET', `/${realm}/clients/${laterUuid}/default-client-scopes`)).body.some((scope: { name: string }) => scope.name === scopeName));
    const laterUser = (await api('GET', `/${realm}/clients/${laterUuid}/service-account-user`)).body;
    const auditor = (await api('GET', `/${realm}/roles/auditor`)).body;
    assert.equal((await api('POST', `/${realm}/users/${laterUser.id}/role-mappings/realm`, [auditor])).status, 204);
    const issued = await grant(realm, later);
    assert.equal(issued.status, 200);
    const token = claims(issued.body.access_token);
    assert.equal(token.team, 'payments');
    assert.ok(String(token.scope).split(' ').includes(scopeName), token.scope);
    assert.ok(token.realm_access.roles.includes('auditor'));
  });

  it('saves a group attribute and shows it after a reload', async () => {
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.getByRole('link', { name: 'payments-team' }).click();
    await page.getByRole('tab', { name: 'Attributes' }).click();
    await page.getByRole('textbox', { name: 'Key' }).fill('cost-center');
    await page.getByRole('textbox', { name: 'Value' }).fill('42');
    await page.getByRole('button', { name: 'Add an attribute' }).click();
    await page.getByRole('textbox', { name: 'Key' }).nth(1).fill('owner');
    await page.getByRole('textbox', { name: 'Value' }).nth(1).fill('payments');
    await checkScreen('group-attributes');
    await page.getByRole('button', { name: 'Save' }).click();
    await alertText(page, 'Group updated');
    assert.deepEqual((await api('GET', `/${realm}/groups/${groupId}`)).body.attributes, { 'cost-center': ['42'], owner: ['payments'] });

    // The token lives in memory only: a reload asks to sign in again, then the attributes are read back.
    const here = page.url();
    await page.goto('about:blank');
    await signIn(page, here, admin.clientId, admin.secret);
    await page.getByRole('tab', { name: 'Attributes' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Key' }).first().inputValue(), 'cost-center');
    assert.equal(await page.getByRole('textbox', { name: 'Value' }).nth(1).inputValue(), 'payments');
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('shows a client with view-clients only no Create or Save, and the API refuses its forged write', async () => {
    await page.goto('about:blank');
    await signIn(page, `${base}/admin/${realm}/console/#/${realm}/client-scopes`, viewer.clientId, viewer.secret);
    await page.getByRole('table', { name: 'Client scopes' }).getByRole('link', { name: scopeName }).click();
    await heading(page, scopeName);
    await page.getByRole('textbox', { name: 'Description', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    await page.getByRole('tab', { name: 'Mappers' }).click();
    await page.getByRole('table', { name: 'Mappers' }).getByRole('link', { name: 'team claim' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Add mapper/ }).count(), 0);
    await page.getByRole('link', { name: 'Client scopes', exact: true }).first().click();
    await page.getByRole('table', { name: 'Client scopes' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Create client scope' }).count(), 0);
    const forged = await api('PUT', `/${realm}/client-scopes/${scopeId}`, { name: scopeName, description: 'forged' }, { realm, ...viewer });
    assert.equal(forged.status, 403);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('logged no console error and no CSP violation, and axe found no serious or critical violation', () => {
    assert.deepEqual({ problems: browser.problems, accessibility }, { problems: [], accessibility: [] });
  });
});
