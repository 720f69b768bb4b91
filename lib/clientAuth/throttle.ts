import { OAuthError } from '../http/errors.js';

/**
 * Brute-force protection for client credentials, which Keycloak lacks (keycloak#30077).
 *
 * Failed authentications are counted in fixed one-minute windows, per source address and per
 * client *from that source address*. A source over either limit is refused with 429 before any
 * secret is checked. Counting a client's failures per source, never for the client as a whole,
 * is what keeps an attacker from locking the real client out: the client's own address never
 * accumulates the attacker's failures.
 */
export interface ThrottlePolicy {
  windowSeconds: number;
  /** Failures allowed per window from one address, whatever client they name. */
  perSource: number;
  /** Failures allowed per window for one client from one address. */
  perClientAndSource: number;
}

export class Throttle {
  constructor(readonly policy: ThrottlePolicy) {}

  /** The counter keys a request from `sourceIp` naming `clientId` is checked against, in the current window. */
  keys(realm: string, clientId: string, sourceIp: string, now: number): { source: string; clientAndSource: string } {
    const window = Math.floor(now / this.policy.windowSeconds);
    const source = sourceIp || 'unknown';
    return {
      source: `THROTTLE#${realm}#src#${source}#${window}`,
      clientAndSource: `THROTTLE#${realm}#client#${clientId}#src#${source}#${window}`,
    };
  }

  /** 429 with Retry-After until the window ends, when either counter is over its limit. */
  check(failures: Map<string, number>, keys: { source: string; clientAndSource: string }, now: number): void {
    const overSource = (failures.get(keys.source) ?? 0) >= this.policy.perSource;
    const overClient = (failures.get(keys.clientAndSource) ?? 0) >= this.policy.perClientAndSource;
    if (overSource || overClient) {
      const retryAfter = this.windowEnd(now) - now;
      throw new OAuthError(429, 'too_many_requests', `Too many failed client authentications, retry in ${retryAfter} seconds`, {
        'Retry-After': String(retryAfter),
      });
    }
  }

  windowEnd(now: number): number {
    return (Math.floor(now / this.policy.windowSeconds) + 1) * this.policy.windowSeconds;
  }
}
