import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord, ProtocolMapper } from '../../lib/model/stored.js';
import { accessTokenClaims } from '../../lib/tokens/accessToken.js';
import { builtInClientScopes } from '../../lib/tokens/builtInScopes.js';
import { ClaimWriter } from '../../lib/tokens/claimWriter.js';
import { resolveScope } from '../../lib/tokens/scope.js';
import { clientCredentialsNotes, runMappers, tokenContext, tokenRealm } from '../../lib/tokens/tokenContext.js';
import { buildTokens } from '../../lib/tokens/tokenResponse.js';

/**
 * buildTokens runs a client's mappers once per shape and source address (lib/tokens/mappedClaims.ts)
 * and stamps each grant's exp, iat, jti, iss and sid: every token must be the one a fresh mapper
 * run would have made, claim for claim and in the same order.
 */
const mapper = (name: string, protocolMapper: string, config: Record<string, string>): ProtocolMapper => ({ id: `id-${name}`, name, protocol: 'openid-connect', protocolMapper, config });
const ACCESS = { 'access.token.claim': 'true', 'id.token.claim': 'true' };

const scopes = builtInClientScopes((kind, name) => `${kind}-${name}`);
const realm = tokenRealm({
  settings: {
    realm: 'r', enabled: true, accessTokenLifespan: 300, ssoSessionIdleTimeout: 1800, ssoSessionMaxLifespan: 36000, clientSessionIdleTimeout: 0,
    clientSessionMaxLifespan: 0, revokeRefreshToken: false, refreshTokenMaxReuse: 0, notBefore: 0, defaultSignatureAlgorithm: 'RS256',
    defaultRole: 'default-roles-r', defaultDefaultClientScopes: [], defaultOptionalClientScopes: [],
  },
  compositeRoles: [{ name: 'default-roles-r', composites: { realm: ['offline_access'], client: {} } }],
  clientScopes: scopes,
  groups: [],
});

const client: ClientRecord = {
  realm: 'r', clientId: 'billing', id: 'client-uuid', enabled: true, publicClient: false, bearerOnly: false, serviceAccountsEnabled: true,
  fullScopeAllowed: true, clientAuthenticatorType: 'client-secret',
  defaultClientScopes: ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email', 'service_account'], optionalClientScopes: ['phone'],
  attributes: {}, notBefore: 0, scopeMappings: { realm: [], client: {} },
  serviceAccount: { id: 'user-1', username: 'service-account-billing', roles: { realm: ['default-roles-r', 'reader'], client: { api: ['read'], billing: ['own'] } } },
  protocolMappers: [
    mapper('host', 'oidc-usersessionmodel-note-mapper', { ...ACCESS, 'user.session.note': 'clientHost', 'claim.name': 'origin.host' }),
    mapper('tier', 'oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'tier', 'claim.value': 'gold', 'jsonType.label': 'String', 'access.tokenResponse.claim': 'true' }),
    mapper('proto', 'oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': '__proto__', 'claim.value': 'x', 'jsonType.label': 'String' }),
  ],
};

/** What the mappers make of this grant when run afresh, as before the memo. */
function fresh(sourceIp: string, issuedAt: number, issuer: string, sessionId: string | undefined, jti: unknown) {
  const ctx = tokenContext(realm, client, resolveScope('phone', client, realm.clientScopes), clientCredentialsNotes(client.clientId, sourceIp));
  const claims = accessTokenClaims(ctx, { issuer, issuedAt, lifespan: 300, sessionId });
  claims.jti = jti;
  const extra = new ClaimWriter('tokenResponse', {});
  runMappers(ctx, 'tokenResponse', extra);
  return { claims, tokenResponse: extra.result([]) };
}

describe('mapped claims, once per shape and source address', () => {
  it('gives each grant the claims, order and JSON text of a fresh mapper run, its own jti, time, issuer, session and address', () => {
    const seen = new Set<unknown>();
    for (const [sourceIp, issuedAt, issuer, session] of [
      ['10.0.0.1', 1000, 'https://idp/realms/r', undefined],
      ['10.0.0.1', 1001, 'https://idp/auth/realms/r', undefined],
      ['10.0.0.2', 1002, 'https://idp/realms/r', undefined],
      ['10.0.0.1', 1003, 'https://idp/realms/r', { id: 'session-1', expiresAt: 1003 + 100 }],
      ['10.0.0.1', 1004, 'https://idp/realms/r', { id: 'session-2', expiresAt: 1004 + 1000 }],
      ['10.0.0.1', 1005, 'https://idp/realms/r', undefined],
    ] as const) {
      const built = buildTokens({ realm, issuer, client, scope: resolveScope('phone', client, realm.clientScopes), issuedAt, sourceIp, session });
      const expected = fresh(sourceIp, issuedAt, issuer, session?.id, built.accessToken.jti);
      expected.claims.exp = issuedAt + built.lifespan;
      assert.equal(JSON.stringify(built.accessToken), JSON.stringify(expected.claims));
      assert.deepEqual(built.accessToken, expected.claims);
      assert.equal(built.accessTokenJson, JSON.stringify(expected.claims), 'the text signed is the token as JSON.stringify writes it');
      assert.equal(JSON.stringify(built.tokenResponse), JSON.stringify(expected.tokenResponse));
      assert.equal((built.accessToken.origin as Record<string, unknown>).host, sourceIp);
      assert.equal(Object.getPrototypeOf(built.accessToken), Object.prototype, 'a __proto__ claim stays data');
      assert.equal(seen.has(built.accessToken.jti), false);
      seen.add(built.accessToken.jti);
    }
  });

  it('shares nothing a caller could change between grants', () => {
    const input = { realm, issuer: 'https://idp/realms/r', client, scope: resolveScope(undefined, client, realm.clientScopes), issuedAt: 1000, sourceIp: '10.0.0.9' };
    const first = buildTokens(input);
    assert.ok((first.accessToken.realm_access as { roles: string[] }).roles.includes('reader'));
    assert.throws(() => ((first.accessToken.realm_access as { roles: string[] }).roles.push('admin')), TypeError);
    const second = buildTokens(input);
    assert.notEqual(first.accessToken, second.accessToken);
    assert.deepEqual((second.accessToken.realm_access as { roles: string[] }).roles, (first.accessToken.realm_access as { roles: string[] }).roles);
  });
});
