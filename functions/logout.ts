import { logout } from '../lib/grants/logout.js';
import { httpHandler } from '../lib/http/handler.js';
import { createRuntime, preloadRealms } from '../lib/runtime.js';

const runtime = createRuntime();
await preloadRealms(runtime, { authenticatesClients: true });

/** POST /realms/{realm}/protocol/openid-connect/logout with refresh_token and client authentication. */
export const handler = httpHandler((request) => logout(runtime, request), { noStore: true, observe: runtime.observability });
