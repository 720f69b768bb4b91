import { secretsKeyAlias, signingKeyAliases, tableNames } from '../../lib/stageNames.js';
import { join } from 'node:path';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { endpointsFromEnvironment, PROJECT_ROOT, startLocalStack } from './stack.js';

/**
 * `npm start`: the whole product locally. Ports come from the environment:
 * PORT (3000, serverless offline), DYNAMODB_PORT (8000), KMS_PORT (4599), LAMBDA_PORT (3002),
 * ALB_PORT (serverless offline's ALB emulation; unset: a free port, printed).
 * ISSUER_BASE_URL fixes the issuer (default: http://localhost:PORT). AWS_ENDPOINT_URL_DYNAMODB
 * or AWS_ENDPOINT_URL_KMS, when set, are used instead of starting DynamoDB Local or the local KMS.
 */
const env = process.env;
const port = Number(env.PORT ?? 3000);
const endpoints = endpointsFromEnvironment(env);
const stack = await startLocalStack({
  ...(endpoints ? { endpoints } : {}),
  ...(env.ISSUER_BASE_URL ? { issuerBaseUrl: env.ISSUER_BASE_URL } : {}),
  port,
  dynamodbPort: Number(env.DYNAMODB_PORT ?? 8000),
  kmsPort: Number(env.KMS_PORT ?? 4599),
  lambdaPort: Number(env.LAMBDA_PORT ?? 3002),
  // Unset: a port the OS picks (printed below), so it never collides with the others.
  albPort: Number(env.ALB_PORT ?? 0),
  dataDir: env.LOCAL_DATA_DIR ?? join(PROJECT_ROOT, '.local'),
  stage: 'local',
  log: (line) => console.log(line),
}).catch((err: Error) => {
  console.error(`could not start the local stack: ${err.message}`);
  process.exit(1);
});

/**
 * The Admin REST API's first admin, as Keycloak 26 bootstraps one from KC_BOOTSTRAP_ADMIN_CLIENT_ID
 * and KC_BOOTSTRAP_ADMIN_CLIENT_SECRET. Locally both have documented defaults (README, docs/admin-api.md);
 * a restart sets the secret again, so changing the variable takes effect.
 */
const adminClientId = process.env.KC_BOOTSTRAP_ADMIN_CLIENT_ID || 'temp-admin';
const adminSecret = process.env.KC_BOOTSTRAP_ADMIN_CLIENT_SECRET || 'temp-admin-secret';
await bootstrapAdminService(
  createAdminContext({
    names: {
      stage: 'local',
      service: 'sa-token-service',
      clientsTable: tableNames('local').clients,
      signingKeyAliases: signingKeyAliases('local'),
      secretsKeyId: secretsKeyAlias('local'),
    },
    local: { dynamodb: stack.env.AWS_ENDPOINT_URL_DYNAMODB!, kms: stack.env.AWS_ENDPOINT_URL_KMS! },
  }),
  adminClientId,
  adminSecret,
  { forceSecret: true },
).catch(async (err: Error) => {
  console.error(`could not bootstrap the admin client: ${err.message}`);
  await stack.stop();
  process.exit(1);
});

const base = stack.baseUrl;
console.log(`
Token service ready on ${base} (issuer base ${env.ISSUER_BASE_URL || base})
  discovery   ${base}/realms/demo/.well-known/openid-configuration
  token       ${base}/realms/demo/protocol/openid-connect/token
  JWKS        ${base}/realms/demo/protocol/openid-connect/certs
  admin API   ${base}/admin/realms   (Keycloak's Admin REST API, docs/admin-api.md)
  (every path is also served under Keycloak's legacy /auth prefix)
  ALB         ${stack.albBaseUrl} (the same functions behind the alb front door's events)

Admin REST API client (master realm, service account holding master's admin role):
  client id     ${adminClientId}      (KC_BOOTSTRAP_ADMIN_CLIENT_ID)
  client secret ${adminSecret}      (KC_BOOTSTRAP_ADMIN_CLIENT_SECRET)
  token         curl -s ${base}/realms/master/protocol/openid-connect/token -d grant_type=client_credentials \\
                  -d client_id=${adminClientId} -d client_secret=…

Try the seed request:
  curl -s -X POST ${base}/auth/realms/demo/protocol/openid-connect/token \\
    -H 'Authorization: Basic cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ=' \\
    -H 'Content-Type: application/x-www-form-urlencoded' \\
    -d 'grant_type=client_credentials'

To use the AWS CLI or SDK against this stack:
${Object.entries(stack.env)
  .filter(([name]) => name.startsWith('AWS_'))
  .map(([name, value]) => `  export ${name}=${value}`)
  .join('\n')}

Ctrl-C stops everything.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    void stack.stop().then(() => process.exit(0));
  });
}
