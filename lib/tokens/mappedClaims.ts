import { accessTokenClaims } from './accessToken.js';
import { ClaimWriter } from './claimWriter.js';
import { runMappers, type TokenContext } from './tokenContext.js';

type Json = Record<string, unknown>;

/**
 * The claims that change from one grant to the next. No mapper may write them (RESERVED_CLAIMS in
 * lib/tokens/reservedClaims.ts, and no mapper type declares one of them), so what the mappers make
 * of a token never depends on them.
 */
const PER_GRANT = ['exp', 'iat', 'jti', 'iss', 'sid'] as const;
type PerGrant = (typeof PER_GRANT)[number];

/** What the mappers made of one client shape for one set of session notes, ready to be stamped per grant. */
export interface MappedClaims {
  /** The access token's claim names in their final order (ACCESS_TOKEN_ORDER, then the mappers' own). */
  readonly keys: readonly string[];
  /** Their values, frozen (shared by every token stamped from them); the per-grant claims hold placeholders. */
  readonly values: readonly unknown[];
  /** Where each per-grant claim sits in `keys` (-1: absent, as `sid` is without a session). */
  readonly slots: Readonly<Record<PerGrant, number>>;
  /** A stored claim named `__proto__` cannot be assigned as data: such a token is built with Object.fromEntries. */
  readonly hasProtoKey: boolean;
  /** Members token-response mappers add to the token endpoint's JSON (frozen). */
  readonly tokenResponse: Readonly<Json>;
}

/**
 * The mapper run of a grant, done once per client shape (lib/tokens/tokenContext.ts), kind of
 * grant (with or without a stored session) and session notes, instead of once per grant. Mappers
 * are pure functions of the shape (service account, groups, roles in scope, client, realm settings,
 * each mapper's config) and the notes (lib/tokens/mappers/types.ts), so the same inputs make the
 * same claims: `npm run bench` profiled the mapper run, claim writing and ordering at about a tenth
 * of a warm grant's CPU. `notesKey` must name the notes exactly.
 */
export function mappedClaims(ctx: TokenContext, withSession: boolean, notesKey: string): MappedClaims {
  const key = `${withSession ? 's' : 't'}${notesKey}`;
  let mapped = ctx.memo.get(key) as MappedClaims | undefined;
  if (!mapped) {
    mapped = runOnce(ctx, withSession);
    ctx.memo.set(key, mapped);
  }
  return mapped;
}

/** The access token's claims for one grant: the mapped claims with this grant's time, id, issuer and session. */
export function stampAccessToken(mapped: MappedClaims, stamp: { exp: number; iat: number; jti: string; iss: string; sid?: string }): Json {
  const values = mapped.values.slice();
  const { slots } = mapped;
  values[slots.exp] = stamp.exp;
  values[slots.iat] = stamp.iat;
  values[slots.jti] = stamp.jti;
  values[slots.iss] = stamp.iss;
  if (slots.sid >= 0) values[slots.sid] = stamp.sid;
  const { keys } = mapped;
  if (mapped.hasProtoKey) return Object.fromEntries(keys.map((key, i) => [key, values[i]]));
  // Assigned in the same order every time: one hidden class per shape, no dictionary mode.
  const claims: Json = {};
  for (let i = 0; i < keys.length; i++) claims[keys[i]!] = values[i];
  return claims;
}

function runOnce(ctx: TokenContext, withSession: boolean): MappedClaims {
  // Placeholders in the per-grant claims; exp and iat numbers, jti, iss and sid strings, so that
  // each is present exactly where a real grant's is (sid only with a session).
  const template = accessTokenClaims(ctx, { issuer: '', issuedAt: 0, lifespan: 0, sessionId: withSession ? 'sid' : undefined });
  const keys = Object.keys(template);
  const values = keys.map((key) => deepFreeze(template[key]));
  const slot = (name: PerGrant) => keys.indexOf(name);
  const extra = new ClaimWriter('tokenResponse', {});
  runMappers(ctx, 'tokenResponse', extra);
  return {
    keys,
    values,
    slots: { exp: slot('exp'), iat: slot('iat'), jti: slot('jti'), iss: slot('iss'), sid: slot('sid') },
    hasProtoKey: keys.includes('__proto__'),
    tokenResponse: deepFreeze(extra.result([])) as Json,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Json)[key]);
  return Object.freeze(value);
}
