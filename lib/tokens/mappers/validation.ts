import type { RoleRef } from '../roles.js';
import { JSON_TYPES } from './claimValue.js';
import { claimPath } from '../../model/claimPath.js';

type Config = Readonly<Record<string, string>>;

/** The checks every claim-writing mapper shares: a usable `claim.name` and a known `jsonType.label`. */
export function claimProblems(config: Config): string[] {
  const problems: string[] = [];
  if (!config['claim.name'] || claimPath(config['claim.name']).length === 0) problems.push("'claim.name' is required");
  const type = config['jsonType.label'];
  if (type !== undefined && type !== '' && !(JSON_TYPES as readonly string[]).includes(type)) {
    problems.push(`'jsonType.label' must be one of ${JSON_TYPES.join(', ')}`);
  }
  return problems;
}

export function required(config: Config, ...keys: string[]): string[] {
  return keys.filter((key) => !config[key]).map((key) => `'${key}' is required`);
}

/**
 * Keycloak's KeycloakModelUtils.parseRole: `clientId.roleName` for a client role, split at the
 * last dot (so a role name holding a dot cannot be addressed), else a realm role name.
 */
export function parseRoleRef(text: string): RoleRef {
  const dot = text.lastIndexOf('.');
  return dot > 0 ? { client: text.slice(0, dot), name: text.slice(dot + 1) } : { name: text };
}
