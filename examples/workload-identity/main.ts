import { runWorkloadIdentityExample } from './workload.js';

/**
 * `npm run example:workload-identity` against the stack `npm start` runs: PORT and the bootstrap
 * admin of the local stage by default, ADMIN_CLIENT_ID / ADMIN_CLIENT_SECRET for another one.
 */
const base = process.env.BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
await runWorkloadIdentityExample({
  base,
  realm: process.env.REALM ?? 'demo',
  admin: { clientId: process.env.ADMIN_CLIENT_ID ?? 'temp-admin', clientSecret: process.env.ADMIN_CLIENT_SECRET ?? 'temp-admin-secret' },
}).catch((err: Error) => {
  console.error(`example failed: ${err.message} (is \`npm start\` running?)`);
  process.exit(1);
});
