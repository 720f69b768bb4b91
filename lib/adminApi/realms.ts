import { MASTER_REALM } from '../admin/realmManagement.js';
import { deleteRealm, findDefaultRole, findRealmSettings, listRealms, updateRealm, type RealmChanges } from '../admin/realms.js';
import { briefRealmRepresentation, parseRealmRepresentation, realmRepresentation } from '../representation/realm.js';
import { readString, type JsonObject } from '../representation/json.js';
import type { RealmSettings } from '../model/stored.js';
import { badRequest, conflict, forbidden } from './errors.js';
import { rightsIn } from './rights.js';
import { noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Realms (Keycloak's RealmsAdminResource and RealmAdminResource): list, read, partial update,
 * delete, push-revocation (create: lib/adminApi/realmCreate.ts, served by the adminHeavy function).
 * A RealmRepresentation's fields this service does not use (themes, SMTP, flows, password policy, …)
 * are kept as sent in the realm's `extra` and returned on read.
 */

/** RealmRepresentation with its default role, as Keycloak's RealmAdminResource.getRealm. */
async function representation(call: AdminCall, settings: RealmSettings): Promise<JsonObject> {
  return realmRepresentation(settings, await findDefaultRole(call.admin, settings));
}

async function list(call: AdminCall) {
  const brief = call.query.get('briefRepresentation') === 'true';
  const listed: JsonObject[] = [];
  for (const settings of await listRealms(call.admin)) {
    const rights = rightsIn(call.caller, settings.realm);
    if (rights.has('view-realm')) listed.push(brief ? briefRealmRepresentation(settings) : await representation(call, settings));
    // Keycloak lists a realm the caller administers in some other way by name only.
    else if (rights.size > 0) listed.push({ realm: settings.realm });
  }
  if (listed.length === 0) throw forbidden();
  return ok(listed);
}

async function update(call: AdminCall) {
  const settings = call.realm!;
  const body = (call.body('object') as JsonObject | undefined) ?? {};
  const name = readString(body, 'realm');
  if (name !== undefined && name !== settings.realm) {
    if (settings.realm === MASTER_REALM) throw badRequest("Can't rename master realm");
    if (await findRealmSettings(call.admin, name)) throw conflict('Realm with same name exists');
    // Renaming moves every item to a new partition and re-wraps secrets bound to the realm name: LATER.
    throw badRequest('Renaming a realm is not supported by this service');
  }
  const { settings: changes, extra } = parseRealmRepresentation(body);
  const withExtra: RealmChanges = { ...changes, ...(Object.keys(extra).length > 0 ? { extra } : {}) };
  if (Object.keys(withExtra).length > 0) await updateRealm(call.admin, settings.realm, withExtra);
  return noContent();
}

export const realmRoutes: AdminRoute[] = [
  { method: 'GET', path: '/realms', right: null, handle: list },
  { method: 'GET', path: '/realms/{realm}', right: 'view-realm', handle: async (call) => ok(await representation(call, call.realm!)) },
  { method: 'PUT', path: '/realms/{realm}', right: 'manage-realm', handle: update },
  {
    method: 'DELETE',
    path: '/realms/{realm}',
    right: 'manage-realm',
    handle: async (call) => {
      await deleteRealm(call.admin, call.realm!.realm);
      return noContent();
    },
  },
  // Keycloak posts the not-before to every client with an admin URL; none has one here, so nothing is sent.
  { method: 'POST', path: '/realms/{realm}/push-revocation', right: 'manage-realm', handle: async () => ok({}) },
];
