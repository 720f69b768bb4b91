import { importRealmExport } from '../admin/realmImport.js';
import { apiCreator } from '../admin/realmClaim.js';
import { realmNameProblem } from '../admin/realmName.js';
import { MASTER_REALM } from '../admin/realmManagement.js';
import { createRealm, deleteRealm, findDefaultRole, findRealmSettings, listRealms, updateRealm, type RealmChanges } from '../admin/realms.js';
import { briefRealmRepresentation, parseRealmRepresentation, realmRepresentation } from '../representation/realm.js';
import { readString, type JsonObject } from '../representation/json.js';
import type { RealmSettings } from '../model/stored.js';
import { badRequest, conflict, conflictAs, forbidden } from './errors.js';
import { rightsIn } from './rights.js';
import { created, noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Realms (Keycloak's RealmsAdminResource and RealmAdminResource): list, create (with Keycloak's
 * defaults, or a whole realm export imported with import-realm's rules), read, partial update,
 * delete, push-revocation. A RealmRepresentation's fields this service does not use (themes,
 * SMTP, flows, password policy, …) are kept as sent in the realm's `extra` and returned on read.
 */

/**
 * Realms made through the API sign with envelope keys (a key pair KMS generates, stored wrapped
 * under the stage's secrets key): the admin function may not create KMS keys, which a `kms` realm's
 * own signing keys would need. `sa-admin keys rotate --mode kms` moves a realm to KMS signing.
 */
const NEW_REALM_SIGNING = 'envelope' as const;

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
  { method: 'POST', path: '/realms', right: 'create-realm', handle: create },
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
