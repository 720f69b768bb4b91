import type { ClientRecord } from '../store/model.js';

/**
 * Keycloak's UserRepresentation of a service-account user (ModelToRepresentation.toRepresentation
 * of a UserModel with `serviceAccountClientLink`), the only users this service has.
 * `serviceAccountClientId` holds the clientId (the reference's choice, §6).
 */
export interface UserRepresentation {
  id: string;
  username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  emailVerified: boolean;
  attributes?: Record<string, string[]>;
  createdTimestamp?: number;
  enabled: boolean;
  totp?: boolean;
  serviceAccountClientId: string;
  disableableCredentialTypes?: string[];
  requiredActions?: string[];
  notBefore?: number;
  access?: UserAccess;
}

/** What the caller may do with the user (UserPermissions.getAccess). */
export interface UserAccess {
  manageGroupMembership: boolean;
  view: boolean;
  mapRoles: boolean;
  impersonate: boolean;
  manage: boolean;
}

/** The brief form (`briefRepresentation=true` of GET users) leaves out credentials, actions and access. */
export function serviceAccountUserRepresentation(client: ClientRecord, options: { brief?: boolean; access?: UserAccess } = {}): UserRepresentation {
  const account = client.serviceAccount!;
  const attributes = account.attributes && Object.keys(account.attributes).length > 0 ? account.attributes : undefined;
  return {
    id: account.id,
    username: account.username,
    ...(account.firstName === undefined ? {} : { firstName: account.firstName }),
    ...(account.lastName === undefined ? {} : { lastName: account.lastName }),
    ...(account.email === undefined ? {} : { email: account.email }),
    emailVerified: account.emailVerified ?? false,
    ...(attributes === undefined || options.brief ? {} : { attributes }),
    ...(account.createdTimestamp === undefined ? {} : { createdTimestamp: account.createdTimestamp }),
    enabled: true,
    ...(options.brief ? {} : { totp: false }),
    serviceAccountClientId: client.clientId,
    ...(options.brief ? {} : { disableableCredentialTypes: [], requiredActions: [], notBefore: 0 }),
    ...(options.access === undefined || options.brief ? {} : { access: options.access }),
  };
}
