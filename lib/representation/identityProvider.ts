import { randomUUID } from 'node:crypto';
import { AdminError } from '../admin/errors.js';
import { capabilitiesOf, FORBIDDEN_KEYS, identityProviderType, type IdentityProvider } from '../model/identityProvider.js';

/**
 * Keycloak's IdentityProviderRepresentation ⇄ the stored IdentityProvider, for the Admin REST API,
 * the realm export and the realm import alike (Keycloak: ModelToRepresentation.toRepresentation /
 * RepresentationToModel.toModel). Fields this service does not use (`trustEmail`, flow aliases, …)
 * are kept as sent and returned, so a Terraform plan after an apply is empty.
 */

type Json = Record<string, unknown>;

/** Modelled fields, or computed on read (`types`); everything else is kept in `extra`. */
const MODELLED = new Set(['alias', 'internalId', 'providerId', 'enabled', 'displayName', 'config', 'types']);

/** Keycloak masks an IdP's client secret on every read (IdentityProviderResource: ComponentRepresentation.SECRET_VALUE). */
export const MASKED_SECRET = '**********';
/** Config keys that hold a credential: never stored (this service logs no one in through an IdP), read back masked. */
const SECRET_CONFIG_KEYS = new Set(['clientSecret']);

/** What Keycloak 26 answers for a browser-login IdP's fields this service does not use. */
const LOGIN_DEFAULTS: Json = {
  updateProfileFirstLoginMode: 'on',
  trustEmail: false,
  storeToken: false,
  addReadTokenRoleOnCreate: false,
  authenticateByDefault: false,
  linkOnly: false,
  hideOnLogin: false,
  firstBrokerLoginFlowAlias: 'first broker login',
};

export function identityProviderRepresentation(idp: IdentityProvider): Json {
  const type = identityProviderType(idp);
  const config: Json = { ...idp.config };
  if (idp.config.clientSecret !== undefined || (idp.extra?.clientSecretSent as boolean | undefined)) config.clientSecret = MASKED_SECRET;
  const { clientSecretSent: _sent, ...extra } = idp.extra ?? {};
  return {
    // Kubernetes and SPIFFE IdPs take no part in browser login: Keycloak 26.5+ omits those booleans.
    ...(type?.assertionOnly ? {} : LOGIN_DEFAULTS),
    ...extra,
    alias: idp.alias,
    ...(idp.displayName === undefined ? {} : { displayName: idp.displayName }),
    internalId: idp.internalId,
    providerId: idp.providerId,
    enabled: idp.enabled,
    config,
    types: capabilitiesOf(idp),
  };
}

/**
 * An IdentityProviderRepresentation read into the model. `previous` is the stored IdP a PUT
 * replaces: its internal id stays, and a config the PUT omits stays too (Keycloak's update
 * replaces the config only when one is sent).
 */
export function parseIdentityProvider(body: unknown, previous?: IdentityProvider): IdentityProvider {
  if (!isJson(body)) throw new AdminError('An identity provider representation is a JSON object');
  refuseStructuralKeys(body, '');
  const alias = text(body, 'alias') ?? previous?.alias;
  if (!alias) throw new AdminError('Invalid alias');
  const providerId = text(body, 'providerId') ?? previous?.providerId;
  if (!providerId) throw new AdminError('providerId is required');
  const enabled = body.enabled ?? previous?.enabled ?? true;
  if (typeof enabled !== 'boolean' && enabled !== 'true' && enabled !== 'false') throw new AdminError('enabled must be a boolean');
  const displayName = text(body, 'displayName') ?? previous?.displayName;

  const sentConfig = body.config;
  if (sentConfig !== undefined && sentConfig !== null && !isJson(sentConfig)) throw new AdminError('config must be an object of strings');
  const config: Record<string, string> = Object.create(null);
  let clientSecretSent = previous?.extra?.clientSecretSent === true;
  for (const [key, value] of Object.entries(isJson(sentConfig) ? sentConfig : (previous?.config ?? {}))) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new AdminError(`config.${key} must be a string`);
    if (SECRET_CONFIG_KEYS.has(key)) {
      // A masked value sent back means "unchanged", as in Keycloak.
      clientSecretSent = clientSecretSent || String(value) !== MASKED_SECRET || previous === undefined;
      continue;
    }
    config[key] = String(value);
  }
  identityProviderType({ providerId })?.normalize?.(config);

  const extra: Json = { ...previous?.extra };
  for (const [key, value] of Object.entries(body)) if (!MODELLED.has(key) && value !== undefined) extra[key] = value;
  if (clientSecretSent) extra.clientSecretSent = true;
  else delete extra.clientSecretSent;
  return {
    alias,
    internalId: previous?.internalId ?? (text(body, 'internalId') || randomUUID()),
    providerId,
    enabled: enabled === true || enabled === 'true',
    ...(displayName === undefined ? {} : { displayName }),
    config: { ...config },
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new AdminError(`${key} must be a string`);
}

/** A name that would become an object's structure (`__proto__`, …) is refused wherever it appears. */
function refuseStructuralKeys(value: unknown, path: string): void {
  if (Array.isArray(value)) return value.forEach((item, i) => refuseStructuralKeys(item, `${path}[${i}]`));
  if (!isJson(value)) return;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw new AdminError(`'${key}' is not allowed as a field name${path ? ` (in ${path})` : ''}`);
    refuseStructuralKeys(value[key], path ? `${path}.${key}` : key);
  }
}
