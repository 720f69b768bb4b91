import type { Page } from 'playwright-core';

/**
 * What the console's browser tests do on its pages, as a person would: sign in on the console's
 * own form, wait for a screen's heading or one of Keycloak's top-right alerts.
 */

/** Signs in on the console's page; returns the access token the page received (read from the network, never from the page). */
export async function signIn(page: Page, url: string, clientId: string, secret: string): Promise<string> {
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(clientId);
  await page.getByRole('textbox', { name: 'Client secret', exact: true }).fill(secret);
  const response = page.waitForResponse((r) => r.url().endsWith('/protocol/openid-connect/token') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Sign in' }).click();
  return ((await (await response).json()) as { access_token: string }).access_token;
}

export const heading = (page: Page, name: string) => page.getByRole('heading', { name, level: 1, exact: true }).waitFor();

/** One of Keycloak's top-right alerts (they stay 8 s). */
export const alertText = (page: Page, text: string) => page.getByRole('list', { name: 'Alerts' }).getByText(text, { exact: true }).first().waitFor();
