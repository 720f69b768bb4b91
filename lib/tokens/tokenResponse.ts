import { OAuthError } from '../http/errors.js';
import type { RealmContext } from '../realmContext.js';
import type { ClientRecord, SignatureAlgorithm } from '../model/stored.js';
import { randomUUID } from 'node:crypto';
import { accessTokenLifespan } from './accessToken.js';
import { idTokenClaims } from './idToken.js';
import { accessTokenJson, mappedClaims, stampAccessToken } from './mappedClaims.js';
import type { ResolvedScope } from './scope.js';
import { clientCredentialsNotes, tokenContext, type TokenRealm } from './tokenContext.js';

/** The token endpoint's success body, fields in Keycloak's order; absent fields are omitted. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_expires_in: number;
  refresh_token?: string;
  token_type: 'Bearer';
  id_token?: string;
  'not-before-policy': number;
  session_state?: string;
  scope: string;
  /** Members added by token-response mappers (`access.tokenResponse.claim`). */
  [claim: string]: unknown;
}

export interface IssueInput {
  realm: RealmContext;
  issuer: string;
  client: ClientRecord;
  scope: ResolvedScope;
  issuedAt: number;
  sourceIp: string;
  session?: { id: string; refreshToken: string; refreshExpiresIn: number; expiresAt: number };
}

export interface IssuedTokens {
  response: TokenResponse;
  /** The access token's claims, for the audit trail (its jti) — never logged whole. */
  claims: Record<string, unknown>;
}

export interface BuildInput {
  realm: TokenRealm;
  issuer: string;
  client: ClientRecord;
  scope: ResolvedScope;
  issuedAt: number;
  sourceIp: string;
  session?: { id: string; expiresAt: number };
}

/** What a grant puts in its tokens, before anything is signed. */
export interface BuiltTokens {
  accessToken: Record<string, unknown>;
  /** `JSON.stringify(accessToken)`, made without serialising its unchanging claims again (lib/tokens/mappedClaims.ts). */
  accessTokenJson?: string;
  /** Seconds; never past the session's end. */
  lifespan: number;
  /** The ID token's claims, given the signed access token its `at_hash` hashes; absent without `openid`. */
  idToken?: (signedAccessToken: string) => Record<string, unknown>;
  /** Members token-response mappers add to the token endpoint's JSON. */
  tokenResponse: Record<string, unknown>;
  scope: string;
}

/**
 * The claims of a grant's tokens, pure: the token endpoint signs them (issueTokens) and the admin
 * token preview shows them (lib/admin/tokenPreview.ts), so the two cannot drift. Mappers, roles and
 * scopes are worked out once for the access token, the ID token and the response.
 */
export function buildTokens(input: BuildInput): BuiltTokens {
  const { realm, client } = input;
  let lifespan = accessTokenLifespan(client, realm.settings.accessTokenLifespan);
  // Keycloak never lets an access token outlive its session.
  if (input.session) lifespan = Math.max(0, Math.min(lifespan, input.session.expiresAt - input.issuedAt));
  const ctx = tokenContext(realm, client, input.scope, clientCredentialsNotes(client.clientId, input.sourceIp));
  // The notes are the client's id (fixed by the shape) and the source address: the address names them.
  const mapped = mappedClaims(ctx, input.session !== undefined, input.sourceIp);
  const stamp = { exp: input.issuedAt + lifespan, iat: input.issuedAt, jti: randomUUID(), iss: input.issuer, sid: input.session?.id };
  const accessToken = stampAccessToken(mapped, stamp);
  const built: BuiltTokens = { accessToken, accessTokenJson: accessTokenJson(mapped, stamp), lifespan, tokenResponse: mapped.tokenResponse, scope: ctx.scope };
  if (ctx.openid) built.idToken = (signed: string) => idTokenClaims(ctx, accessToken, signed);
  return built;
}

/** Builds (buildTokens), signs and wraps the access token (and the ID token when `openid` was asked for). */
export async function issueTokens(input: IssueInput): Promise<IssuedTokens> {
  const { realm, client } = input;
  const signer = realm.keys.signer(signatureAlgorithm(realm, client));
  if (!signer) throw new OAuthError(500, 'server_error', 'The realm has no active signing key');
  const built = buildTokens(input);
  const claims = built.accessToken;
  const lifespan = built.lifespan;
  const accessToken = await signer.sign(claims, built.accessTokenJson);
  const idToken = built.idToken ? await signer.sign(built.idToken(accessToken)) : undefined;
  // Member by member in Keycloak's order, without a temporary object per optional member.
  const response = { access_token: accessToken, expires_in: lifespan, refresh_expires_in: input.session?.refreshExpiresIn ?? 0 } as TokenResponse;
  if (input.session) response.refresh_token = input.session.refreshToken;
  response.token_type = 'Bearer';
  if (idToken) response.id_token = idToken;
  response['not-before-policy'] = notBeforePolicy(realm, client);
  if (input.session) response.session_state = input.session.id;
  response.scope = built.scope;
  // Mappers' members last, as data properties whatever their names (a spread defines, never sets).
  if (Object.keys(built.tokenResponse).length > 0) return { response: { ...response, ...built.tokenResponse }, claims };
  return { response, claims };
}

/** Client attribute `access.token.signed.response.alg`, else the realm's default algorithm. */
export function signatureAlgorithm(realm: RealmContext, client: ClientRecord): SignatureAlgorithm {
  const fromClient = client.attributes['access.token.signed.response.alg'];
  return fromClient === 'RS256' || fromClient === 'ES256' ? fromClient : realm.settings.defaultSignatureAlgorithm;
}

/**
 * The later of the realm's and the client's not-before. Keycloak took the earlier one, so a
 * client-level push could be undone by the realm's (CVE-2026-8922); the later one is right.
 */
export function notBeforePolicy(realm: RealmContext, client: ClientRecord): number {
  return Math.max(realm.settings.notBefore ?? 0, client.notBefore ?? 0);
}
