import { FORBIDDEN_KEYS } from '../model/identityProvider.js';

/**
 * Claim conditions on a `federated-jwt` client — our extension, not Keycloak's. The client
 * attribute `jwt.credential.claims` holds a JSON object shaped like the assertion's claims: each
 * value is a pattern (exact text, `*` matching any run of characters), a list of patterns (any
 * may match), or an object of conditions on a nested claim. Checked after the signature, so an
 * issuer's own claims (an AWS `org_id`, a GitHub `repository_owner` or `environment`) narrow which
 * tokens of one subject may act as the client:
 *
 * ```json
 * {"https://sts.amazonaws.com/": {"org_id": "o-abc123"}, "environment": ["prod", "prod-*"]}
 * ```
 */
export type ClaimCondition = string | string[] | { [claim: string]: ClaimCondition };

const MAX_CONDITIONS_LENGTH = 4096;

/** Why `text` cannot be a client's claim conditions, or undefined. */
export function claimConditionsProblem(text: string): string | undefined {
  if (text.length > MAX_CONDITIONS_LENGTH) return `must be at most ${MAX_CONDITIONS_LENGTH} characters`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'must be a JSON object';
  }
  return isObject(parsed) ? conditionProblem(parsed, '') : 'must be a JSON object';
}

function conditionProblem(condition: unknown, path: string): string | undefined {
  if (typeof condition === 'string') return undefined;
  if (Array.isArray(condition)) return condition.every((item) => typeof item === 'string') && condition.length > 0 ? undefined : `${path || 'a condition'}: a list holds patterns (strings)`;
  if (!isObject(condition)) return `${path || 'a condition'}: must be a pattern, a list of patterns or an object`;
  for (const [key, value] of Object.entries(condition)) {
    if (FORBIDDEN_KEYS.has(key)) return `'${key}' is not allowed as a claim name`;
    const problem = conditionProblem(value, path ? `${path}.${key}` : key);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The first condition the claims fail, as a path (`environment`, `https://sts.amazonaws.com/.org_id`),
 * or undefined when all hold. Unparsable conditions fail closed: nothing matches them.
 */
export function unmetClaimCondition(claims: Record<string, unknown>, conditionsText: string | undefined): string | undefined {
  if (conditionsText === undefined || conditionsText === '') return undefined;
  if (claimConditionsProblem(conditionsText) !== undefined) return '(invalid conditions)';
  return unmet(claims, JSON.parse(conditionsText) as Record<string, ClaimCondition>, '');
}

function unmet(claims: unknown, conditions: Record<string, ClaimCondition>, path: string): string | undefined {
  for (const [name, condition] of Object.entries(conditions)) {
    const where = path ? `${path}.${name}` : name;
    // Own claims only: a condition never reads what an object inherits.
    const value = isObject(claims) && Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (isObject(condition)) {
      const nested = isObject(value) ? unmet(value, condition as Record<string, ClaimCondition>, where) : where;
      if (nested) return nested;
    } else if (!matchesAny(value, typeof condition === 'string' ? [condition] : condition)) {
      return where;
    }
  }
  return undefined;
}

/** A scalar claim matches when one pattern does; a list claim (groups, `aud`) when one of its items does. */
function matchesAny(value: unknown, patterns: string[]): boolean {
  const texts = (Array.isArray(value) ? value : [value]).filter((item) => ['string', 'number', 'boolean'].includes(typeof item)).map(String);
  return texts.some((text) => patterns.some((pattern) => globMatches(pattern, text)));
}

function globMatches(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  const parts = pattern.split('*');
  // Linear in the text: each literal part is found in order, no backtracking regex.
  if (!text.startsWith(parts[0]!)) return false;
  let at = parts[0]!.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = text.indexOf(parts[i]!, at);
    if (found === -1) return false;
    at = found + parts[i]!.length;
  }
  const last = parts[parts.length - 1]!;
  return text.length - last.length >= at && text.endsWith(last);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
