/**
 * The local KMS endpoint as a process of its own (the bench starts it so):
 *
 *   tsx tools/local-kms/main.ts
 *
 * Environment:
 *   KMS_PORT      port to listen on (default 4599; 0 = ephemeral)
 *   KMS_DATA_DIR  where kms-keys.json lives (default .local/kms)
 *   KMS_HOST      interface to bind (default 127.0.0.1)
 *   KMS_REGION    region used in ARNs (default $AWS_REGION, else us-east-1)
 *
 * Point clients at it with AWS_ENDPOINT_URL_KMS=<printed URL>.
 */
import path from 'node:path';

import { startKmsServer } from './server.js';

const portText = process.env.KMS_PORT ?? '4599';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) {
  console.error(`KMS_PORT must be an integer between 0 and 65535, got '${portText}'`);
  process.exit(1);
}
const dataDir = path.resolve(process.env.KMS_DATA_DIR ?? '.local/kms');
const host = process.env.KMS_HOST ?? '127.0.0.1';
const region = process.env.KMS_REGION ?? process.env.AWS_REGION ?? 'us-east-1';

const server = await startKmsServer({ port, host, dataDir, region });
console.log(`Local KMS listening on ${server.url} (region ${region}, data in ${dataDir})`);
console.log(`  export AWS_ENDPOINT_URL_KMS=${server.url}`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`Received ${signal}, stopping local KMS...`);
  try {
    await server.close();
    process.exit(0);
  } catch (err) {
    console.error('Local KMS failed to stop cleanly:', err);
    process.exit(1);
  }
}
process.on('SIGINT', (signal) => void stop(signal));
process.on('SIGTERM', (signal) => void stop(signal));
