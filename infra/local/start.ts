import { join } from 'node:path';
import { endpointsFromEnvironment, PROJECT_ROOT, startLocalStack } from './stack.js';

/**
 * `npm start`: the whole product locally. Ports come from the environment:
 * PORT (3000, serverless offline), DYNAMODB_PORT (8000), KMS_PORT (4599), LAMBDA_PORT (3002).
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
  dataDir: env.LOCAL_DATA_DIR ?? join(PROJECT_ROOT, '.local'),
  stage: 'local',
  log: (line) => console.log(line),
}).catch((err: Error) => {
  console.error(`could not start the local stack: ${err.message}`);
  process.exit(1);
});

const base = stack.baseUrl;
console.log(`
Token service ready on ${base} (issuer base ${env.ISSUER_BASE_URL || base})
  discovery   ${base}/realms/demo/.well-known/openid-configuration
  token       ${base}/realms/demo/protocol/openid-connect/token
  JWKS        ${base}/realms/demo/protocol/openid-connect/certs
  (every path is also served under Keycloak's legacy /auth prefix)

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
