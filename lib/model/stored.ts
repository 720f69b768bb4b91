import type { ClientAuthenticatorType } from './clientAuthenticator.js';
import type { IdentityProvider } from './identityProvider.js';

export type { ClientAuthenticatorType };

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
  /** Stable UUID (Keycloak's realm id), kept through export and import. */
  id?: string;
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
  /**
   * How new signing keys of this realm are made (existing keys keep their own provider):
   * `kms` signs every token with kms:Sign; `envelope` keeps a KMS-wrapped private key and signs in
   * the container. Absent means `kms`.
   */
  signingMode?: SigningMode;
  /** Fields of Keycloak's RealmRepresentation this service does not use, kept as sent. */
  extra?: Record<string, unknown>;
}

export type SigningMode = 'kms' | 'envelope';

/** A composite role and what it contains. Plain roles need no lookup to be put in a token. */
export interface CompositeRole {
  /** undefined for a realm role, else the owning client's clientId. */
  client?: string;
  name: string;
  composites: RoleMappings;
}

export interface Role {
  /** Stable UUID (Keycloak's role id), kept through export and import. */
  id?: string;
  client?: string;
  name: string;
  description?: string;
  composite: boolean;
  composites?: RoleMappings;
  /** Keycloak role attributes, name to values. */
  attributes?: Record<string, string[]>;
}

/**
 * Keycloak's ProtocolMapperRepresentation, stored as sent: `protocolMapper` is the provider id
 * (`oidc-audience-mapper`, …), `config` its string-valued settings. Types this service does not
 * know are stored and exported back but never applied.
 */
export interface ProtocolMapper {
  id: string;
  name: string;
  protocol: string;
  protocolMapper: string;
  consentRequired?: boolean;
  config: Record<string, string>;
}

export interface ClientScope {
  /** Stable UUID (Keycloak's client scope id), kept through export and import. */
  id?: string;
  name: string;
  description?: string;
  protocol: string;
  /** Keycloak attribute `include.in.token.scope`: whether the scope's name goes in the `scope` claim. */
  includeInTokenScope: boolean;
  /** Roles this scope lets a client with fullScopeAllowed=false put in its tokens. */
  scopeMappings: RoleMappings;
  /** Every attribute as sent (`include.in.token.scope`, `display.on.consent.screen`, …). */
  attributes?: Record<string, string>;
  protocolMappers?: ProtocolMapper[];
}

/** A realm group (Keycloak GroupRepresentation), flattened: `path` is `/parent/child`. */
export interface Group {
  id: string;
  name: string;
  description?: string;
  path: string;
  /** The parent's path; undefined for a top-level group. */
  parentPath?: string;
  attributes: Record<string, string[]>;
  roles: RoleMappings;
}

/** The service-account user (`service-account-<clientId>`) as Keycloak's UserRepresentation has it. */
export interface ServiceAccountUser {
  id: string;
  username: string;
  /** Direct role mappings (groups' roles are added when tokens are built). */
  roles: RoleMappings;
  email?: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  createdTimestamp?: number;
  attributes?: Record<string, string[]>;
  /** Group paths (`/parent/child`), as in an export's `users[].groups`. */
  groups?: string[];
}

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
  /**
   * `client-secret-jwt` clients only: HMAC needs the secret itself, so it is kept encrypted under
   * the stage's secrets KMS key (encryption context: realm, clientId), never in clear.
   */
  secretCiphertext?: string;
  rotatedSecretCiphertext?: string;
  defaultClientScopes: string[];
  optionalClientScopes: string[];
  attributes: Record<string, string>;
  notBefore: number;
  /** The service-account user (`service-account-<clientId>`) and its role mappings. */
  serviceAccount?: ServiceAccountUser;
  /** Roles this client may put in tokens when fullScopeAllowed is false (Keycloak's scope mappings). */
  scopeMappings: RoleMappings;
  /** The client's own ("dedicated") protocol mappers. */
  protocolMappers?: ProtocolMapper[];
  /**
   * Fields of Keycloak's ClientRepresentation this service does not use (redirectUris, flows,
   * themes, …), kept as sent so an export or an Admin API read returns them unchanged.
   */
  extra?: Record<string, unknown>;
}

export type SigningKeyStatus = 'active' | 'passive';

/**
 * A realm signing key. `kms`: the private key never leaves KMS, every token is one kms:Sign.
 * `envelope`: the key pair was generated by KMS (GenerateDataKeyPairWithoutPlaintext); only the
 * private key wrapped under the stage's KMS key is stored, and each container unwraps it once.
 */
export interface SigningKeyRecord {
  kid: string;
  alg: SignatureAlgorithm;
  status: SigningKeyStatus;
  provider: SigningMode;
  /** `kms`: KMS key id or ARN used for kms:Sign. */
  kmsKeyId?: string;
  /** `envelope`: the PKCS#8 private key encrypted by KMS (base64), and the KMS key that wraps it. */
  wrappedPrivateKey?: string;
  wrappingKeyId?: string;
  /** The public key as a JWK (kty, n/e or crv/x/y). */
  publicJwk: Record<string, string>;
  createdAt: number;
  /** Epoch seconds after which a passive key is no longer published (every token it signed has expired). */
  retireAt?: number;
}

/**
 * A realm's refresh-token key (Keycloak's HS512 "hmac-generated" key): 64 random bytes that KMS
 * generated and that are stored only wrapped under the stage's secrets key, bound to the realm by
 * the encryption context (lib/signing/refreshKey.ts).
 */
export interface RefreshKeyRecord {
  kid: string;
  alg: 'HS512';
  /** The key encrypted by KMS (base64), and the KMS key that wraps it. */
  wrappedKey: string;
  wrappingKeyId: string;
  createdAt: number;
}

/** Everything realm-wide that a grant needs; cached per container. */
export interface RealmData {
  settings: RealmSettings;
  compositeRoles: CompositeRole[];
  clientScopes: ClientScope[];
  /** Every group of the realm: few, and a service account's roles and attributes may come through them. */
  groups: Group[];
  keys: SigningKeyRecord[];
  /** The realm's client-secret pepper, wrapped (lib/clientAuth/secretPepper.ts); read with the rest. */
  pepperCiphertext?: string;
  /** Absent for realms made before refresh tokens were JWTs, until `sa-admin keys ensure`. */
  refreshKey?: RefreshKeyRecord;
  /** The realm's identity providers (federated client authentication): few, and every federated grant needs them. */
  identityProviders?: IdentityProvider[];
  /** Which `federated-jwt` clients name which external identity (lib/store/clientsTable.ts keeps them in step with the clients). */
  federatedLinks?: FederatedLink[];
}

/** A `federated-jwt` client's `(jwt.credential.issuer, jwt.credential.sub)`: the IdP alias and the external subject. */
export interface FederatedLink {
  alias: string;
  sub: string;
  clientId: string;
}

export function emptyRoleMappings(): RoleMappings {
  return { realm: [], client: {} };
}
