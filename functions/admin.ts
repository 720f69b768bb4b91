import { ADMIN_FUNCTION_ROUTES } from '../lib/adminApi/families.js';
import { AdminRouter } from '../lib/adminApi/router.js';
import { ADMIN_BUDGET_MS, createAdminRuntime } from '../lib/adminRuntime.js';
import { httpHandler } from '../lib/http/handler.js';

const runtime = createAdminRuntime();
const router = new AdminRouter(ADMIN_FUNCTION_ROUTES);

/** Keycloak's Admin REST API: `ANY /admin/{proxy+}` and `ANY /auth/admin/{proxy+}` (lib/adminApi/families.ts); its heavy rare routes are functions/adminHeavy.ts's. */
export const handler = httpHandler((request) => router.handle(runtime.deps, request), { log: runtime.log, budgetMs: ADMIN_BUDGET_MS });
