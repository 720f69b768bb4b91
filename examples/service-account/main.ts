import { runServiceAccountExample } from './client.js';

/** `npm run example` against the stack `npm start` runs (or ISSUER=… for another one). */
const issuer = process.env.ISSUER ?? `http://localhost:${process.env.PORT ?? 3000}/realms/demo`;
await runServiceAccountExample(issuer).catch((err: Error) => {
  console.error(`example failed: ${err.message} (is \`npm start\` running?)`);
  process.exit(1);
});
