import manifest from 'sa-console-manifest';
import { consoleAssets, serveConsole } from '../console/serve.js';
import { httpHandler } from '../lib/http/handler.js';

/** Built by console/build.mjs before bundling, embedded in this bundle (console/manifest.d.ts). */
const assets = consoleAssets(manifest);

/** The admin console's page and assets: `GET /admin/{realm}/console/…`, also under `/auth` (console/serve.ts). */
export const handler = httpHandler(async (request) => serveConsole(assets, request));
