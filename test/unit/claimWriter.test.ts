/**
 * lib/tokens/claimWriter.ts and the rules around it: no key reaches a prototype (issue 17 F1), the
 * reserved claims only their declared mapper types write (F2), and one test for each mutant the
 * issue found surviving in the claim writer, value conversion and mapper plan.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { claimPath, escapeClaimKey } from '../../lib/model/claimPath.js';
import type { ClientRecord, ClientScope, ProtocolMapper } from '../../lib/model/stored.js';
import { ClaimWriter } from '../../lib/tokens/claimWriter.js';
import { compileScopeMappers, mapperPlan } from '../../lib/tokens/mapperPlan.js';
import { claimValue } from '../../lib/tokens/mappers/claimValue.js';
import { MAPPER_TYPES } from '../../lib/tokens/mappers/registry.js';
import type { ClaimWrite, TokenKind } from '../../lib/tokens/mappers/types.js';
import { RESERVED_CLAIMS } from '../../lib/tokens/reservedClaims.js';

const type = (id: string) => MAPPER_TYPES.get(id)!;
const HARDCODED = type('oidc-hardcoded-claim-mapper');
const claim = (name: string, value: unknown, multivalued = false): Extract<ClaimWrite, { kind: 'claim' }> => ({ kind: 'claim', name, value, multivalued });

function written(writes: [string, unknown][], kind: TokenKind = 'access', base: Record<string, unknown> = {}) {
  const writer = new ClaimWriter(kind, base);
  for (const [name, value] of writes) writer.write(claim(name, value), HARDCODED);
  return writer.result([]);
}

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
function assertPrototypeClean(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeNames);
  assert.equal(({} as Record<string, unknown>).nonce, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
}

describe('claim paths never reach a prototype (issue 17 F1)', () => {
  it('drops every path with a __proto__, constructor or prototype segment, escaped or not', () => {
    const claims = written([
      ['__proto__.nonce', 'x'],
      ['constructor.prototype.polluted', 'x'],
      ['a.__proto__.polluted', 'x'],
      ['\\_\\_proto\\_\\_.nonce', 'x'],
      ['__proto__', { polluted: 'x' }],
      ['prototype', 'x'],
      ['fine.key', 'kept'],
    ]);
    assertPrototypeClean();
    assert.deepEqual(claims, { fine: { key: 'kept' } });
    assert.equal(Object.getPrototypeOf(claims), Object.prototype, 'the result is an ordinary object');
  });

  it('inherited names are not containers: a claim named toString or hasOwnProperty is just a claim', () => {
    const claims = written([['toString.x', 1], ['hasOwnProperty', 2]]);
    assert.deepEqual(claims, { toString: { x: 1 }, hasOwnProperty: 2 });
    assertPrototypeClean();
  });

  it('property: whatever the claim names, Object.prototype is unchanged and the result is plain JSON', () => {
    const segment = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'nonce', 'polluted', 'toString', '\\_\\_proto\\_\\_', ''), fc.string({ maxLength: 6 }));
    const name = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
    // A fresh object each time: a mapper's JSON value is parsed per token, never shared between writes.
    const value = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.record({ polluted: fc.boolean() }));
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value, fc.boolean()), { maxLength: 8 }), (writes) => {
        const writer = new ClaimWriter('access', {});
        for (const [n, v, multivalued] of writes) writer.write(claim(n, v, multivalued), HARDCODED);
        const claims = writer.result([]);
        assertPrototypeClean();
        assert.deepEqual(JSON.parse(JSON.stringify(claims)), claims);
      }),
      { numRuns: 300 },
    );
  });
});

describe('reserved claims: only their declared mapper types write them (issue 17 F2)', () => {
  const base = { iss: 'https://idp/realms/r', sub: 'sa-user', exp: 2, iat: 1, jti: 'j', typ: 'Bearer', azp: 'client', scope: 'profile', sid: 's' };

  for (const name of RESERVED_CLAIMS) {
    it(`a hardcoded claim cannot write '${name}' (whole or nested)`, () => {
      const claims = written([[name, 'forged'], [`${name}.nested`, 'forged']], 'access', base);
      assert.notEqual(claims[name], 'forged');
      if (name in base) assert.equal(claims[name], base[name as keyof typeof base]);
      else if (name !== 'aud') assert.equal(claims[name], undefined);
      assert.doesNotMatch(JSON.stringify(claims), /forged/);
    });
  }

  it('the azp forge of the issue: a client cannot claim to be another', () => {
    for (const kind of ['access', 'id', 'introspection'] as const) assert.equal(written([['azp', 'boss']], kind, { azp: 'attacker' }).azp, 'attacker');
  });

  it('the declared writers keep their claims: sub mapper, role mappers, audience mappers', () => {
    const writer = new ClaimWriter('access', {});
    writer.write(claim('sub', 'user-id'), type('oidc-sub-mapper'));
    writer.write(claim('realm_access.roles', ['r'], true), type('oidc-usermodel-realm-role-mapper'));
    writer.write(claim('resource_access.api.roles', ['w'], true), type('oidc-usermodel-client-role-mapper'));
    // A role mapper may not write the other role claim.
    writer.write(claim('resource_access.api.roles', ['forged'], true), type('oidc-usermodel-realm-role-mapper'));
    writer.write(claim('realm_access.roles', ['forged'], true), type('oidc-usermodel-client-role-mapper'));
    assert.deepEqual(writer.result([]), { sub: 'user-id', realm_access: { roles: ['r'] }, resource_access: { api: { roles: ['w'] } } });
  });

  it('every mapper type declares only reserved claims, and only the expected types declare any', () => {
    const declared = new Map([...MAPPER_TYPES.values()].filter((t) => t.reservedClaims?.length).map((t) => [t.id, [...t.reservedClaims!]]));
    assert.deepEqual(Object.fromEntries(declared), {
      'oidc-audience-mapper': ['aud'],
      'oidc-audience-resolve-mapper': ['aud'],
      'oidc-usermodel-realm-role-mapper': ['realm_access'],
      'oidc-usermodel-client-role-mapper': ['resource_access'],
      'oidc-sub-mapper': ['sub'],
    });
  });
});

describe('mutants the issue found surviving', () => {
  it('escapeClaimKey escapes backslashes as well as dots: any client id comes back as one key', () => {
    for (const id of ['shop.orders', 'a\\b', 'a\\.b', 'trailing\\', 'x\\\\.y']) assert.deepEqual(claimPath(`resource_access.${escapeClaimKey(id)}.roles`), ['resource_access', id, 'roles']);
  });

  it('token-response mappers cannot overwrite the response members', () => {
    const members = ['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type', 'id_token', 'not-before-policy', 'session_state', 'scope', 'error'];
    const response = written([...members.map((name): [string, unknown] => [name, 'forged']), ['extra', 'ok']], 'tokenResponse');
    assert.deepEqual(response, { extra: 'ok' });
    // The same names are ordinary claims inside a token.
    assert.equal(written([['access_token', 'a']]).access_token, 'a');
  });

  it('a nested claim through an existing non-object value replaces it (Keycloak mapClaim)', () => {
    assert.deepEqual(written([['a', 1], ['a.b', 2]]), { a: { b: 2 } });
    assert.deepEqual(written([['a', [1]], ['a.b', 2]]), { a: { b: 2 } });
    assert.deepEqual(written([['a', { c: 1 }], ['a.b', 2]]), { a: { c: 1, b: 2 } });
  });

  it('long and int refuse integers beyond 2^53 (they would not come back as written)', () => {
    assert.equal(claimValue('9007199254740991', { 'jsonType.label': 'long' }, 'n'), 9007199254740991);
    for (const type of ['long', 'int']) {
      assert.throws(() => claimValue('9007199254740993', { 'jsonType.label': type }, 'n'), { error: 'server_error' });
      assert.throws(() => claimValue(2 ** 53 + 2, { 'jsonType.label': type }, 'n'), { error: 'server_error' });
    }
  });

  const mapper = (name: string, protocolMapper = 'oidc-hardcoded-claim-mapper'): ProtocolMapper => ({
    id: name, name, protocol: 'openid-connect', protocolMapper, config: { 'claim.name': name, 'claim.value': 'v', 'access.token.claim': 'true' },
  });
  const scope = (name: string, mappers: ProtocolMapper[]): ClientScope => ({
    id: name, name, protocol: 'openid-connect', includeInTokenScope: true, scopeMappings: { realm: [], client: {} }, protocolMappers: mappers,
  });
  const client = (mappers: ProtocolMapper[]) => ({ clientId: 'c', protocolMappers: mappers }) as ClientRecord;
  const names = (plan: ReturnType<typeof mapperPlan>) => plan.map((compiled) => compiled.mapper.name);

  it("same-priority mappers: the client's own first, then its scopes' in the client's order; priority first", () => {
    const a = scope('a', [mapper('a1')]);
    const b = scope('b', [mapper('b1'), mapper('b-sub', 'oidc-sub-mapper')]);
    assert.deepEqual(names(mapperPlan(client([mapper('own')]), [a, b], new Map())), ['b-sub', 'own', 'a1', 'b1']);
    assert.deepEqual(names(mapperPlan(client([mapper('own')]), [b, a], new Map())), ['b-sub', 'own', 'b1', 'a1']);
  });

  it('the mapper-plan cache is keyed by the set of scopes in effect', () => {
    const record = client([mapper('own')]);
    const a = scope('a', [mapper('a1')]);
    const b = scope('b', [mapper('b1')]);
    assert.deepEqual(names(mapperPlan(record, [a], new Map())), ['own', 'a1']);
    assert.deepEqual(names(mapperPlan(record, [b], new Map())), ['own', 'b1']);
    assert.deepEqual(names(mapperPlan(record, [], new Map())), ['own']);
    assert.deepEqual(names(mapperPlan(record, [a, b], new Map())), ['own', 'a1', 'b1']);
  });

  it("a realm reload's scope mappers are used even for a client record that outlived the old realm context", () => {
    const record = client([mapper('own')]);
    const before = scope('a', [mapper('a1')]);
    const after = scope('a', [mapper('a2')]);
    assert.deepEqual(names(mapperPlan(record, [before], compileScopeMappers([before]))), ['own', 'a1']);
    assert.deepEqual(names(mapperPlan(record, [after], compileScopeMappers([after]))), ['own', 'a2']);
  });
});
