import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/response.js';
import { createRuntime, preloadRealms } from '../lib/runtime.js';

const runtime = createRuntime();
await preloadRealms(runtime);

/** GET /realms/{realm}/protocol/openid-connect/certs: the realm's public signing keys (RFC 7517). */
export const handler = httpHandler(async (request) => {
  const realm = await runtime.realms.get(request.realm);
  return json(200, realm.keys.jwks(runtime.now()), { 'Cache-Control': 'no-cache' });
}, { observe: runtime.observability });
