import { randomUUID } from 'node:crypto';
import type { ClientRecord } from '../store/model.js';
import { accessClaims, type RoleRef } from './roles.js';

export interface AccessTokenInput {
  issuer: string;
  client: ClientRecord;
  roles: RoleRef[];
  scope: string;
  issuedAt: number;
  lifespan: number;
  sourceIp: string;
  /** The stored session's id, when the client has refresh tokens on. */
  sessionId?: string;
}

/**
 * The access token's claims, in the order and shape Keycloak writes them for a service account.
 * `aud` names every client whose roles the token carries except the client itself (Keycloak's
 * audience-resolve mapper); one audience is a string, several an array. No `auth_time`, no `nbf`.
 */
export function accessTokenClaims(input: AccessTokenInput): Record<string, unknown> {
  const { client, roles } = input;
  const audience = [...new Set(roles.flatMap((role) => (role.client && role.client !== client.clientId ? [role.client] : [])))];
  const username = client.serviceAccount?.username ?? `service-account-${client.clientId.toLowerCase()}`;
  return {
    exp: input.issuedAt + input.lifespan,
    iat: input.issuedAt,
    jti: randomUUID(),
    iss: input.issuer,
    ...(audience.length === 1 ? { aud: audience[0] } : audience.length > 1 ? { aud: audience } : {}),
    sub: client.serviceAccount?.id ?? client.id,
    typ: 'Bearer',
    azp: client.clientId,
    ...(input.sessionId ? { sid: input.sessionId } : {}),
    acr: '1',
    ...accessClaims(roles),
    scope: input.scope,
    clientHost: input.sourceIp,
    email_verified: false,
    preferred_username: username,
    clientAddress: input.sourceIp,
    client_id: client.clientId,
  };
}

/** Access-token lifespan: client attribute `access.token.lifespan`, else the realm's. */
export function accessTokenLifespan(client: ClientRecord, realmLifespan: number): number {
  const fromClient = Number(client.attributes['access.token.lifespan']);
  return Number.isInteger(fromClient) && fromClient > 0 ? fromClient : realmLifespan;
}
