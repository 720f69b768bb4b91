import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { CLIENT_AUTH_FAILED, OAuthError } from '../http/errors.js';
import { AWS_IAM_ASSERTION, JWT_BEARER_ASSERTION, JWT_SPIFFE_ASSERTION } from '../model/identityProvider.js';
import type { ClientRecord } from '../model/stored.js';
import type { ClaimedClient, ClientAuthInput, ClientAuthMethod } from './method.js';

/**
 * What `private_key_jwt` and `client_secret_jwt` share (RFC 7523 §3, OIDC Core §9, Keycloak's
 * JWTClientAuthenticator): the assertion's form and claims. The checks that need no stored client
 * run before the client is read.
 *
 * We differ from Keycloak, which names the broken rule in the answer (`400 invalid_client`): every
 * failure here is the same `401 invalid_client` as an unknown client, byte for byte, and the rule
 * goes to the audit log only. Otherwise the answers to an assertion that breaks a client-specific
 * rule (its algorithm, its lifetime, its keys) would tell which client ids exist.
 */
export const JWT_BEARER = JWT_BEARER_ASSERTION;
const JWT_SPIFFE = JWT_SPIFFE_ASSERTION;
/** Keycloak's allowed clock skew for client assertions. */
export const CLOCK_SKEW_SECONDS = 15;
/** Keycloak's default for `token.endpoint.auth.signing.max.exp`. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 60;

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

/** The unknown client's answer on the wire; `reason` is for the audit log. */
export const ruleBroken = (_input: ClientAuthInput, reason: string) => new OAuthError(401, 'invalid_client', CLIENT_AUTH_FAILED, {}, reason);

export interface ParsedAssertion {
  assertion: string;
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
}

export function isAssertionRequest(input: ClientAuthInput): boolean {
  return input.form.has('client_assertion') || input.form.has('client_assertion_type');
}

/**
 * An assertion another party issued (Keycloak's `federated-jwt`): the SPIFFE assertion type, our
 * `aws-iam` one (a presigned STS request), or a JWT bearer assertion whose issuer is not its
 * subject. A self-signed one (iss = sub) is never handed to the federated path, as in Keycloak's
 * flow, where `client-jwt` requires iss = sub.
 */
export function isFederatedAssertion(input: ClientAuthInput): boolean {
  const type = input.form.get('client_assertion_type');
  if (type === JWT_SPIFFE || type === AWS_IAM_ASSERTION) return true;
  if (type !== JWT_BEARER) return false;
  try {
    const { iss, sub } = decodeJwt(input.form.get('client_assertion') ?? '');
    return typeof iss === 'string' && iss !== sub;
  } catch {
    return false;
  }
}

export function assertionAlgorithm(input: ClientAuthInput): string | undefined {
  try {
    const { alg } = decodeProtectedHeader(input.form.get('client_assertion') ?? '');
    return typeof alg === 'string' ? alg : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the assertion and applies every rule that does not depend on the stored client. */
export function claimAssertion(input: ClientAuthInput, now: number): ClaimedClient & { parsed: ParsedAssertion } {
  const fail = (description: string) => ruleBroken(input, description);
  if (input.form.get('client_assertion_type') !== JWT_BEARER) throw fail('Parameter client_assertion_type is missing or has wrong value');
  const assertion = input.form.get('client_assertion');
  if (!assertion) throw fail('Parameter client_assertion is missing');
  const { header, payload } = decodeAssertion(assertion, fail);
  if (typeof header.alg !== 'string' || header.alg === '' || header.alg === 'none') throw fail('Client assertion must be signed');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw fail('Client assertion has no subject');
  if (payload.iss !== payload.sub) throw fail('Client assertion issuer must equal its subject');
  const formClientId = input.form.get('client_id');
  if (formClientId !== undefined && formClientId !== payload.sub) throw fail('client_id does not match the client assertion subject');

  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (audiences.length !== 1) throw fail('Client assertion must have exactly one audience');
  if (!acceptedAudiences(input).includes(audiences[0]!)) throw fail('Client assertion audience does not match the realm or the endpoint');

  if (typeof payload.exp !== 'number') throw fail('Client assertion has no expiration');
  if (payload.exp + CLOCK_SKEW_SECONDS <= now) throw fail('Client assertion has expired');
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || payload.iat > now + CLOCK_SKEW_SECONDS)) throw fail('Client assertion is issued in the future');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + CLOCK_SKEW_SECONDS)) throw fail('Client assertion is not yet valid');
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 255) throw fail('Client assertion has no jti');

  return { clientId: payload.sub, proof: assertion, parsed: { assertion, header, payload } };
}

/** The realm issuer (either path form), its token endpoint, or the endpoint receiving the request. */
function acceptedAudiences(input: ClientAuthInput): string[] {
  const base = input.issuer.replace(/(\/auth)?\/realms\/[^/]*$/, '');
  const realmPath = input.issuer.slice(base.length).replace(/^\/auth/, '');
  const issuers = [`${base}${realmPath}`, `${base}/auth${realmPath}`];
  return [...issuers, ...issuers.map((issuer) => `${issuer}/protocol/openid-connect/token`), `${base}${input.request.path}`];
}

/** The rules that need the stored client: its signing algorithm and the assertion's lifetime. */
export function checkAgainstClient(input: ClientAuthInput, parsed: ParsedAssertion, client: ClientRecord, allowed: string[], now: number): void {
  const fail = (description: string) => ruleBroken(input, description);
  const required = client.attributes['token.endpoint.auth.signing.alg'];
  const alg = parsed.header.alg!;
  if (!allowed.includes(alg) || (required && required !== alg)) throw fail(`Client assertion signature algorithm ${alg} is not allowed`);
  const maxLifetime = Number(client.attributes['token.endpoint.auth.signing.max.exp']) || DEFAULT_MAX_LIFETIME_SECONDS;
  // Keycloak 26 counts the allowed window from `iat` when there is one: a fresh assertion with a
  // far `exp` (Python's Authlib sends exp = now + 3600) is accepted once, its jti remembered until
  // that `exp`. Without `iat`, the `exp` itself must lie within the window.
  if (typeof parsed.payload.iat === 'number') {
    if (now - parsed.payload.iat > maxLifetime + CLOCK_SKEW_SECONDS) throw fail(`Client assertion was issued more than ${maxLifetime} seconds ago`);
  } else if (parsed.payload.exp! - now > maxLifetime) {
    throw fail(`Client assertion without iat expires more than ${maxLifetime} seconds from now`);
  }
}

/**
 * Records the assertion's jti as used (a conditional put in DynamoDB, so a replay fails across
 * containers and concurrent requests), kept until the assertion could no longer be accepted.
 */
export async function useAssertionOnce(
  input: ClientAuthInput,
  parsed: ParsedAssertion,
  useOnce: (key: string, expiresAt: number, now: number) => Promise<boolean>,
  now: number,
): Promise<void> {
  const key = `JTI#${input.realm}#${parsed.payload.sub}#${parsed.payload.jti}`;
  if (!(await useOnce(key, parsed.payload.exp! + CLOCK_SKEW_SECONDS, now))) throw ruleBroken(input, 'Token reuse detected');
}

export interface JwtMethodDeps {
  useOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
  now(): number;
}

/**
 * Builds a JWT client-authentication method from what sets it apart: its names, its algorithms
 * and how it checks the signature. The claims rules, the client's constraints and the single-use
 * jti are the same for both methods and applied here, in that order.
 */
export function assertionMethod(options: {
  name: 'private_key_jwt' | 'client_secret_jwt';
  authenticatorType: 'client-jwt' | 'client-secret-jwt';
  algorithms: string[];
  deps: JwtMethodDeps;
  /** Throws invalid_client naming the rule when the signature does not verify. */
  verifySignature(client: ClientRecord, parsed: ParsedAssertion, input: ClientAuthInput, now: number): Promise<void>;
}): ClientAuthMethod {
  const parsedOf = new WeakMap<object, ParsedAssertion>();
  const hmac = options.algorithms.every((alg) => alg.startsWith('HS'));
  return {
    name: options.name,
    authenticatorType: options.authenticatorType,
    // Which method handles an assertion follows its header, but the client's configured type must
    // then match the method: the header alone never picks the key.
    present: (input) => isAssertionRequest(input) && !isFederatedAssertion(input) && (assertionAlgorithm(input)?.startsWith('HS') === true) === hmac,
    claim(input) {
      const claimed = claimAssertion(input, options.deps.now());
      parsedOf.set(claimed, claimed.parsed);
      return claimed;
    },
    async verify(client, claimed, input) {
      const parsed = parsedOf.get(claimed);
      if (!client || !parsed) return false;
      const now = options.deps.now();
      checkAgainstClient(input, parsed, client, options.algorithms, now);
      await options.verifySignature(client, parsed, input, now);
      await useAssertionOnce(input, parsed, options.deps.useOnce, now);
      return true;
    },
  };
}

/**
 * The header and claims of an assertion, read without trusting them (the signature is checked
 * later, against the key they name); anything that is not a JWT breaks the rule `fail` reports.
 */
export function decodeAssertion(assertion: string, fail: (reason: string) => OAuthError): { header: ProtectedHeaderParameters; payload: JWTPayload } {
  try {
    return { header: decodeProtectedHeader(assertion), payload: decodeJwt(assertion) };
  } catch {
    throw fail('Client assertion is not a valid JWT');
  }
}
