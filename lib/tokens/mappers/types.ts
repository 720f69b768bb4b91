import type { ClientRecord, RealmSettings, ServiceAccountUser } from '../../model/stored.js';
import type { ReservedClaim } from '../reservedClaims.js';
import type { RoleRef } from '../roles.js';
import type { Membership } from '../../model/groupRoles.js';

/**
 * A mapper setting as Keycloak describes it (ProviderConfigProperty, listed by a mapper's
 * getConfigProperties and served in serverinfo's `protocolMapperTypes`): what the admin console
 * draws a form from and the Terraform provider reads.
 */
export interface ConfigProperty {
  name: string;
  label: string;
  helpText: string;
  /** ProviderConfigProperty's type names: String, boolean, List, ClientList, Role. */
  type: 'String' | 'boolean' | 'List' | 'ClientList' | 'Role';
  defaultValue?: string;
  options?: readonly string[];
}

/**
 * What a protocol mapper can write to (Keycloak's OIDCAccessTokenMapper, OIDCIDTokenMapper,
 * TokenIntrospectionTokenMapper and OIDCAccessTokenResponseMapper interfaces).
 */
export type TokenKind = 'access' | 'id' | 'introspection' | 'tokenResponse';

/**
 * The roles a request's mappers see (Keycloak's RoleResolveUtil): the service account's roles in
 * scope, which the role-name and hardcoded-role mappers edit before the role mappers read them.
 */
export interface ResolvedRoles {
  realm: ReadonlySet<string>;
  clients: ReadonlyMap<string, ReadonlySet<string>>;
}

export type { Membership };

/** Everything about the request a mapper may read. */
export interface MapperSubject {
  user: ServiceAccountUser;
  /** The user's direct group memberships, in the order its record lists them. */
  memberships: Membership[];
  client: ClientRecord;
  realm: RealmSettings;
  /**
   * User-session notes (Keycloak's ClientCredentialsGrantType sets client_id, clientId, clientHost
   * and clientAddress); empty when introspection rebuilds a session-less token.
   */
  notes: Readonly<Record<string, string>>;
}

export interface MapperInput extends MapperSubject {
  /** The mapper's own settings, as stored (every value a string). */
  config: Readonly<Record<string, string>>;
  roles: ResolvedRoles;
}

/**
 * One change a mapper asks for. Mappers are pure: they return writes, and lib/tokens/claimWriter.ts
 * applies them with Keycloak's rules (claim paths, reserved names, merging).
 */
export type ClaimWrite =
  /**
   * A claim at `claim.name` (dots nest, `\.` escapes). `multivalued` merges with what is there;
   * `addAll` extends an existing collection without removing duplicates (role mappers on a custom path).
   */
  | { kind: 'claim'; name: string; value: unknown; multivalued: boolean; addAll?: boolean }
  | { kind: 'audience'; audience: string }
  | { kind: 'addRole'; role: RoleRef }
  | { kind: 'renameRole'; from: RoleRef; to: RoleRef };

export interface MapperType {
  /** Keycloak's provider id (`protocolMapper` in an export). */
  id: string;
  /** Keycloak's display type (ProtocolMapper.getDisplayType()). */
  name: string;
  /** What it does, in one sentence (ProtocolMapper.getHelpText()): the console lists it under the name. */
  helpText: string;
  /**
   * The settings this type reads, as Keycloak's getConfigProperties lists them; the token switches
   * (`access.token.claim`, …) are derived from `tokens` (lib/tokens/mappers/configProperties.ts).
   */
  properties: readonly ConfigProperty[];
  /** ProtocolMapper.getPriority(): lower runs first; 0 unless Keycloak says otherwise. */
  priority: number;
  /** The tokens this type can write to; its flags are read only for these. */
  tokens: readonly TokenKind[];
  /**
   * A new mapper's token switches where the form starts them unlike Keycloak's usual (every
   * switch on but lightweight and token response): the audience mapper starts with the ID token off.
   */
  switchDefaults?: Partial<Record<TokenKind, boolean>>;
  /** An absent `access.token.claim` / `introspection.token.claim` means yes (audience resolve, allowed origins). */
  onByDefault?: boolean;
  /** The reserved claims (lib/tokens/reservedClaims.ts) this type may write; none unless declared. */
  reservedClaims?: readonly ReservedClaim[];
  /** Runs for every token whatever its flags say (hardcoded role, role name): it only edits the resolved roles. */
  ignoresFlags?: boolean;
  map(input: MapperInput): ClaimWrite[];
  /** Problems with a configuration, for import and the admin operations; none when it can be applied. */
  validate?(config: Readonly<Record<string, string>>): string[];
}
