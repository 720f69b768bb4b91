import { ADMIN_FUNCTION_ROUTES } from './families.js';
import { ADMIN_HEAVY_ROUTES } from './heavyFamilies.js';
import type { AdminRoute } from './route.js';

/**
 * The whole Admin REST API in one route table, for in-process use (tests, the bench). Deployed, it
 * is two functions (admin and adminHeavy, serverless.yml) each with its own part: see
 * lib/adminApi/heavyFamilies.ts for why.
 */
export const ADMIN_ROUTES: readonly AdminRoute[] = [...ADMIN_FUNCTION_ROUTES, ...ADMIN_HEAVY_ROUTES];
