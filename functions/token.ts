import { tokenEndpoint, tokenGrants } from '../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../lib/http/handler.js';
import { createRuntime, preloadRealms } from '../lib/runtime.js';

// Built once per container: SDK clients, caches and keys outlive the invocation.
const runtime = createRuntime({ signsTokens: true });
await preloadRealms(runtime, { signsTokens: true, authenticatesClients: true });

/** POST /realms/{realm}/protocol/openid-connect/token (and the legacy /auth form). */
export const handler = httpHandler((request) => tokenEndpoint(runtime, request, tokenGrants), { noStore: true, observe: runtime.observability });
