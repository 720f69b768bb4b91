import { discoveryDocument } from '../lib/discovery.js';
import { tokenGrants } from '../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/response.js';
import { createRuntime, preloadRealms, issuerFor } from '../lib/runtime.js';

const runtime = createRuntime();
await preloadRealms(runtime);

/** GET /realms/{realm}/.well-known/openid-configuration */
export const handler = httpHandler(async (request) => {
  const realm = await runtime.realms.get(request.realm);
  const authMethods = [...new Set(runtime.clientAuthMethods.map((method) => method.name).filter((name) => name !== 'none'))];
  return json(200, discoveryDocument(issuerFor(runtime, request, request.realm), realm, Object.keys(tokenGrants), authMethods));
}, { observe: runtime.observability });
