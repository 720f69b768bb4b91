/**
 * Identity providers as realm data (Keycloak's IdentityProviderModel), reduced to what federated
 * client authentication needs: which external issuer a realm trusts, how its keys are found, and
 * the rules its assertions follow. Keycloak 26.6 `client-auth-federated`, `kubernetes-service-accounts`
 * and `spiffe` (docs/federated-client-auth.md). Pure: no store, no HTTP.
 *
 * Each provider type declares what sets it apart (Keycloak: one IdentityProviderFactory each); the
 * validation, the Admin API's `types`, the authenticator and the key fetcher all read this registry.
 */

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SpiffeConstants.CLIENT_ASSERTION_TYPE (draft-ietf-oauth-spiffe-client-auth). */
export const JWT_SPIFFE_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-spiffe';

/**
 * Ours, beyond Keycloak: the `aws-iam` type's assertion, a presigned `sts:GetCallerIdentity` request
 * (Vault's `aws` auth method; lib/clientAuth/callerIdentityRequest.ts reads it). Not an IETF name:
 * RFC 7521 §4.2 only asks for an absolute URI.
 */
export const AWS_IAM_ASSERTION = 'urn:sa-token-service:client-assertion-type:aws-iam';

/** AWS partitions whose STS an `aws-iam` IdP may trust (config `partition`, default `aws`). */
export const AWS_PARTITIONS: ReadonlySet<string> = new Set(['aws', 'aws-cn', 'aws-us-gov']);
export const awsPartitionOf = (config: Record<string, string>) => config.partition || 'aws';

/** The client attributes that bind a `federated-jwt` client to an external identity (Keycloak's names). */
export const CREDENTIAL_ISSUER_ATTRIBUTE = 'jwt.credential.issuer';
export const CREDENTIAL_SUB_ATTRIBUTE = 'jwt.credential.sub';
/** Ours, beyond Keycloak: claim conditions an assertion must also meet (lib/clientAuth/claimConditions.ts). */
export const CREDENTIAL_CLAIMS_ATTRIBUTE = 'jwt.credential.claims';

/** Kubernetes IdPs saved without an issuer get the in-cluster API's (KubernetesIdentityProviderFactory). */
export const KUBERNETES_DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface IdentityProvider {
  alias: string;
  /** Server-assigned, stable through export and import (Keycloak's `internalId`). */
  internalId: string;
  providerId: string;
  enabled: boolean;
  displayName?: string;
  /** Keycloak's string-valued config; a null-prototype object when built from a request. */
  config: Record<string, string>;
  /** Representation fields this service keeps without using (hideOnLogin, trustEmail, …), as sent. */
  extra?: Record<string, unknown>;
}

/** Keycloak's IdentityProviderType values, as `?type=` and the representation's `types` use them. */
export type IdentityProviderCapability = 'USER_AUTHENTICATION' | 'CLIENT_ASSERTION' | 'EXCHANGE_EXTERNAL_TOKEN' | 'JWT_AUTHORIZATION_GRANT';

/** Where an IdP's verification keys come from; the URL is always the admin's, never the request's. */
export type KeySource =
  | { kind: 'jwks'; url: string }
  | { kind: 'discovery'; issuer: string }
  | { kind: 'spiffe-bundle'; url: string }
  | { kind: 'static'; pem: string; kid?: string }
  | { kind: 'none' };

/** What an IdP type declares. */
export interface IdentityProviderType {
  providerId: string;
  /** The `client_assertion_type` its assertions arrive with. */
  assertionType: string;
  /** Whether the IdP is found for client assertions at all. */
  clientAssertions(config: Record<string, string>): boolean;
  /** The `iss` an assertion must carry; undefined means `iss` plays no role (SPIFFE). */
  expectedIssuer(config: Record<string, string>): string | undefined;
  reuseAllowed(config: Record<string, string>): boolean;
  /** Max age of an assertion (§3.2 `M`) when `federatedClientAssertionMaxExpiration` is unset. */
  defaultMaxAge: number;
  keySource(config: Record<string, string>): KeySource;
  /** Keycloak's 400 message for an unusable config, or undefined. `url` checks one admin-given URL. */
  validate(config: Record<string, string>, url: (value: string) => string | undefined): string | undefined;
  /**
   * What must be unique among the realm's enabled client-assertion IdPs so that an assertion finds
   * one IdP: the issuer (Keycloak's IssuerValidation), unless the type says otherwise, with the
   * refusal in its words.
   */
  uniqueness?: { key(config: Record<string, string>): string; clash(alias: string, config: Record<string, string>): string };
  /** Fills what Keycloak fills on save (Kubernetes' default issuer). */
  normalize?(config: Record<string, string>): void;
  /** Types that carry no browser-login settings: their representation omits those booleans (Keycloak 26.5+). */
  assertionOnly: boolean;
}

const flag = (config: Record<string, string>, key: string) => config[key] === 'true';

const oidc = (providerId: string): IdentityProviderType => ({
  providerId,
  assertionType: JWT_BEARER_ASSERTION,
  clientAssertions: (config) => flag(config, 'supportsClientAssertions'),
  expectedIssuer: (config) => config.issuer || undefined,
  reuseAllowed: (config) => flag(config, 'supportsClientAssertionReuse'),
  defaultMaxAge: 300,
  keySource(config) {
    if (flag(config, 'useJwksUrl')) return config.jwksUrl ? { kind: 'jwks', url: config.jwksUrl } : { kind: 'none' };
    const pem = config.publicKeySignatureVerifier;
    return pem ? { kind: 'static', pem, ...(config.publicKeySignatureVerifierKeyId ? { kid: config.publicKeySignatureVerifierKeyId } : {}) } : { kind: 'none' };
  },
  validate(config, url) {
    if (!flag(config, 'supportsClientAssertions')) return undefined;
    // IssuerValidation: required, and an address the realm's rules accept.
    if (!config.issuer) return 'Issuer is required';
    if (url(config.issuer)) return 'Invalid issuer URL';
    if (flag(config, 'useJwksUrl')) {
      if (!config.jwksUrl) return "JWKS URL is required when 'Supports client assertions' enabled and 'Use JWKS URL' enabled";
      if (url(config.jwksUrl)) return 'Invalid JWKS URL';
    } else if (!config.publicKeySignatureVerifier) {
      return "The 'Validating public key' is required when 'Supports client assertions' enabled and 'Use JWKS URL' disabled";
    }
    if (flag(config, 'allowClientIdAsAudience') && !config.clientId) return "Client ID is required when 'Allow client ID as audience' is enabled";
    return undefined;
  },
  assertionOnly: false,
});

export const IDENTITY_PROVIDER_TYPES: ReadonlyMap<string, IdentityProviderType> = new Map<string, IdentityProviderType>([
  ['oidc', oidc('oidc')],
  ['keycloak-oidc', oidc('keycloak-oidc')],
  [
    'kubernetes',
    {
      providerId: 'kubernetes',
      assertionType: JWT_BEARER_ASSERTION,
      clientAssertions: () => true,
      expectedIssuer: (config) => config.issuer || KUBERNETES_DEFAULT_ISSUER,
      // Kubelet caches projected tokens and sends the same one until it rotates (KubernetesIdentityProvider).
      reuseAllowed: () => true,
      defaultMaxAge: 3600,
      keySource: (config) => ({ kind: 'discovery', issuer: config.issuer || KUBERNETES_DEFAULT_ISSUER }),
      validate: (config, url) => (url(config.issuer!) ? 'Invalid issuer URL' : undefined),
      normalize(config) {
        if (!config.issuer) config.issuer = KUBERNETES_DEFAULT_ISSUER;
      },
      assertionOnly: true,
    },
  ],
  [
    'spiffe',
    {
      providerId: 'spiffe',
      assertionType: JWT_SPIFFE_ASSERTION,
      clientAssertions: () => true,
      // SPIFFE JWT-SVIDs are bound by their trust domain, not by `iss` (SpiffeClientAuthTest.testWithIssClaim).
      expectedIssuer: () => undefined,
      reuseAllowed: () => true,
      defaultMaxAge: 300,
      keySource: (config) => (config.bundleEndpoint ? { kind: 'spiffe-bundle', url: config.bundleEndpoint } : { kind: 'none' }),
      validate(config, url) {
        // SpiffeIdentityProviderConfig: a trust domain name, no port and no path.
        if (!/^spiffe:\/\/[a-z0-9.\-_]*$/.test(config.trustDomain ?? '')) return 'Invalid trust domain name';
        if (!config.bundleEndpoint || url(config.bundleEndpoint)) return 'Invalid bundle endpoint';
        return undefined;
      },
      assertionOnly: true,
    },
  ],
  [
    // Ours (Vault's design, docs/workload-identity.md): AWS STS vouches for the caller's IAM identity.
    'aws-iam',
    {
      providerId: 'aws-iam',
      assertionType: AWS_IAM_ASSERTION,
      clientAssertions: () => true,
      expectedIssuer: () => undefined,
      // Each signature is single-use: a presigned request is a bearer credential until STS stops accepting it (15 min).
      reuseAllowed: () => false,
      defaultMaxAge: 300,
      keySource: () => ({ kind: 'none' }),
      validate: (config) => (AWS_PARTITIONS.has(awsPartitionOf(config)) ? undefined : `Invalid partition: one of ${[...AWS_PARTITIONS].join(', ')}`),
      // The request's signing region names the partition, and the partition one IdP.
      uniqueness: {
        key: (config) => `aws-iam partition ${awsPartitionOf(config)}`,
        clash: (alias, config) => `Partition '${awsPartitionOf(config)}' already trusted by IDP '${alias}': one enabled aws-iam identity provider per partition`,
      },
      normalize(config) {
        if (!config.partition) config.partition = 'aws';
      },
      assertionOnly: true,
    },
  ],
]);

export const identityProviderType = (idp: Pick<IdentityProvider, 'providerId'>) => IDENTITY_PROVIDER_TYPES.get(idp.providerId);

/** Keycloak's `types` of an IdP; unknown provider types are kept as data and trusted for nothing. */
export function capabilitiesOf(idp: IdentityProvider): IdentityProviderCapability[] {
  const type = identityProviderType(idp);
  if (!type) return [];
  const browser: IdentityProviderCapability[] = type.assertionOnly ? [] : ['USER_AUTHENTICATION'];
  return type.clientAssertions(idp.config) ? [...browser, 'CLIENT_ASSERTION'] : browser;
}

/** The IdP takes part in client authentication: enabled (CVE-2026-1486), of a known type, with assertions on. */
export function acceptsClientAssertions(idp: IdentityProvider): boolean {
  return idp.enabled && capabilitiesOf(idp).includes('CLIENT_ASSERTION');
}

/** Seconds, Keycloak's `allowedClockSkew`: unparsable or negative is 0. */
export function clockSkewOf(idp: IdentityProvider): number {
  const skew = Number.parseInt(idp.config.allowedClockSkew ?? '', 10);
  return Number.isFinite(skew) && skew > 0 ? skew : 0;
}

/** Seconds, §3.2 `M`: `federatedClientAssertionMaxExpiration`, else the type's default (absent or 0 too). */
export function maxAgeOf(idp: IdentityProvider): number {
  const configured = Number.parseInt(idp.config.federatedClientAssertionMaxExpiration ?? '', 10);
  if (Number.isFinite(configured) && configured > 0) return configured;
  return identityProviderType(idp)?.defaultMaxAge ?? 300;
}

/** Keycloak stores aliases as given; ours also become URL segments and sort keys. */
export const ALIAS_PATTERN = /^[A-Za-z0-9._~-]{1,255}$/;

/** Names a request must never turn into an object's structure. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why an IdP cannot be saved among `others` (the realm's other IdPs), in Keycloak's words, or
 * undefined. `url` judges an admin-given URL under the stage's rules (lib/clientAuth/jwksUrl.ts).
 */
export function identityProviderProblem(idp: IdentityProvider, others: readonly IdentityProvider[], url: (value: string) => string | undefined): string | undefined {
  if (!ALIAS_PATTERN.test(idp.alias)) return 'Invalid alias';
  const type = identityProviderType(idp);
  if (!type) return `Could not find factory for identity provider: ${idp.providerId}`;
  const problem = type.validate(idp.config, url);
  if (problem) return problem;
  // IssuerValidation: one enabled client-assertion IdP per issuer, so `iss` finds exactly one.
  const key = uniqueKeyOf(idp);
  if (key === undefined || !acceptsClientAssertions(idp)) return undefined;
  const clash = others.find((other) => other.alias !== idp.alias && acceptsClientAssertions(other) && uniqueKeyOf(other) === key);
  if (!clash) return undefined;
  return type.uniqueness
    ? type.uniqueness.clash(clash.alias, idp.config)
    : `Issuer URL already used for IDP '${clash.alias}', Issuer must be unique if the idp supports JWT Authorization Grant or Federated Client Authentication`;
}

function uniqueKeyOf(idp: IdentityProvider): string | undefined {
  const type = identityProviderType(idp);
  return type?.uniqueness ? type.uniqueness.key(idp.config) : type?.expectedIssuer(idp.config);
}
