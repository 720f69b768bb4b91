import { REALM_SETTINGS_FIELDS } from '../admin/keycloakRealm.js';
import { importRealmExport } from '../admin/realmImport.js';
import { apiCreator } from '../admin/realmClaim.js';
import { realmNameProblem } from '../admin/realmName.js';
import { MASTER_REALM } from '../admin/realmManagement.js';
import { createRealm, deleteRealm, listRealms, updateRealm, type RealmChanges } from '../admin/realms.js';
import type { RealmSettings, SignatureAlgorithm } from '../store/model.js';
import { badRequest, conflict, conflictAs, forbidden } from './errors.js';
import { extras, readBoolean, readInteger, readObject, readString, readStringArray, type JsonObject } from './json.js';
import { rightsIn } from './rights.js';
import { created, noContent, ok, type AdminCall, type AdminRoute } from './route.js';

/**
 * Realms (Keycloak's RealmsAdminResource and RealmAdminResource): list, create (with Keycloak's
 * defaults, or a whole realm export imported with import-realm's rules), read, partial update,
 * delete, push-revocation. A RealmRepresentation's fields this service does not use (themes,
 * SMTP, flows, password policy, …) are kept as sent in the realm's `extra` and returned on read.
 */

/** RealmRepresentation fields stored in RealmSettings, so not kept as extras. */
const MODELLED = new Set<string>(REALM_SETTINGS_FIELDS);

/** Nested collections of a realm export: imported on create, ignored on update (Keycloak's updateRealm ignores them too). */
const NESTED = new Set([
  'users',
  'clients',
  'roles',
  'clientScopes',
  'scopeMappings',
  'clientScopeMappings',
  'groups',
  'defaultRoles',
  'components',
  'keys',
  'identityProviders',
  'authenticationFlows',
  'federatedUsers',
  'clientTemplates',
]);

/**
 * Realms made through the API sign with envelope keys (a key pair KMS generates, stored wrapped
 * under the stage's secrets key): the admin function may not create KMS keys, which a `kms` realm's
 * own signing keys would need. `sa-admin keys rotate --mode kms` moves a realm to KMS signing.
 */
const NEW_REALM_SIGNING = 'envelope' as const;

function realmChanges(body: JsonObject): RealmChanges {
  // The provider sends `"defaultSignatureAlgorithm": ""` whenever its config leaves it out;
  // Keycloak stores the empty string, which means "unset" (RS256). Empty leaves it unchanged here.
  const sent = readString(body, 'defaultSignatureAlgorithm');
  const algorithm = sent === '' ? undefined : sent;
  const changes: RealmChanges = {
    enabled: readBoolean(body, 'enabled'),
    accessTokenLifespan: readInteger(body, 'accessTokenLifespan'),
    ssoSessionIdleTimeout: readInteger(body, 'ssoSessionIdleTimeout'),
    ssoSessionMaxLifespan: readInteger(body, 'ssoSessionMaxLifespan'),
    clientSessionIdleTimeout: readInteger(body, 'clientSessionIdleTimeout'),
    clientSessionMaxLifespan: readInteger(body, 'clientSessionMaxLifespan'),
    revokeRefreshToken: readBoolean(body, 'revokeRefreshToken'),
    refreshTokenMaxReuse: readInteger(body, 'refreshTokenMaxReuse'),
    notBefore: readInteger(body, 'notBefore'),
    defaultSignatureAlgorithm: algorithm as SignatureAlgorithm | undefined,
    defaultDefaultClientScopes: readStringArray(body, 'defaultDefaultClientScopes'),
    defaultOptionalClientScopes: readStringArray(body, 'defaultOptionalClientScopes'),
  };
  if (algorithm !== undefined && algorithm !== 'RS256' && algorithm !== 'ES256') {
    throw badRequest(`Unsupported defaultSignatureAlgorithm '${algorithm}': RS256 or ES256`);
  }
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as RealmChanges;
}

function realmExtras(body: JsonObject): JsonObject {
  return extras(body, new Set([...MODELLED, ...NESTED]));
}

/**
 * RealmRepresentation: stored extras first, the modelled fields over them. Without
 * `defaultDefaultClientScopes`/`defaultOptionalClientScopes`: Keycloak's RealmAdminResource.getRealm
 * leaves them out (only an export carries them; the lists have their own endpoints), and the
 * provider's `keycloak_realm` would otherwise plan a change on every run.
 */
async function realmRepresentation(call: AdminCall, settings: RealmSettings): Promise<JsonObject> {
  const defaultRole = await call.admin.table.getRole(settings.realm, { name: settings.defaultRole });
  return {
    ...settings.extra,
    id: settings.id ?? settings.realm,
    realm: settings.realm,
    enabled: settings.enabled,
    notBefore: settings.notBefore,
    accessTokenLifespan: settings.accessTokenLifespan,
    ssoSessionIdleTimeout: settings.ssoSessionIdleTimeout,
    ssoSessionMaxLifespan: settings.ssoSessionMaxLifespan,
    clientSessionIdleTimeout: settings.clientSessionIdleTimeout,
    clientSessionMaxLifespan: settings.clientSessionMaxLifespan,
    revokeRefreshToken: settings.revokeRefreshToken,
    refreshTokenMaxReuse: settings.refreshTokenMaxReuse,
    defaultSignatureAlgorithm: settings.defaultSignatureAlgorithm,
    defaultRole: {
      ...(defaultRole?.id ? { id: defaultRole.id } : {}),
      name: settings.defaultRole,
      description: defaultRole?.description ?? '${role_default-roles}',
      composite: true,
      clientRole: false,
      containerId: settings.id ?? settings.realm,
    },
  };
}

/** Keycloak's toBriefRepresentation. */
const briefRealm = (settings: RealmSettings) => ({
  id: settings.id ?? settings.realm,
  realm: settings.realm,
  ...(typeof settings.extra?.displayName === 'string' ? { displayName: settings.extra.displayName } : {}),
  enabled: settings.enabled,
});

async function list(call: AdminCall) {
  const brief = call.query.get('briefRepresentation') === 'true';
  const listed: JsonObject[] = [];
  for (const settings of await listRealms(call.admin)) {
    const rights = rightsIn(call.caller, settings.realm);
    if (rights.has('view-realm')) listed.push(brief ? briefRealm(settings) : await realmRepresentation(call, settings));
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
  if (EXPORT_PARTS.some((part) => body[part] !== undefined)) {
    // A whole realm export: import-realm's rules (ids kept, secrets hashed, realm-management included).
    await conflictAs(DUPLICATE, () => importRealmExport(call.admin, body, { signingMode: NEW_REALM_SIGNING, creator, createOnly: true }));
    const imported = await call.admin.table.loadRealm(name);
    const extra = realmExtras(body);
    if (imported && Object.keys(extra).length > 0) {
      await updateRealm(call.admin, name, { extra: { ...imported.settings.extra, ...extra } });
    }
  } else {
    const id = readString(body, 'id');
    const changes = { ...realmChanges(body), signingMode: NEW_REALM_SIGNING, extra: realmExtras(body) };
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
    if (await call.admin.table.loadRealm(name)) throw conflict('Realm with same name exists');
    // Renaming moves every item to a new partition and re-wraps secrets bound to the realm name: LATER.
    throw badRequest('Renaming a realm is not supported by this service');
  }
  const extra = realmExtras(body);
  const changes: RealmChanges = { ...realmChanges(body), ...(Object.keys(extra).length > 0 ? { extra: { ...settings.extra, ...extra } } : {}) };
  if (Object.keys(changes).length > 0) await updateRealm(call.admin, settings.realm, changes);
  return noContent();
}

export const realmRoutes: AdminRoute[] = [
  { method: 'GET', path: '/realms', right: null, handle: list },
  { method: 'POST', path: '/realms', right: 'create-realm', handle: create },
  { method: 'GET', path: '/realms/{realm}', right: 'view-realm', handle: async (call) => ok(await realmRepresentation(call, call.realm!)) },
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
