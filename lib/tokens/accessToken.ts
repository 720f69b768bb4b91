import { randomUUID } from 'node:crypto';
import type { ClientRecord } from '../model/stored.js';
import { ClaimWriter } from './claimWriter.js';
import { runMappers, type TokenContext } from './tokenContext.js';

export interface AccessTokenInput {
  issuer: string;
  issuedAt: number;
  lifespan: number;
  /** The stored session's id, when the client has refresh tokens on. */
  sessionId?: string;
}

/** Keycloak's AccessToken field order; mapper claims follow in the order they were written. */
export const ACCESS_TOKEN_ORDER = [
  'exp', 'iat', 'auth_time', 'jti', 'iss', 'aud', 'sub', 'typ', 'azp', 'nonce', 'sid', 'acr', 'allowed-origins', 'realm_access', 'resource_access', 'scope',
] as const;

/**
 * The access token of a service account (Keycloak's TokenManager.initToken, then the protocol
 * mappers): `exp iat jti iss typ azp scope`, `sid` with a stored session, and `sub` only when there
 * is none (a transient session; with refresh tokens on `sub` comes only from the `basic` scope's
 * sub mapper). Everything else — roles, `aud`, `acr`, `preferred_username`, `client_id`, … — is
 * mapper output, so a client without the standard scopes gets none of it, as in Keycloak.
 * A lightweight client runs only the mappers flagged `lightweight.claim`.
 */
export function accessTokenClaims(ctx: TokenContext, input: AccessTokenInput): Record<string, unknown> {
  // Written without conditional spreads (each a temporary object on every grant); the writer puts
  // the claims in ACCESS_TOKEN_ORDER, so the order here does not matter.
  const writer = new ClaimWriter('access', {
    exp: input.issuedAt + input.lifespan,
    iat: input.issuedAt,
    jti: randomUUID(),
    iss: input.issuer,
    sub: input.sessionId ? undefined : ctx.user.id,
    typ: 'Bearer',
    azp: ctx.client.clientId,
    sid: input.sessionId || undefined,
    scope: ctx.scope,
  });
  runMappers(ctx, 'access', writer, ctx.lightweight);
  return writer.result(ACCESS_TOKEN_ORDER);
}

/** Access-token lifespan: client attribute `access.token.lifespan`, else the realm's. */
export function accessTokenLifespan(client: ClientRecord, realmLifespan: number): number {
  const fromClient = Number(client.attributes['access.token.lifespan']);
  return Number.isInteger(fromClient) && fromClient > 0 ? fromClient : realmLifespan;
}
