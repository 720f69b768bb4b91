import { refreshGrants, tokenEndpoint } from '../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../lib/http/handler.js';
import { createRuntime, preloadRealms } from '../lib/runtime.js';

const runtime = createRuntime({ signsTokens: true });
await preloadRealms(runtime, { signsTokens: true, authenticatesClients: true });

/**
 * POST /realms/{realm}/protocol/openid-connect/token/refresh: the refresh grant as a Lambda of its
 * own, so refresh traffic can be routed, scaled and permitted apart from new grants.
 */
export const handler = httpHandler((request) => tokenEndpoint(runtime, request, refreshGrants), { noStore: true, observe: runtime.observability });
