import { ADMIN_HEAVY_ROUTES } from '../lib/adminApi/heavyFamilies.js';
import { AdminRouter } from '../lib/adminApi/router.js';
import { ADMIN_BUDGET_MS, createAdminRuntime } from '../lib/adminRuntime.js';
import { httpHandler } from '../lib/http/handler.js';

const runtime = createAdminRuntime();
const router = new AdminRouter(ADMIN_HEAVY_ROUTES);

/**
 * The Admin REST API's rarely used heavy routes (lib/adminApi/heavyFamilies.ts: `POST /admin/realms`,
 * `…/clients/{id}/evaluate-scopes/…`), with the admin function's runtime, authentication and rights.
 */
export const handler = httpHandler((request) => router.handle(runtime.deps, request), { log: runtime.log, budgetMs: ADMIN_BUDGET_MS });
