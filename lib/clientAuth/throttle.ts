import { BoundedMap } from '../cache.js';
import { OAuthError } from '../http/errors.js';
import type { FailureCounts } from '../store/failureCounters.js';

/**
 * Brute-force protection for client credentials, which Keycloak lacks (keycloak#30077).
 *
 * Failed authentications are counted in DynamoDB (lib/store/failureCounters.ts), per source
 * address and per client from that address, and limited over a sliding window: the estimate is
 * the current window's count plus the previous window's, weighted by how much of the previous
 * window still lies within the last `windowSeconds`. A window boundary therefore never doubles
 * the allowance, as fixed windows do.
 *
 * What each limit stops, and whom it never stops:
 * - per client and source: guessing one client's secret. Once over, that client from that address
 *   gets 429 before any secret is checked, right secret or not, until the estimate drops.
 * - per source: trying many client ids from one address (enumeration, guessing across clients).
 *   Over it, every *failure* from that address answers 429 instead of 401, but a request whose
 *   credentials verify is never refused: the real client behind a shared address (a NAT, a proxy)
 *   keeps working while others fail around it. It still cannot guess past its own limit, because
 *   its failures keep being counted per client and source.
 *
 * A success costs nothing here: no read, no write. A failure costs one write (and, once per
 * container and window, a read of the previous window's counts). A container learns that a client
 * is blocked from its own counted failures; until then its first failure for that client is
 * counted and refused like the others.
 */
export interface ThrottlePolicy {
  windowSeconds: number;
  /** Failures allowed per sliding window from one address, whatever client they name. */
  perSource: number;
  /** Failures allowed per sliding window for one client from one address. */
  perClientAndSource: number;
}

export interface FailureStore {
  add(realm: string, clientId: string, source: string, window: number, expiresAt: number): Promise<FailureCounts>;
  previous(realm: string, clientId: string, source: string, window: number): Promise<FailureCounts>;
}

const MAX_BLOCKED = 10_000;

export class Throttle {
  /** Client-and-source pairs this container knows to be over their limit, with when they may try again. */
  private readonly blocked = new BoundedMap<string, number>(MAX_BLOCKED);

  constructor(
    readonly policy: ThrottlePolicy,
    private readonly failures: FailureStore,
  ) {}

  /** Before any secret is checked: 429 if this client, from this address, is known to be over its limit. */
  checkBeforeVerifying(realm: string, clientId: string, source: string, now: number): void {
    const key = pairKey(realm, clientId, source);
    const until = this.blocked.get(key);
    if (until === undefined) return;
    if (until > now) throw tooMany(until - now);
    this.blocked.delete(key);
  }

  /** Counts one failure; throws 429 when the address or the pair is over its limit, else returns (the caller answers 401). */
  async recordFailure(realm: string, clientId: string, source: string, now: number): Promise<void> {
    const { windowSeconds } = this.policy;
    const window = Math.floor(now / windowSeconds);
    const expiresAt = (window + 2) * windowSeconds;
    const [current, previous] = await Promise.all([
      this.failures.add(realm, clientId, source, window, expiresAt),
      this.failures.previous(realm, clientId, source, window - 1),
    ]);
    const elapsed = (now - window * windowSeconds) / windowSeconds;
    const wait = (limit: number, cur: number, prev: number) =>
      prev * (1 - elapsed) + cur > limit ? secondsUntilAllowed(limit, cur, prev, now, window, windowSeconds) : 0;
    const pairWait = wait(this.policy.perClientAndSource, current.clientAndSource, previous.clientAndSource);
    const sourceWait = wait(this.policy.perSource, current.source, previous.source);
    if (pairWait > 0) {
      this.blocked.set(pairKey(realm, clientId, source), now + pairWait);
    }
    const retryAfter = Math.max(pairWait, sourceWait);
    if (retryAfter > 0) throw tooMany(retryAfter);
  }
}

/**
 * Seconds until one more failure fits under `limit` again, if nothing else fails meanwhile: the
 * weighted previous count decays linearly through the current window, and at the next boundary
 * the current count becomes the previous one.
 */
export function secondsUntilAllowed(limit: number, current: number, previous: number, now: number, window: number, windowSeconds: number): number {
  const target = limit - 1;
  const start = window * windowSeconds;
  let at: number;
  if (current <= target && previous > 0) at = start + windowSeconds * (1 - (target - current) / previous);
  else at = start + windowSeconds + windowSeconds * (1 - target / Math.max(current, 1));
  return Math.max(1, Math.ceil(at - now));
}

const pairKey = (realm: string, clientId: string, source: string) => `${realm}\u0000${source}\u0000${clientId}`;

function tooMany(retryAfter: number): OAuthError {
  return new OAuthError(429, 'too_many_requests', `Too many failed client authentications, retry in ${retryAfter} seconds`, {
    'Retry-After': String(retryAfter),
  });
}
