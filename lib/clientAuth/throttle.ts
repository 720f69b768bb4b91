import { OAuthError } from '../http/errors.js';

/**
 * Brute-force protection for client credentials, which Keycloak lacks (keycloak#30077).
 *
 * Failed authentications are counted in DynamoDB (one counter item per key and one-minute window,
 * expiring by TTL), per source address and per client *from that source address*. The count comes
 * back with the write that increments it, so a success costs nothing; once a key is over its limit
 * the container answers that source 429 before checking any secret, until the window ends.
 * Counting a client's failures per source, never for the client as a whole, keeps an attacker from
 * locking the real client out: the real client's address never accumulates the attacker's failures.
 */
export interface ThrottlePolicy {
  windowSeconds: number;
  /** Failures allowed per window from one address, whatever client they name. */
  perSource: number;
  /** Failures allowed per window for one client from one address. */
  perClientAndSource: number;
}

export interface ThrottleKeys {
  source: string;
  clientAndSource: string;
}

export class Throttle {
  /** Keys this container knows to be over their limit, with the end of their window. */
  private readonly blocked = new Map<string, number>();

  constructor(readonly policy: ThrottlePolicy) {}

  keys(realm: string, clientId: string, sourceIp: string, now: number): ThrottleKeys {
    const window = Math.floor(now / this.policy.windowSeconds);
    const source = sourceIp || 'unknown';
    return {
      source: `THROTTLE#${realm}#src#${source}#${window}`,
      clientAndSource: `THROTTLE#${realm}#client#${clientId}#src#${source}#${window}`,
    };
  }

  /** Before any secret is checked: 429 if this source (or this client from it) is known to be over its limit. */
  checkBlocked(keys: ThrottleKeys, now: number): void {
    for (const key of [keys.source, keys.clientAndSource]) {
      const until = this.blocked.get(key);
      if (until !== undefined && until > now) throw this.tooMany(now);
      if (until !== undefined) this.blocked.delete(key);
    }
  }

  /** After a failure was counted: remember keys over their limit, and answer this attempt 429 too. */
  afterFailure(keys: ThrottleKeys, counts: { source: number; clientAndSource: number }, now: number): void {
    const over = [
      counts.source > this.policy.perSource ? keys.source : undefined,
      counts.clientAndSource > this.policy.perClientAndSource ? keys.clientAndSource : undefined,
    ].filter((key): key is string => key !== undefined);
    if (over.length === 0) return;
    if (this.blocked.size >= 10_000) this.blocked.delete(this.blocked.keys().next().value!);
    for (const key of over) this.blocked.set(key, this.windowEnd(now));
    throw this.tooMany(now);
  }

  windowEnd(now: number): number {
    return (Math.floor(now / this.policy.windowSeconds) + 1) * this.policy.windowSeconds;
  }

  private tooMany(now: number): OAuthError {
    const retryAfter = this.windowEnd(now) - now;
    return new OAuthError(429, 'too_many_requests', `Too many failed client authentications, retry in ${retryAfter} seconds`, {
      'Retry-After': String(retryAfter),
    });
  }
}
