import { evaluateScopesRoutes } from './evaluateScopes.js';
import { realmCreateRoutes } from './realmCreate.js';
import type { AdminRoute } from './route.js';

/**
 * The Admin API's rarely used routes whose code is heavy: realm creation with a whole realm export
 * (the import code, lib/admin/realmImport*) and the client's Client scopes › Evaluate tab (scope
 * evaluation and the token preview, which builds tokens with the token endpoint's code). They are
 * served by their own function (functions/adminHeavy.ts; serverless.yml routes exactly these paths
 * to it, more specific than the admin function's `/admin/{proxy+}`), so that the admin function's
 * bundle stays under 400 KB (issue 21; docs/performance.md "Cold starts and bundles"). esbuild code
 * splitting is no way out: serverless-esbuild would zip every chunk into every function.
 * A route added here needs its path in serverless.yml's adminHeavy events.
 */
export const ADMIN_HEAVY_ROUTES: readonly AdminRoute[] = [...realmCreateRoutes, ...evaluateScopesRoutes];
