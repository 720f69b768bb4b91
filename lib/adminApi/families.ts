import { clientRoutes } from './clients.js';
import { clientScopeRoutes } from './clientScopes.js';
import { groupRoutes } from './groups.js';
import { identityProviderRoutes } from './identityProviders.js';
import { keyRoutes } from './keys.js';
import { protocolMapperRoutes } from './protocolMappers.js';
import { realmDefaultScopeRoutes } from './realmDefaultScopes.js';
import { realmRoutes } from './realms.js';
import { roleMappingRoutes } from './roleMappings.js';
import { roleRoutes } from './roles.js';
import { roleByIdRoutes } from './rolesById.js';
import type { AdminRoute } from './route.js';
import { scopeMappingRoutes } from './scopeMappings.js';
import { serverInfoRoutes } from './serverInfo.js';
import { sessionRoutes } from './sessions.js';
import { userGroupRoutes } from './userGroups.js';
import { userRoutes } from './users.js';
import { whoAmIRoutes } from './whoAmI.js';

/**
 * Every path family's route table, one per Keycloak admin resource class
 * (services/…/resources/admin/: ServerInfoAdminResource, RealmsAdminResource, ClientsResource,
 * RoleContainerResource, RoleMapperResource, ClientScopeResource, ProtocolMappersResource,
 * ScopeMappedResource, GroupsResource, …). To add a family: export an `AdminRoute[]` from its module and list it
 * here; the router (lib/adminApi/router.ts) refuses two routes with the same method and path.
 *
 * These are the routes the admin function (functions/admin.ts) serves; the rarely used routes whose
 * code would take its bundle past 400 KB are lib/adminApi/heavyFamilies.ts's, served by adminHeavy.
 * The whole Admin API in one router (tests, the bench, anything in-process): lib/adminApi/allFamilies.ts.
 */
export const ADMIN_FUNCTION_ROUTES: readonly AdminRoute[] = [
  ...serverInfoRoutes,
  ...realmRoutes,
  ...clientRoutes,
  ...roleRoutes,
  ...roleByIdRoutes,
  ...userRoutes,
  ...userGroupRoutes,
  ...groupRoutes,
  ...roleMappingRoutes,
  ...clientScopeRoutes,
  ...realmDefaultScopeRoutes,
  ...protocolMapperRoutes,
  ...scopeMappingRoutes,
  ...whoAmIRoutes,
  ...identityProviderRoutes,
  ...sessionRoutes,
  ...keyRoutes,
];
