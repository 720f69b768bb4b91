/**
 * The clients table's key layout, private to lib/store: nothing outside it spells a sort key.
 *
 * One partition per realm (`pk = REALM#<realm>`). Sort keys are chosen so that everything
 * realm-wide a grant needs is read under the `META#` prefix (settings, composite roles, client
 * scopes with their protocol mappers, groups, keys, identity providers), while per-client data is
 * one GetItem. Plain (non-composite) roles live under `ROLE#`: a token can name them without
 * reading them, so they stay off the hot path even in realms with tens of thousands of clients.
 */
import { createHash } from 'node:crypto';
import type { IdentityProvider } from '../model/identityProvider.js';
import type { RoleName } from '../model/roleMappings.js';
import type {
  ClientRecord,
  ClientScope,
  FederatedLink,
  Group,
  RealmSettings,
  RefreshKeyRecord,
  Role,
  SigningKeyRecord,
} from '../model/stored.js';

export type ClientsTableItem =
  | ({ kind: 'settings' } & RealmSettings)
  | ({ kind: 'role' } & Role)
  | ({ kind: 'clientScope' } & ClientScope)
  | ({ kind: 'group' } & Group)
  | ({ kind: 'key' } & SigningKeyRecord)
  | ({ kind: 'refreshKey' } & RefreshKeyRecord)
  | ({ kind: 'client' } & ClientRecord)
  | ({ kind: 'pepper' } & PepperRecord)
  | ({ kind: 'identityProvider' } & IdentityProvider)
  | ({ kind: 'federatedLink' } & FederatedLink)
  | ({ kind: 'realmClaim' } & RealmClaim);

/**
 * What names one item of a realm, in the model's words: an item itself names its key, and so
 * does `{ kind: 'group', id }`. A role is named without saying whether it is composite: deleting
 * it by name removes it under either key.
 */
export type ItemKey =
  | { kind: 'settings' | 'refreshKey' | 'pepper' | 'realmClaim' }
  | ({ kind: 'role' } & RoleName)
  | { kind: 'clientScope'; name: string }
  | { kind: 'group'; id: string }
  | { kind: 'key'; kid: string }
  | { kind: 'client'; clientId: string }
  | { kind: 'identityProvider'; alias: string }
  | ({ kind: 'federatedLink' } & FederatedLink);

/**
 * A realm name taken by its creator (lib/admin/realmClaim.ts): `creating` until every item of the
 * realm is written, then `created`.
 */
export interface RealmClaim {
  creator: string;
  claimedAt: number;
  state: 'creating' | 'created';
}

/** The realm's client-secret pepper, wrapped under the stage's secrets key (lib/clientAuth/secretPepper.ts). */
export interface PepperRecord {
  ciphertext: string;
  createdAt: number;
}

/** The prefixes a Query reads a kind of item by. `META#` is what the token path's realm load reads (realmWideRanges). */
export const prefix = {
  realmWide: 'META#',
  compositeRole: 'META#ROLE#',
  plainRole: 'ROLE#',
  clientScope: 'META#SCOPE#',
  group: 'META#GROUP#',
  key: 'META#KEY#',
  identityProvider: 'META#IDP#',
  client: 'CLIENT#',
};

/**
 * The `META#` prefix cut into contiguous sort-key ranges that a realm load Queries in parallel
 * (ClientsTable.loadRealm): composite roles and client scopes, the largest kinds, each get one,
 * everything else (settings, groups, keys, identity providers, …) the first. Each range is
 * `[from, to]` inclusive, as DynamoDB's `BETWEEN` reads; an item whose key equals a range's `to` is
 * the next range's (no stored key does: every kind's key continues past its prefix). `META$` is
 * the first string past every `META#…` key ('$' follows '#').
 */
export const realmWideRanges: readonly { from: string; to: string }[] = [
  { from: prefix.realmWide, to: prefix.compositeRole },
  { from: prefix.compositeRole, to: prefix.clientScope },
  { from: prefix.clientScope, to: 'META$' },
];

export const sk = {
  settings: 'META#CONFIG',
  compositeRole: (role: RoleName) => `${prefix.compositeRole}${roleSortKey(role)}`,
  plainRole: (role: RoleName) => `${prefix.plainRole}${roleSortKey(role)}`,
  clientScope: (name: string) => `${prefix.clientScope}${name}`,
  /** By id, not path: renaming a group must not move its item. */
  group: (id: string) => `${prefix.group}${id}`,
  key: (kid: string) => `${prefix.key}${kid}`,
  /** One per realm, so a second writer's conditional put fails instead of adding a rival key. */
  refreshKey: 'META#REFRESH_KEY',
  client: (clientId: string) => `${prefix.client}${clientId}`,
  pepper: 'META#PEPPER',
  identityProvider: (alias: string) => `${prefix.identityProvider}${alias}`,
  /**
   * One per `federated-jwt` client, under META# so the realm's load brings the whole
   * `(alias, sub) → clients` index to the token path. The subject is hashed: it is the external
   * issuer's text, of any length, and a sort key holds at most 1 KB.
   */
  federatedLink: (link: FederatedLink) => `META#FED#${link.alias}\u0000${subjectKey(link.sub)}\u0000${link.clientId}`,
  /**
   * Who is making the realm, written before anything else of it (lib/admin/realmClaim.ts). Off
   * `META#`, so the token path's realm load never reads it.
   */
  realmClaim: 'CLAIM',
};

/** The prefix of one owner's roles: a client's, or the realm's own (`client` undefined). */
export const roleOwnerPrefix = (client: string | undefined) => (client === undefined ? 'R\u0000' : `C\u0000${client}\u0000`);

// A NUL cannot appear in Keycloak client ids or role names, so realm and client roles never collide.
const roleSortKey = (role: RoleName) => `${roleOwnerPrefix(role.client)}${role.name}`;

const subjectKey = (sub: string) => createHash('sha256').update(sub, 'utf8').digest('base64url');

export const realmPk = (realm: string) => `REALM#${realm}`;

/**
 * A realm's version: one small item, in a partition of its own, that every write of the realm's
 * items bumps after it lands. Containers read it (one GetItem) instead of reloading the realm when
 * their cache time has passed, and reload only when it moved (lib/realmContext.ts). Outside the
 * realm's partition so that deleting a realm leaves it behind: a realm deleted and made again
 * counts on from where it was, and a container holding the old realm sees a new version, never
 * the same number again.
 */
export const realmVersionKey = (realm: string) => ({ pk: `REALM_VERSION#${realm}`, sk: 'VERSION' });

/**
 * The sort keys an item may be stored under. A role has two: composite roles sit under `META#`,
 * where every grant's realm Query reads them, and plain roles off it. Writing a role puts it under
 * the key its `composite` says and deletes the other (ClientsTable.putItem); this is the one place
 * the rule is written.
 */
export function sortKeysOf(key: ItemKey): { key: string; others: string[] } {
  switch (key.kind) {
    case 'settings':
      return only(sk.settings);
    case 'role': {
      const [composite, plain] = [sk.compositeRole(key), sk.plainRole(key)];
      if (!('composite' in key) || typeof key.composite !== 'boolean') return { key: composite, others: [plain] };
      return key.composite ? { key: composite, others: [plain] } : { key: plain, others: [composite] };
    }
    case 'clientScope':
      return only(sk.clientScope(key.name));
    case 'group':
      return only(sk.group(key.id));
    case 'key':
      return only(sk.key(key.kid));
    case 'refreshKey':
      return only(sk.refreshKey);
    case 'client':
      return only(sk.client(key.clientId));
    case 'pepper':
      return only(sk.pepper);
    case 'identityProvider':
      return only(sk.identityProvider(key.alias));
    case 'federatedLink':
      return only(sk.federatedLink(key));
    case 'realmClaim':
      return only(sk.realmClaim);
  }
}

const only = (key: string) => ({ key, others: [] });

/** The sort key an item is stored under. */
export const sortKeyOf = (item: ClientsTableItem) => sortKeysOf(item).key;
