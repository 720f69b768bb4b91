/**
 * What the clients table holds, in Keycloak's vocabulary (RealmRepresentation, ClientRepresentation,
 * RoleRepresentation, ClientScopeRepresentation), reduced to what a service-account token needs.
 */

/** Role mappings as Keycloak exports them: realm role names, and client role names per owning clientId. */
export interface RoleMappings {
  realm: string[];
  client: Record<string, string[]>;
}

export type SignatureAlgorithm = 'RS256' | 'ES256';

export interface RealmSettings {
  realm: string;
  enabled: boolean;
  /** Seconds. Keycloak's default is 300. */
  accessTokenLifespan: number;
  ssoSessionIdleTimeout: number;
  ssoSessionMaxLifespan: number;
  /** 0 means unset: fall back to the SSO session setting, as Keycloak does. */
  clientSessionIdleTimeout: number;
  clientSessionMaxLifespan: number;
  revokeRefreshToken: boolean;
  refreshTokenMaxReuse: number;
  /** Epoch seconds; tokens issued before it are stale. 0 when never pushed. */
  notBefore: number;
  defaultSignatureAlgorithm: SignatureAlgorithm;
  /** The composite `default-roles-<realm>` role's name; its expansion is what a new service account gets. */
  defaultRole: string;
  defaultDefaultClientScopes: string[];
  defaultOptionalClientScopes: string[];
}

/** A composite role and what it contains. Plain roles need no lookup to be put in a token. */
export interface CompositeRole {
  /** undefined for a realm role, else the owning client's clientId. */
  client?: string;
  name: string;
  composites: RoleMappings;
}

export interface Role {
  client?: string;
  name: string;
  description?: string;
  composite: boolean;
  composites?: RoleMappings;
}

export interface ClientScope {
  name: string;
  protocol: string;
  /** Keycloak attribute `include.in.token.scope`: whether the scope's name goes in the `scope` claim. */
  includeInTokenScope: boolean;
  /** Roles this scope lets a client with fullScopeAllowed=false put in its tokens. */
  scopeMappings: RoleMappings;
}

export type ClientAuthenticatorType = 'client-secret' | 'client-jwt' | 'client-secret-jwt';

export interface ClientRecord {
  realm: string;
  clientId: string;
  /** Keycloak's internal id of the client (a UUID in exports). */
  id: string;
  enabled: boolean;
  publicClient: boolean;
  bearerOnly: boolean;
  serviceAccountsEnabled: boolean;
  fullScopeAllowed: boolean;
  clientAuthenticatorType: ClientAuthenticatorType;
  /** Hash of the current secret (see lib/clientAuth/secretHash.ts); never the secret itself. */
  secretHash?: string;
  /** After a rotation, the previous secret's hash stays valid until `rotatedSecretExpiresAt` (epoch seconds). */
  rotatedSecretHash?: string;
  rotatedSecretExpiresAt?: number;
  defaultClientScopes: string[];
  optionalClientScopes: string[];
  attributes: Record<string, string>;
  notBefore: number;
  /** The service-account user (`service-account-<clientId>`) and its role mappings. */
  serviceAccount?: { id: string; username: string; roles: RoleMappings };
  /** Roles this client may put in tokens when fullScopeAllowed is false (Keycloak's scope mappings). */
  scopeMappings: RoleMappings;
}

export type SigningKeyStatus = 'active' | 'passive';

/** A realm signing key. In `kms` mode the private key never leaves KMS. */
export interface SigningKeyRecord {
  kid: string;
  alg: SignatureAlgorithm;
  status: SigningKeyStatus;
  provider: 'kms';
  /** KMS key id or ARN used for kms:Sign. */
  kmsKeyId: string;
  /** The public key as a JWK (kty, n/e or crv/x/y), read from kms:GetPublicKey when the key was registered. */
  publicJwk: Record<string, string>;
  createdAt: number;
  /** Epoch seconds after which a passive key is no longer published. */
  retireAt?: number;
}

/** Everything realm-wide that a grant needs; cached per container. */
export interface RealmData {
  settings: RealmSettings;
  compositeRoles: CompositeRole[];
  clientScopes: ClientScope[];
  keys: SigningKeyRecord[];
}

export function emptyRoleMappings(): RoleMappings {
  return { realm: [], client: {} };
}
