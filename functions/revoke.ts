import { revoke } from '../lib/grants/revoke.js';
import { httpHandler } from '../lib/http/handler.js';
import { createRuntime, preloadRealms } from '../lib/runtime.js';

const runtime = createRuntime();
await preloadRealms(runtime, { authenticatesClients: true });

/** POST /realms/{realm}/protocol/openid-connect/revoke (RFC 7009). */
export const handler = httpHandler((request) => revoke(runtime, request), { noStore: true, observe: runtime.observability });
