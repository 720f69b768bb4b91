import type { ClientRecord } from '../model/stored.js';

type Json = Record<string, unknown>;

/**
 * Keycloak's UserRepresentation of a client's service account (ModelToRepresentation.toRepresentation
 * for the Admin API; ExportUtils.exportUser adds the role mappings and groups). One function for
 * both, so a field added for one reader is there for the other: `serviceAccountClientId` ties the
 * user to its client, and a service account is always enabled, without TOTP, credentials or
 * required actions.
 */
export function serviceAccountUserRepresentation(client: ClientRecord, options: { export?: boolean } = {}): Json {
  const user = client.serviceAccount!;
  return {
    id: user.id,
    username: user.username,
    ...(user.firstName === undefined ? {} : { firstName: user.firstName }),
    ...(user.lastName === undefined ? {} : { lastName: user.lastName }),
    ...(user.email === undefined ? {} : { email: user.email }),
    emailVerified: user.emailVerified ?? false,
    ...(user.attributes === undefined ? {} : { attributes: user.attributes }),
    createdTimestamp: user.createdTimestamp ?? 0,
    enabled: true,
    totp: false,
    serviceAccountClientId: client.clientId,
    disableableCredentialTypes: [],
    requiredActions: [],
    notBefore: 0,
    ...(options.export ? { realmRoles: user.roles.realm, clientRoles: user.roles.client, groups: user.groups ?? [] } : {}),
  };
}
