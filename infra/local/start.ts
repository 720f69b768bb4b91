import { join } from 'node:path';
import { PROJECT_ROOT, startLocalStack } from './stack.js';

/**
 * `npm start`: the whole product locally. Ports come from the environment:
 * PORT (3000, serverless offline), DYNAMODB_PORT (8000), KMS_PORT (4599), LAMBDA_PORT (3002),
 * ALB_PORT (PORT + 3, serverless offline's ALB emulation).
 */
const port = Number(process.env.PORT ?? 3000);
const stack = await startLocalStack({
  port,
  dynamodbPort: Number(process.env.DYNAMODB_PORT ?? 8000),
  kmsPort: Number(process.env.KMS_PORT ?? 4599),
  lambdaPort: Number(process.env.LAMBDA_PORT ?? 3002),
  albPort: Number(process.env.ALB_PORT ?? port + 3),
  dataDir: process.env.LOCAL_DATA_DIR ?? join(PROJECT_ROOT, '.local'),
  stage: 'local',
  log: (line) => console.log(line),
}).catch((err: Error) => {
  console.error(`could not start the local stack: ${err.message}`);
  process.exit(1);
});

const base = stack.baseUrl;
console.log(`
Token service ready on ${base}
  discovery   ${base}/realms/demo/.well-known/openid-configuration
  token       ${base}/realms/demo/protocol/openid-connect/token
  JWKS        ${base}/realms/demo/protocol/openid-connect/certs
  (every path is also served under Keycloak's legacy /auth prefix)
  ALB         ${stack.albBaseUrl} (the same functions behind the alb front door's events)

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
