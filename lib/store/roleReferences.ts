import { mapMappings, sameRole, type RoleRewrite } from '../model/roleMappings.js';
import type { Role, RoleMappings } from '../model/stored.js';
import type { ClientsTableItem } from './clientsTableKeys.js';

/**
 * Every place a stored item names a role, rewritten by one function. Renaming a role, renaming
 * a client (its roles' owner) and deleting either are all this rewrite with a different
 * `rewrite`. Keycloak refers to roles by id, so its references follow a rename, and removing a
 * role removes every mapping of it (RoleProvider.removeRole: `users().preRemove(realm, role)` and
 * the RoleRemovedEvent its composites, scope mappings and groups listen to). A kind of item that
 * holds role names and were missing here would be missed by all four at once
 * (test/integration/roleReferences.test.ts checks each kind).
 */

/** What a rewrite makes of one item: unchanged, replaced, or (a role the rewrite drops) deleted. */
export type RewrittenItem = { change: 'none' } | { change: 'replaced'; item: ClientsTableItem } | { change: 'deleted' };

/**
 * The item with every role it names rewritten. A role's own name is a reference too: a role
 * the rewrite renames is returned under its new name (its id kept by `roleId`, so a derived id
 * survives the move), and one it drops is deleted.
 */
export function rewriteItemRoles(item: ClientsTableItem, rewrite: RoleRewrite, roleId?: (role: Role) => string): RewrittenItem {
  switch (item.kind) {
    case 'role': {
      const self = rewrite(item);
      if (self === undefined) return { change: 'deleted' };
      const composites = item.composites && mapMappings(item.composites, rewrite);
      if (sameRole(self, item) && !composites) return { change: 'none' };
      const { client: _client, ...rest } = item;
      const moved = sameRole(self, item) ? item : { ...rest, ...(self.client === undefined ? {} : { client: self.client }), name: self.name, ...(roleId ? { id: roleId(item) } : {}) };
      return replaced({ ...moved, ...(composites ? { composites } : {}) });
    }
    case 'clientScope':
      return replacedIf(mapMappings(item.scopeMappings, rewrite), (scopeMappings) => ({ ...item, scopeMappings }));
    case 'group':
      return replacedIf(mapMappings(item.roles, rewrite), (roles) => ({ ...item, roles }));
    case 'client': {
      const scopeMappings = mapMappings(item.scopeMappings, rewrite);
      const roles = item.serviceAccount && mapMappings(item.serviceAccount.roles, rewrite);
      if (!scopeMappings && !roles) return { change: 'none' };
      return replaced({
        ...item,
        scopeMappings: scopeMappings ?? item.scopeMappings,
        ...(item.serviceAccount ? { serviceAccount: { ...item.serviceAccount, roles: roles ?? item.serviceAccount.roles } } : {}),
      });
    }
    // The realm's default role is a realm role's name, not a mapping: renaming it is the role
    // operation's (lib/admin/roles.ts), and deleting it is refused (Keycloak refuses it too).
    case 'settings':
    case 'key':
    case 'refreshKey':
    case 'pepper':
    case 'identityProvider':
    case 'federatedLink':
    case 'realmClaim':
      return { change: 'none' };
  }
}

const replaced = (item: ClientsTableItem): RewrittenItem => ({ change: 'replaced', item });

function replacedIf(mappings: RoleMappings | undefined, apply: (mappings: RoleMappings) => ClientsTableItem): RewrittenItem {
  return mappings ? replaced(apply(mappings)) : { change: 'none' };
}
