import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { OAuthError } from './http/errors.js';
import { LogWriter } from './logWriter.js';

/**
 * Structured logs, audit events and metrics: JSON lines in Powertools Logger's shape with the API
 * Gateway request id as correlation id (lib/logWriter.ts), metrics through Powertools Metrics in
 * CloudWatch's Embedded Metric Format.
 *
 * Audit events carry Keycloak's event names (CLIENT_LOGIN, REFRESH_TOKEN, LOGOUT, REVOKE_GRANT,
 * INTROSPECT_TOKEN and their _ERROR forms) and details (client, realm, grant_type,
 * client_auth_method, token_id, reason), so operators can answer "who got a token, when".
 * Nothing here ever receives a secret, an assertion or a token: only ids.
 */
export type AuditEventType = 'CLIENT_LOGIN' | 'REFRESH_TOKEN' | 'LOGOUT' | 'REVOKE_GRANT' | 'INTROSPECT_TOKEN';

export interface AuditDetails {
  /** Where the request came from (Keycloak's event field `ipAddress`) and what sent it. */
  ipAddress?: string;
  userAgent?: string;
  realm?: string;
  clientId?: string;
  grant_type?: string;
  client_auth_method?: string;
  token_id?: string;
  session_id?: string;
  scope?: string;
  /** A JWT client assertion's `jti`, `iss` and `sub` (Keycloak's ClientAssertionState details); never the assertion. */
  client_assertion_id?: string;
  client_assertion_issuer?: string;
  client_assertion_sub?: string;
}

export { keycloakAuthMethod } from './model/clientAuthenticator.js';

/** The parts of a request an audit event records (lib/http/request.ts HttpRequest has them). */
export interface AuditSource {
  sourceIp: string;
  headers: Record<string, string>;
  /** The request's id: the event's correlation_id, also when requests interleave in one process. */
  requestId?: string;
}

/** A user agent is the caller's free text: bounded, and without control characters that could forge log lines. */
export const MAX_USER_AGENT_LENGTH = 256;
function userAgentOf(source: AuditSource): string {
  // eslint-disable-next-line no-control-regex
  return (source.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT_LENGTH).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

type MetricName = 'TokensIssued' | 'Refreshes' | 'Logouts' | 'ClientAuthenticationFailures';

export class Observability {
  readonly logger: LogWriter;
  private readonly metrics: Metrics;
  /** Counts since the last flush, by realm. */
  private readonly pending = new Map<string, Map<MetricName, number>>();
  private lastFlush = Date.now();
  private readonly flushIntervalMs: number;

  /**
   * Metrics are counted per container and flushed as one EMF document per realm at most once per
   * `flushIntervalMs` (METRICS_FLUSH_INTERVAL_MS, default 1000; 0 flushes every request): `npm run
   * bench` measured an EMF flush per request at about a quarter of an RS256 grant's CPU. Sums stay
   * exact; what a container counted after its last flush is lost if Lambda retires it.
   */
  constructor(options: { logger?: LogWriter; metrics?: Metrics; flushIntervalMs?: number } = {}) {
    this.logger = options.logger ?? new LogWriter({ serviceName: 'sa-token-service' });
    this.metrics = options.metrics ?? new Metrics({ namespace: 'SaTokenService', serviceName: 'sa-token-service' });
    this.flushIntervalMs = options.flushIntervalMs ?? Number(process.env.METRICS_FLUSH_INTERVAL_MS ?? 1000);
  }

  startRequest(requestId: string): void {
    this.logger.setCorrelationId(requestId);
  }

  endRequest(): void {
    if (Date.now() - this.lastFlush >= this.flushIntervalMs) this.flush();
  }

  flush(): void {
    for (const [realm, counts] of this.pending) {
      this.metrics.addDimension('realm', realm);
      for (const [name, value] of counts) this.metrics.addMetric(name, MetricUnit.Count, value);
      this.metrics.publishStoredMetrics();
    }
    this.pending.clear();
    this.lastFlush = Date.now();
  }

  private count(realm: string | undefined, name: MetricName): void {
    if (!realm) return;
    let counts = this.pending.get(realm);
    if (!counts) this.pending.set(realm, (counts = new Map()));
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }

  log(entry: Record<string, unknown>): void {
    const { level, message, ...rest } = entry;
    if (level === 'ERROR') this.logger.error(String(message), rest);
    else this.logger.warn(String(message), rest);
  }

  /**
   * Starts an audit record that the operation fills in as it learns who the client is. Every
   * event carries the request's source address and user agent, so an attack can be traced (the
   * HTTP API's access log has the same request id: infra/httpApi.yml).
   */
  audit(type: AuditEventType, source: AuditSource, details: AuditDetails = {}): AuditRecord {
    return new AuditRecord(this, type, { ipAddress: source.sourceIp, userAgent: userAgentOf(source), ...details }, source.requestId);
  }

  emit(type: AuditEventType, details: AuditDetails, error?: OAuthError, requestId?: string): void {
    const event = error ? `${type}_ERROR` : type;
    // Without spreads: this runs once per request, and the spread of `details` was this method's cost.
    const fields: Record<string, unknown> = { event };
    Object.assign(fields, details);
    if (error) {
      fields.error = error.error;
      fields.reason = error.logDescription ?? error.description;
    }
    if (error) this.logger.warn(event, fields, requestId);
    else this.logger.info(event, fields, requestId);
    if (!error && (type === 'CLIENT_LOGIN' || type === 'REFRESH_TOKEN')) this.count(details.realm, 'TokensIssued');
    if (!error && type === 'REFRESH_TOKEN') this.count(details.realm, 'Refreshes');
    if (!error && type === 'LOGOUT') this.count(details.realm, 'Logouts');
    if (error?.error === 'invalid_client') this.count(details.realm, 'ClientAuthenticationFailures');
  }
}

export class AuditRecord {
  constructor(
    private readonly sink: Observability,
    public type: AuditEventType,
    private readonly details: AuditDetails,
    private readonly requestId?: string,
  ) {}

  set(details: AuditDetails): void {
    Object.assign(this.details, details);
  }

  /** Runs the operation, then records its success or, for OAuth errors, its `_ERROR` event. */
  async around<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation();
      this.sink.emit(this.type, this.details, undefined, this.requestId);
      return result;
    } catch (err) {
      if (err instanceof OAuthError) this.sink.emit(this.type, this.details, err, this.requestId);
      throw err;
    }
  }
}
