import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { OAuthError } from './http/errors.js';

/**
 * Structured logs, audit events and metrics (AWS Lambda Powertools: JSON logs with the API
 * Gateway request id as correlation id; metrics in CloudWatch's Embedded Metric Format).
 *
 * Audit events carry Keycloak's event names (CLIENT_LOGIN, REFRESH_TOKEN, LOGOUT, REVOKE_GRANT,
 * INTROSPECT_TOKEN and their _ERROR forms) and details (client, realm, grant_type,
 * client_auth_method, token_id, reason), so operators can answer "who got a token, when".
 * Nothing here ever receives a secret, an assertion or a token: only ids.
 */
export type AuditEventType = 'CLIENT_LOGIN' | 'REFRESH_TOKEN' | 'LOGOUT' | 'REVOKE_GRANT' | 'INTROSPECT_TOKEN';

export interface AuditDetails {
  realm?: string;
  clientId?: string;
  grant_type?: string;
  client_auth_method?: string;
  token_id?: string;
  session_id?: string;
  scope?: string;
}

/** Keycloak's names for how a client authenticated. */
const KEYCLOAK_AUTH_METHOD: Record<string, string> = {
  client_secret_basic: 'client-secret',
  client_secret_post: 'client-secret',
  private_key_jwt: 'client-jwt',
  client_secret_jwt: 'client-secret-jwt',
  none: 'none',
};
export const keycloakAuthMethod = (method: string) => KEYCLOAK_AUTH_METHOD[method] ?? method;

export class Observability {
  readonly logger: Logger;
  private readonly metrics: Metrics;

  constructor(options: { logger?: Logger; metrics?: Metrics } = {}) {
    this.logger = options.logger ?? new Logger({ serviceName: 'sa-token-service' });
    this.metrics = options.metrics ?? new Metrics({ namespace: 'SaTokenService', serviceName: 'sa-token-service' });
  }

  startRequest(requestId: string): void {
    this.logger.resetKeys();
    this.logger.appendKeys({ correlation_id: requestId });
  }

  endRequest(): void {
    this.metrics.publishStoredMetrics();
  }

  log(entry: Record<string, unknown>): void {
    const { level, message, ...rest } = entry;
    if (level === 'ERROR') this.logger.error(String(message), rest);
    else this.logger.warn(String(message), rest);
  }

  /** Starts an audit record that the operation fills in as it learns who the client is. */
  audit(type: AuditEventType, details: AuditDetails): AuditRecord {
    return new AuditRecord(this, type, details);
  }

  emit(type: AuditEventType, details: AuditDetails, error?: OAuthError): void {
    const event = error ? `${type}_ERROR` : type;
    const fields = { event, ...details, ...(error ? { error: error.error, reason: error.logDescription ?? error.description } : {}) };
    if (error) this.logger.warn(event, fields);
    else this.logger.info(event, fields);
    if (details.realm) this.metrics.addDimension('realm', details.realm);
    if (!error && (type === 'CLIENT_LOGIN' || type === 'REFRESH_TOKEN')) this.metrics.addMetric('TokensIssued', MetricUnit.Count, 1);
    if (!error && type === 'REFRESH_TOKEN') this.metrics.addMetric('Refreshes', MetricUnit.Count, 1);
    if (!error && type === 'LOGOUT') this.metrics.addMetric('Logouts', MetricUnit.Count, 1);
    if (error?.error === 'invalid_client') this.metrics.addMetric('ClientAuthenticationFailures', MetricUnit.Count, 1);
  }
}

export class AuditRecord {
  constructor(
    private readonly sink: Observability,
    public type: AuditEventType,
    private readonly details: AuditDetails,
  ) {}

  set(details: AuditDetails): void {
    Object.assign(this.details, details);
  }

  /** Runs the operation, then records its success or, for OAuth errors, its `_ERROR` event. */
  async around<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation();
      this.sink.emit(this.type, this.details);
      return result;
    } catch (err) {
      if (err instanceof OAuthError) this.sink.emit(this.type, this.details, err);
      throw err;
    }
  }
}
