import { importRealmExport } from '../admin/realmImport.js';
import { apiCreator } from '../admin/realmClaim.js';
import { realmNameProblem } from '../admin/realmName.js';
import { createRealm, updateRealm } from '../admin/realms.js';
import { parseRealmRepresentation } from '../representation/realm.js';
import { readString, type JsonObject } from '../representation/json.js';
import { badRequest, conflictAs } from './errors.js';
import { created, type AdminCall, type AdminRoute } from './route.js';

/**
 * Realm creation (Keycloak's RealmsAdminResource.importRealm, `POST /admin/realms`): with Keycloak's
 * defaults, or a whole realm export imported with import-realm's rules. Apart from the other realm
 * routes (lib/adminApi/realms.ts) because the import code is the admin bundle's largest rarely used
 * part: it is served by its own function (functions/adminHeavy.ts, lib/adminApi/heavyFamilies.ts).
 */

/**
 * Realms made through the API sign with envelope keys (a key pair KMS generates, stored wrapped
 * under the stage's secrets key): the admin function may not create KMS keys, which a `kms` realm's
 * own signing keys would need. `sa-admin keys rotate --mode kms` moves a realm to KMS signing.
 */
const NEW_REALM_SIGNING = 'envelope' as const;

const EXPORT_PARTS = ['clients', 'roles', 'clientScopes', 'users', 'scopeMappings', 'clientScopeMappings', 'groups'];

async function create(call: AdminCall) {
  const body = call.body('object') as JsonObject | undefined;
  if (!body) throw badRequest('Realm name cannot be empty');
  const name = readString(body, 'realm');
  if (name === undefined || name === '') throw badRequest('Realm name cannot be empty');
  const problem = realmNameProblem(name);
  if (problem !== undefined) throw badRequest(`Realm name is not valid: it ${problem}`);
  // The caller claims the name before anything is written (lib/admin/realmClaim.ts): a second
  // create of the same name, even while this one is still making keys, is Keycloak's 409.
  const creator = apiCreator(call.caller.realm, call.caller.clientId);
  const DUPLICATE = 'Conflict detected. See logs for details';
  const { settings, extra } = parseRealmRepresentation(body);
  if (EXPORT_PARTS.some((part) => body[part] !== undefined)) {
    // A whole realm export: import-realm's rules (ids kept, secrets hashed, realm-management included).
    await conflictAs(DUPLICATE, () => importRealmExport(call.admin, body, { signingMode: NEW_REALM_SIGNING, creator, createOnly: true }));
    // The import keeps the extras it may (never the SMTP password); what this caller sent is theirs to read back.
    if (Object.keys(extra).length > 0) await updateRealm(call.admin, name, { extra });
  } else {
    const id = readString(body, 'id');
    const changes = { ...settings, signingMode: NEW_REALM_SIGNING, extra };
    await conflictAs(DUPLICATE, () => createRealm(call.admin, name, changes, { ...(id ? { id } : {}), creator }));
  }
  return created(call.url('realms', name));
}

export const realmCreateRoutes: AdminRoute[] = [{ method: 'POST', path: '/realms', right: 'create-realm', handle: create }];
