import { join } from 'node:path';
import { DEFAULT_ADMIN_CLIENT_ID, DEFAULT_ADMIN_SECRET, startBanner } from './banner.js';
import { endpointsFromEnvironment, PROJECT_ROOT, startLocalStack } from './stack.js';

/**
 * `npm start`: the whole product locally. Ports come from the environment:
 * PORT (3000, serverless offline), DYNAMODB_PORT (8000), KMS_PORT (4599), LAMBDA_PORT (3002),
 * ALB_PORT (serverless offline's ALB emulation; unset: a free port, printed).
 * ISSUER_BASE_URL fixes the issuer (default: http://localhost:PORT). AWS_ENDPOINT_URL_DYNAMODB
 * or AWS_ENDPOINT_URL_KMS, when set, are used instead of starting DynamoDB Local or the local KMS.
 * LOCAL_DATA_DIR (.local) holds the data and the functions' log (logs/functions.log).
 */
const env = process.env;
const port = Number(env.PORT ?? 3000);
const endpoints = endpointsFromEnvironment(env);
const dataDir = env.LOCAL_DATA_DIR ?? join(PROJECT_ROOT, '.local');
const logFile = join(dataDir, 'logs', 'functions.log');
/**
 * The Admin REST API's first admin, as Keycloak 26 bootstraps one from KC_BOOTSTRAP_ADMIN_CLIENT_ID
 * and KC_BOOTSTRAP_ADMIN_CLIENT_SECRET. Locally both have documented defaults (README, docs/admin-api.md).
 * The stack makes it before it serves anything, so the first token request after "ready" works.
 */
const adminClientId = env.KC_BOOTSTRAP_ADMIN_CLIENT_ID || DEFAULT_ADMIN_CLIENT_ID;
const adminSecret = env.KC_BOOTSTRAP_ADMIN_CLIENT_SECRET || DEFAULT_ADMIN_SECRET;
const stack = await startLocalStack({
  ...(endpoints ? { endpoints } : {}),
  ...(env.ISSUER_BASE_URL ? { issuerBaseUrl: env.ISSUER_BASE_URL } : {}),
  port,
  dynamodbPort: Number(env.DYNAMODB_PORT ?? 8000),
  kmsPort: Number(env.KMS_PORT ?? 4599),
  lambdaPort: Number(env.LAMBDA_PORT ?? 3002),
  // Unset: a port the OS picks (printed below), so it never collides with the others.
  albPort: Number(env.ALB_PORT ?? 0),
  dataDir,
  stage: 'local',
  logFile,
  bootstrapAdmin: { clientId: adminClientId, secret: adminSecret },
  log: (line) => console.log(line),
}).catch((err: Error) => {
  // One line: what is wrong and, where known, what to do (no stack trace for a missing Java).
  console.error(`could not start the local stack: ${err.message}`);
  process.exit(1);
});

console.log(
  startBanner({
    base: stack.baseUrl,
    issuerBase: env.ISSUER_BASE_URL || stack.baseUrl,
    ...(stack.albBaseUrl ? { albBaseUrl: stack.albBaseUrl } : {}),
    adminClientId,
    adminSecret,
    logFile,
    awsEnv: stack.env,
  }),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    void stack.stop().then(() => process.exit(0));
  });
}
