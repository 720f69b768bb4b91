import { compactVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import {
  acceptsClientAssertions,
  AWS_IAM_ASSERTION,
  clockSkewOf,
  CREDENTIAL_CLAIMS_ATTRIBUTE,
  CREDENTIAL_ISSUER_ATTRIBUTE,
  CREDENTIAL_SUB_ATTRIBUTE,
  identityProviderType,
  JWT_SPIFFE_ASSERTION,
  maxAgeOf,
  type IdentityProvider,
} from '../model/identityProvider.js';
import type { ClientRecord } from '../model/stored.js';
import { awsIamAssertion, type AwsIamDeps } from './awsIam.js';
import { ASYMMETRIC_ALGORITHMS, decodeAssertion, isFederatedAssertion, ruleBroken } from './clientAssertion.js';
import { unmetClaimCondition } from './claimConditions.js';
import { importedKey, IssuerKeysUnavailable, type IssuerKeys } from './issuerKeys.js';
import type { ClaimedClient, ClientAuthInput, ClientAuthMethod, FederatedAssertion } from './method.js';

/**
 * `federated-jwt` (Keycloak 26.6 FederatedJWTClientAuthenticator): the client proves itself with a
 * JWT its platform issued — a Kubernetes service-account token, a SPIFFE JWT-SVID, an AWS STS web
 * identity token, a GitHub Actions OIDC token — and holds no secret. The identity provider is
 * found by the assertion's `iss` (SPIFFE: by the client), the client by its attributes
 * `jwt.credential.issuer` (the IdP alias) and `jwt.credential.sub` (the external subject).
 * Beyond Keycloak, an `aws-iam` IdP's assertion is a presigned STS request instead of a JWT
 * (lib/clientAuth/awsIam.ts); from the subject on, it is bound to its client the same way.
 *
 * Checks in Keycloak's order (AbstractJWTClientValidator.validate): assertion type, subject,
 * client, algorithm, signature, audience, time, then `jti` replay; our claim conditions come after
 * the time rules and before the `jti` is spent. Every failure is the uniform `401 invalid_client`
 * (where Keycloak answers some with 400 and its rule text); the rule text goes to the audit event.
 */

export interface FederatedJwtDeps extends AwsIamDeps {
  keys: IssuerKeys;
  /** Told why keys could not be loaded (a warning in the log; the caller only sees 401). */
  onKeysUnavailable?(alias: string, reason: string): void;
}

const MAX_DETAIL_LENGTH = 255;
const detail = (value: unknown) => (typeof value === 'string' ? value.slice(0, MAX_DETAIL_LENGTH) : undefined);

export function federatedJwt(deps: FederatedJwtDeps): ClientAuthMethod {
  const resolutions = new WeakMap<ClaimedClient, FederatedAssertion>();
  return {
    name: 'federated_jwt',
    authenticatorType: 'federated-jwt',
    present: isFederatedAssertion,
    async claim(input) {
      // Keycloak picks a ClientAssertionStrategy by client_assertion_type; ours adds the aws-iam one.
      const assertion = input.form.get('client_assertion_type') === AWS_IAM_ASSERTION ? await awsIamAssertion(deps, input) : jwtAssertion(deps, input);
      const claimed = { clientId: chooseClient(input, assertion), proof: input.form.get('client_assertion') ?? '' };
      resolutions.set(claimed, assertion);
      return claimed;
    },
    async verify(client, claimed, input) {
      const assertion = resolutions.get(claimed);
      if (!client || !assertion) return false;
      // The link index may trail a change of the client: its own attributes decide.
      if (client.attributes[CREDENTIAL_ISSUER_ATTRIBUTE] !== assertion.idp.alias || client.attributes[CREDENTIAL_SUB_ATTRIBUTE] !== assertion.sub) {
        throw ruleBroken(input, 'Client is not bound to the assertion subject');
      }
      await assertion.verify(client);
      return true;
    },
  };
}

/** Reads a JWT assertion without trusting it and finds the identity provider it claims to come from. */
function jwtAssertion(deps: FederatedJwtDeps, input: ClientAuthInput): FederatedAssertion {
  const fail = (reason: string) => ruleBroken(input, reason);
  const type = input.form.get('client_assertion_type')!;
  const assertion = input.form.get('client_assertion');
  if (!assertion) throw fail('client_assertion parameter missing');
  const { header, payload } = decodeAssertion(assertion, fail);
  input.onAssertion?.({ client_assertion_id: detail(payload.jti), client_assertion_issuer: detail(payload.iss), client_assertion_sub: detail(payload.sub) });
  if (typeof payload.sub !== 'string' || payload.sub === '') throw fail('Token sub claim is required');
  const sub = payload.sub;
  const idp = type === JWT_SPIFFE_ASSERTION ? spiffeIdp(input, sub, fail) : issuerIdp(input, type, payload.iss, fail);
  if (!idp) throw fail('No identity provider for the client assertion');
  return { idp, sub, verify: (client) => verifyJwt(deps, input, client, { idp, header, payload: { ...payload, sub }, assertion }) };
}

/** SpiffeClientAssertionStrategy: the client is found by its subject alone, the IdP through the client. */
function spiffeIdp(input: ClientAuthInput, sub: string, fail: (reason: string) => Error): IdentityProvider | undefined {
  const aliases = new Set((input.federation?.links ?? []).filter((link) => link.sub === sub).map((link) => link.alias));
  const found = (input.federation?.identityProviders ?? []).filter(
    (candidate) => aliases.has(candidate.alias) && identityProviderType(candidate)?.assertionType === JWT_SPIFFE_ASSERTION && acceptsClientAssertions(candidate),
  );
  if (found.length > 1) throw fail('Multiple clients matches attributes');
  const idp = found[0];
  if (idp && !sub.startsWith(`${idp.config.trustDomain}/`)) throw fail('Invalid trust-domain');
  return idp;
}

/** DefaultClientAssertionStrategy: exact string equality of `iss` with an enabled client-assertion IdP's issuer. */
function issuerIdp(input: ClientAuthInput, type: string, iss: string | undefined, fail: (reason: string) => Error): IdentityProvider | undefined {
  const found = (input.federation?.identityProviders ?? []).filter(
    (candidate) => acceptsClientAssertions(candidate) && identityProviderType(candidate)?.assertionType === type && identityProviderType(candidate)?.expectedIssuer(candidate.config) === iss,
  );
  if (found.length > 1) throw fail(`Multiple IDPs match the same issuer: [${found.map((candidate) => candidate.alias).join(', ')}]`);
  return found[0];
}

interface JwtResolution {
  idp: IdentityProvider;
  header: ProtectedHeaderParameters;
  payload: JWTPayload & { sub: string };
  assertion: string;
}

/**
 * The client bound to (IdP alias, subject). Keycloak allows one; several clients may share an
 * external identity here, and then `client_id` chooses (Keycloak #48026: a `client_id` sent must
 * name the resolved client, never the external subject).
 */
function chooseClient(input: ClientAuthInput, { idp, sub }: FederatedAssertion): string {
  const candidates = (input.federation?.links ?? []).filter((link) => link.alias === idp.alias && link.sub === sub).map((link) => link.clientId);
  const requested = input.form.get('client_id');
  if (requested !== undefined) {
    if (!candidates.includes(requested)) throw ruleBroken(input, 'client_id does not name a client of the assertion subject');
    return requested;
  }
  if (candidates.length === 0) throw ruleBroken(input, 'No client for the assertion subject');
  if (candidates.length > 1) throw ruleBroken(input, 'Multiple clients matches attributes: send client_id to choose one');
  return candidates[0]!;
}

async function verifyJwt(deps: FederatedJwtDeps, input: ClientAuthInput, client: ClientRecord, resolution: JwtResolution): Promise<void> {
  const fail = (reason: string) => ruleBroken(input, reason);
  const { idp, header, payload, assertion } = resolution;
  const type = identityProviderType(idp)!;
  if (input.form.get('client_assertion_type') !== type.assertionType) {
    throw fail(`Parameter client_assertion_type has value '${input.form.get('client_assertion_type')}' but expected is '${type.assertionType}'`);
  }
  // Only asymmetric algorithms: `none` and HS* would let the issuer's public key act as a secret.
  const alg = header.alg;
  if (typeof alg !== 'string' || !ASYMMETRIC_ALGORITHMS.includes(alg)) throw fail('Invalid signature algorithm');

  await verifySignature(deps, input, idp, assertion, { alg, kid: typeof header.kid === 'string' ? header.kid : undefined });
  checkAudience(input, idp, payload);
  const now = deps.now();
  const lifespan = activeLifespan(payload, now, clockSkewOf(idp), maxAgeOf(idp), (reason) => fail(reason));
  const unmet = unmetClaimCondition(payload, client.attributes[CREDENTIAL_CLAIMS_ATTRIBUTE]);
  if (unmet !== undefined) throw fail(`Claim condition not met: ${unmet}`);
  if (type.reuseAllowed(idp.config)) return;
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 255) throw fail('Token jti claim is required');
  // Namespaced by IdP: a federated jti never collides with a self-signed one or another issuer's.
  const key = `JTI#${input.realm}#federated#${idp.alias}#${payload.jti}`;
  if (!(await deps.useOnce(key, now + lifespan, now))) throw fail('Token reuse detected');
}

async function verifySignature(deps: FederatedJwtDeps, input: ClientAuthInput, idp: IdentityProvider, assertion: string, header: { alg: string; kid?: string }): Promise<void> {
  let candidates;
  try {
    candidates = await deps.keys.candidates(input.realm, idp, header);
  } catch (err) {
    if (!(err instanceof IssuerKeysUnavailable)) throw err;
    deps.onKeysUnavailable?.(idp.alias, err.message);
    throw ruleBroken(input, `Unable to load the identity provider's keys`);
  }
  for (const jwk of candidates.slice(0, 5)) {
    try {
      await compactVerify(assertion, await importedKey(jwk, header.alg), { algorithms: [header.alg] });
      return;
    } catch {
      // the next candidate, if any
    }
  }
  throw ruleBroken(input, candidates.length === 0 ? `Failed to verify token signature: no key with kid '${header.kid ?? ''}'` : 'Failed to verify token signature');
}

/**
 * FederatedJWTClientValidator: exactly one audience, equal to the realm's issuer as this request
 * sees it (the token endpoint's URL is not accepted); an OIDC IdP with `allowClientIdAsAudience`
 * expects its configured `clientId` instead.
 */
function checkAudience(input: ClientAuthInput, idp: IdentityProvider, payload: JWTPayload): void {
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  const expected = idp.config.allowClientIdAsAudience === 'true' && idp.config.clientId && !identityProviderType(idp)?.assertionOnly ? idp.config.clientId : input.issuer;
  if (audiences.length > 1) throw ruleBroken(input, 'Multiple audiences not allowed');
  if (audiences[0] !== expected) throw ruleBroken(input, 'Invalid token audience');
}

/**
 * Keycloak's validateTokenActive (§3.2 of the reference): no skew on `exp`; `nbf` and `iat` with
 * the IdP's skew; with `iat` the limit is the token's age (`M` seconds), without it `exp` must lie
 * within `M`. Returns the lifespan to remember a `jti` for (clamped to `M`).
 */
export function activeLifespan(payload: JWTPayload, now: number, skew: number, maxAge: number, fail: (reason: string) => Error): number {
  if (typeof payload.exp !== 'number') throw fail('Token exp claim is required');
  if (now > payload.exp) throw fail('Token is not active');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || now + skew < payload.nbf)) throw fail('Token is not active');
  let lifespan = payload.exp - now;
  if (payload.iat === undefined) {
    if (lifespan > maxAge) throw fail('Token expiration is too far in the future and iat claim not present in token');
    return lifespan;
  }
  if (typeof payload.iat !== 'number') throw fail('Token was issued in the future');
  if (payload.iat - skew > now) throw fail('Token was issued in the future');
  lifespan = Math.min(lifespan, maxAge);
  if (lifespan <= 0) throw fail('Token is not active');
  if (now > payload.iat + maxAge) throw fail('Token was issued too far in the past to be used now');
  return lifespan;
}
