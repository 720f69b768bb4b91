import type { ClientRecord, ServiceAccountUser } from '../model/stored.js';

/**
 * The service-account user of a client. A client whose record has none (service accounts turned
 * off after a token was issued) still gets the name Keycloak would give it, for introspection.
 */
export function serviceAccountOf(client: ClientRecord): ServiceAccountUser {
  return client.serviceAccount ?? { id: client.id, username: `service-account-${client.clientId.toLowerCase()}`, roles: { realm: [], client: {} } };
}
