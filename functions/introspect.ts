import { introspect } from '../lib/grants/introspect.js';
import { httpHandler } from '../lib/http/handler.js';
import { createRuntime, preloadRealms } from '../lib/runtime.js';

const runtime = createRuntime();
await preloadRealms(runtime, { authenticatesClients: true });

/** POST /realms/{realm}/protocol/openid-connect/token/introspect (RFC 7662). */
export const handler = httpHandler((request) => introspect(runtime, request), { noStore: true, observe: runtime.observability });
