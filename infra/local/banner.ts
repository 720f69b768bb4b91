/**
 * What `npm start` prints once the stack is ready. Pure, so what it shows (and what it must not
 * show: a secret the operator chose) is tested without starting anything.
 */

/** Keycloak's KC_BOOTSTRAP_ADMIN_CLIENT_ID/SECRET as `npm start` defaults them (README, docs/admin-api.md). */
export const DEFAULT_ADMIN_CLIENT_ID = 'temp-admin';
export const DEFAULT_ADMIN_SECRET = 'temp-admin-secret';

export interface BannerFacts {
  base: string;
  issuerBase: string;
  albBaseUrl?: string;
  adminClientId: string;
  adminSecret: string;
  /** The functions' output (infra/local/functionLog.ts). */
  logFile: string;
  /** The AWS_* variables that reach this stack. */
  awsEnv: Record<string, string>;
}

export function startBanner(facts: BannerFacts): string {
  const { base } = facts;
  // A secret the operator chose is theirs: it never goes to the terminal (or a CI log). The
  // built-in default is public anyway (it is in the README), so it is shown and named as such.
  const secretLine =
    facts.adminSecret === DEFAULT_ADMIN_SECRET
      ? `${facts.adminSecret}      (the built-in default; set KC_BOOTSTRAP_ADMIN_CLIENT_SECRET to choose one)`
      : '(from KC_BOOTSTRAP_ADMIN_CLIENT_SECRET, not shown)';
  return `
Token service ready on ${base} (issuer base ${facts.issuerBase})
  discovery   ${base}/realms/demo/.well-known/openid-configuration
  token       ${base}/realms/demo/protocol/openid-connect/token
  JWKS        ${base}/realms/demo/protocol/openid-connect/certs
  admin API   ${base}/admin/realms   (Keycloak's Admin REST API, docs/admin-api.md)
  console     ${base}/admin/master/console/   (sign in with the admin client below, docs/console.md)
  (every path is also served under Keycloak's legacy /auth prefix)
  ALB         ${facts.albBaseUrl} (the same functions behind the alb front door's events)

Admin REST API client (master realm, service account holding master's admin role):
  client id     ${facts.adminClientId}      (KC_BOOTSTRAP_ADMIN_CLIENT_ID)
  client secret ${secretLine}
  token         curl -s ${base}/realms/master/protocol/openid-connect/token -d grant_type=client_credentials \\
                  -d client_id=${facts.adminClientId} -d client_secret=…

Functions' logs and audit events (JSON lines, rotated): ${facts.logFile}

Try the seed request:
  curl -s -X POST ${base}/auth/realms/demo/protocol/openid-connect/token \\
    -H 'Authorization: Basic cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ=' \\
    -H 'Content-Type: application/x-www-form-urlencoded' \\
    -d 'grant_type=client_credentials'

To use the AWS CLI, the SDK or sa-admin --local against this stack (token preview reads the issuer):
${Object.entries(facts.awsEnv)
  .filter(([name]) => name.startsWith('AWS_'))
  .map(([name, value]) => `  export ${name}=${value}`)
  .join('\n')}
  export ISSUER_BASE_URL=${facts.issuerBase}

Ctrl-C stops everything.`;
}
