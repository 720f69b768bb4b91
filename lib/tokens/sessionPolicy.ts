import { USE_REFRESH_TOKEN_ATTRIBUTE } from '../model/clientDefaults.js';
import type { ClientRecord, RealmSettings } from '../model/stored.js';

export interface SessionTimeouts {
  idle: number;
  max: number;
}

/**
 * Keycloak's rule: the client attribute (`client.session.idle.timeout`,
 * `client.session.max.lifespan`), else the realm's client-session setting, else the SSO session
 * setting. Zero or unset means "not set" at every level.
 */
export function sessionTimeouts(realm: RealmSettings, client: ClientRecord): SessionTimeouts {
  const positive = (...values: (number | string | undefined)[]) =>
    values.map(Number).find((value) => Number.isFinite(value) && value > 0) ?? 0;
  return {
    idle: positive(client.attributes['client.session.idle.timeout'], realm.clientSessionIdleTimeout, realm.ssoSessionIdleTimeout, 1800),
    max: positive(client.attributes['client.session.max.lifespan'], realm.clientSessionMaxLifespan, realm.ssoSessionMaxLifespan, 36000),
  };
}

/** `refresh_expires_in`: min(last use + idle, start + max) - now. */
export function refreshExpiresIn(timeouts: SessionTimeouts, started: number, lastUse: number, now: number): number {
  return Math.max(0, Math.min(lastUse + timeouts.idle, started + timeouts.max) - now);
}

/** Client attribute `client_credentials.use_refresh_token` (default "false" since Keycloak 12). */
export function usesRefreshTokens(client: ClientRecord): boolean {
  return client.attributes[USE_REFRESH_TOKEN_ATTRIBUTE] === 'true';
}
