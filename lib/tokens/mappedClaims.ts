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
  /**
   * The claims' JSON text around the per-grant values, in `keys` order: `text[0]`, the first
   * per-grant value, `text[1]`, …; undefined when it could not be made exactly as JSON.stringify
   * makes it (the token is then serialised whole).
   */
  readonly text: readonly string[] | undefined;
  /** The per-grant claims in the order their values appear in the text. */
  readonly textSlots: readonly PerGrant[];
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

/**
 * The JSON text of a token `stampAccessToken` made from `mapped` with the same `stamp`: the claims
 * that are the same grant after grant are serialised once (for a client with many roles, most of
 * the token), this grant's own values in between. Undefined when `mapped` has no text.
 */
export function accessTokenJson(mapped: MappedClaims, stamp: { exp: number; iat: number; jti: string; iss: string; sid?: string }): string | undefined {
  const { text, textSlots } = mapped;
  if (!text) return undefined;
  let json = text[0]!;
  for (let i = 0; i < textSlots.length; i++) json += JSON.stringify(stamp[textSlots[i]!]) + text[i + 1]!;
  return json;
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
  const mapped = {
    keys,
    values,
    slots: { exp: slot('exp'), iat: slot('iat'), jti: slot('jti'), iss: slot('iss'), sid: slot('sid') },
    hasProtoKey: keys.includes('__proto__'),
    tokenResponse: deepFreeze(extra.result([])) as Json,
    text: undefined as string[] | undefined,
    textSlots: [] as PerGrant[],
  };
  const text: string[] = [];
  let current = '';
  keys.forEach((key, i) => {
    current += `${i === 0 ? '{' : ','}${JSON.stringify(key)}:`;
    if ((PER_GRANT as readonly string[]).includes(key)) {
      text.push(current);
      current = '';
      mapped.textSlots.push(key as PerGrant);
    } else {
      current += JSON.stringify(values[i]);
    }
  });
  text.push(`${current}}`);
  // Used only if it is what JSON.stringify makes of such a token (a value it would leave out or turn
  // into something else, or a key order an object would not keep, fails this once, here).
  const probe = { exp: 1, iat: 2, jti: 'j', iss: 'i', sid: 's' };
  mapped.text = text;
  if (keys.length === 0 || accessTokenJson(mapped, probe) !== JSON.stringify(stampAccessToken(mapped, probe))) mapped.text = undefined;
  return mapped;
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Json)[key]);
  return Object.freeze(value);
}
