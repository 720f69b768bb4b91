import * as oidc from 'openid-client';
import { startResourceServer } from './resourceServer.js';

export interface ExampleResult {
  firstCall: number;
  refreshed: boolean;
  secondCall: number;
  logoutStatus: number;
  refreshAfterLogout: string;
}

/**
 * The service-account flow Keycloak's documentation describes, against this service:
 * get a token with client credentials, call a resource server with it, refresh it, log out,
 * and see that the refresh token no longer works.
 */
export async function runServiceAccountExample(issuer: string, log: (line: string) => void = console.log): Promise<ExampleResult> {
  const insecureLocal = issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined;
  const config = await oidc.discovery(new URL(issuer), 'product-sa-client', undefined, oidc.ClientSecretBasic('password'), insecureLocal);
  const metadata = config.serverMetadata();
  const api = await startResourceServer(metadata.issuer, metadata.jwks_uri!);
  try {
    const tokens = await oidc.clientCredentialsGrant(config);
    log(`got an access token for ${tokens.expires_in} s, refresh token for ${tokens.refresh_expires_in} s`);
    const call = async (accessToken: string) => (await fetch(api.url, { headers: { Authorization: `Bearer ${accessToken}` } })).status;
    const firstCall = await call(tokens.access_token);
    log(`GET /products → ${firstCall}`);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    log('refreshed: new access token and a rotated refresh token');
    const secondCall = await call(refreshed.access_token);
    log(`GET /products with the refreshed token → ${secondCall}`);

    // Keycloak's back-channel logout: POST the refresh token to the end-session endpoint.
    const logoutResponse = await fetch(metadata.end_session_endpoint!, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('product-sa-client:password').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ refresh_token: refreshed.refresh_token! }),
    });
    log(`logout → ${logoutResponse.status}`);

    let refreshAfterLogout = 'succeeded';
    try {
      await oidc.refreshTokenGrant(config, refreshed.refresh_token!);
    } catch (err) {
      refreshAfterLogout = `${(err as oidc.ResponseBodyError).error}: ${(err as oidc.ResponseBodyError).error_description}`;
    }
    log(`refresh after logout → ${refreshAfterLogout}`);
    return { firstCall, refreshed: refreshed.access_token !== tokens.access_token, secondCall, logoutStatus: logoutResponse.status, refreshAfterLogout };
  } finally {
    await api.close();
  }
}
