import { readRealmRoles } from '../admin/roles.js';
import { roleId } from '../admin/ids.js';
import { mappingRefs, type RoleName } from '../model/roleMappings.js';
import type { Role } from '../model/stored.js';
import { forbidden, notFound } from './errors.js';
import { mayMapRole } from './rights.js';
import { containersFor } from './roleContainers.js';
import { page } from './query.js';
import { briefRoleRepresentation, parseRoleReferences } from '../representation/role.js';
import { ok, type AdminCall } from './route.js';

/**
 * A role's composites as RoleResource (the base of RoleByIdResource and RoleContainerResource)
 * reads and changes them: listed in brief form, named in a body by `id`.
 */

/** Brief representations of a composite's members, with `search` and `first`/`max` as Keycloak reads them. */
export async function listComposites(call: AdminCall, role: Role, keep: (member: RoleName) => boolean) {
  const members = mappingRefs(role.composites ?? { realm: [], client: {} }).filter(keep);
  const roles = await readRealmRoles(call.admin, call.realm!.realm);
  const byKey = new Map(roles.map((r) => [`${r.client ?? ''}\u0000${r.name}`, r]));
  const search = (call.query.get('search') ?? '').trim().toLowerCase();
  const found = members
    .flatMap((member) => byKey.get(`${member.client ?? ''}\u0000${member.name}`) ?? [])
    .filter((member) => search === '' || member.name.toLowerCase().includes(search));
  const containers = await containersFor(call, found);
  return ok(page(found, call.query).map((member) => briefRoleRepresentation(member, containers)));
}

/**
 * The roles a composites body names, each by `id` (RoleResource.addComposites): an unknown or
 * missing id is 404 `Could not find composite role`; one of Keycloak's admin roles needs the
 * caller to hold it when added (RolePermissions.requireMapComposite).
 */
export async function compositeMembers(call: AdminCall, adding: boolean): Promise<Role[]> {
  const body = call.body('array');
  const refs = parseRoleReferences((body ?? []) as unknown[]);
  const roles = await readRealmRoles(call.admin, call.realm!.realm);
  const realm = call.realm!.realm;
  return refs.map((ref) => {
    const member = ref.id === undefined ? undefined : roles.find((role) => roleId(realm, role) === ref.id);
    if (!member) throw notFound('Could not find composite role');
    if (adding && !mayMapRole(call.caller, realm, member)) throw forbidden();
    return member;
  });
}

