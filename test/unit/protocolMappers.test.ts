import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRecord, ClientScope, Group, ProtocolMapper, ServiceAccountUser } from '../../lib/model/stored.js';
import { accessTokenClaims } from '../../lib/tokens/accessToken.js';
import { builtInClientScopes } from '../../lib/tokens/builtInScopes.js';
import { ClaimWriter } from '../../lib/tokens/claimWriter.js';
import { idTokenClaims } from '../../lib/tokens/idToken.js';
import { introspectionClaims } from '../../lib/tokens/introspection.js';
import { claimPath, escapeClaimKey } from '../../lib/model/claimPath.js';
import { claimValue } from '../../lib/tokens/mappers/claimValue.js';
import { MAPPER_TYPES, mapperProblems } from '../../lib/tokens/mappers/registry.js';
import { resolveScope } from '../../lib/tokens/scope.js';
import { clientCredentialsNotes, runMappers, tokenContext, tokenRealm, type TokenRealm } from '../../lib/tokens/tokenContext.js';

/** Unit tests per mapper type, from keycloak-mappers.md (Keycloak 26's OIDC mappers). */

let ids = 0;
const m = (protocolMapper: string, config: Record<string, string> = {}, name = `m${++ids}`): ProtocolMapper => ({
  id: `id-${name}`,
  name,
  protocol: 'openid-connect',
  protocolMapper,
  config,
});
const ACCESS = { 'access.token.claim': 'true' };
const HARDCODED_CLAIM = MAPPER_TYPES.get('oidc-hardcoded-claim-mapper')!;
const SUB = MAPPER_TYPES.get('oidc-sub-mapper')!;

const user: ServiceAccountUser = {
  id: 'user-1',
  username: 'service-account-billing',
  roles: { realm: ['reader', 'composite'], client: { 'shop.orders': ['read'], 'product-api': ['write'], billing: ['own'] } },
};

const groups: Group[] = [
  { id: 'g1', name: 'org', path: '/org', attributes: { region: ['eu'], tier: ['gold'] }, roles: { realm: ['org-role'], client: {} } },
  { id: 'g2', name: 'team', path: '/org/team', parentPath: '/org', attributes: { tier: ['silver'] }, roles: { realm: [], client: { 'product-api': ['team-read'] } } },
  { id: 'g3', name: 'other', path: '/other', attributes: { region: ['us'] }, roles: { realm: [], client: {} } },
];

function client(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    realm: 'r', clientId: 'billing', id: 'client-uuid', enabled: true, publicClient: false, bearerOnly: false, serviceAccountsEnabled: true,
    fullScopeAllowed: true, clientAuthenticatorType: 'client-secret', defaultClientScopes: [], optionalClientScopes: [], attributes: {},
    notBefore: 0, scopeMappings: { realm: [], client: {} }, serviceAccount: user, ...overrides,
  };
}

function realmOf(scopes: ClientScope[] = [], extraGroups = groups): TokenRealm {
  return tokenRealm({
    settings: {
      realm: 'r', enabled: true, accessTokenLifespan: 300, ssoSessionIdleTimeout: 1800, ssoSessionMaxLifespan: 36000, clientSessionIdleTimeout: 0,
      clientSessionMaxLifespan: 0, revokeRefreshToken: false, refreshTokenMaxReuse: 0, notBefore: 0, defaultSignatureAlgorithm: 'RS256',
      defaultRole: 'default-roles-r', defaultDefaultClientScopes: [], defaultOptionalClientScopes: [],
    },
    compositeRoles: [{ name: 'composite', composites: { realm: ['inner'], client: {} } }],
    clientScopes: scopes,
    groups: extraGroups,
  });
}

/** The access token of `c` with only `mappers` as its dedicated mappers (no scopes unless given). */
function token(mappers: ProtocolMapper[], overrides: Partial<ClientRecord> = {}, scopes: ClientScope[] = [], scope?: string) {
  const c = client({ protocolMappers: mappers, ...overrides });
  const realm = realmOf(scopes);
  const ctx = tokenContext(realm, c, resolveScope(scope, c, realm.clientScopes), clientCredentialsNotes(c.clientId, '10.0.0.1'));
  // A client with refresh tokens on has a stored session (its id in `sid`).
  const sessionId = c.attributes['client_credentials.use_refresh_token'] === 'true' ? 'session-1' : undefined;
  return { claims: accessTokenClaims(ctx, { issuer: 'https://idp/realms/r', issuedAt: 1000, lifespan: 300, sessionId }), ctx, realm, client: c };
}

const scope = (name: string, protocolMappers: ProtocolMapper[], extra: Partial<ClientScope> = {}): ClientScope => ({
  id: name, name, protocol: 'openid-connect', includeInTokenScope: true, scopeMappings: { realm: [], client: {} }, protocolMappers, ...extra,
});

describe('claim names and values (OIDCAttributeMapperHelper)', () => {
  it('splits on dots and honours backslash escapes', () => {
    assert.deepEqual(claimPath('a.b.c'), ['a', 'b', 'c']);
    assert.deepEqual(claimPath('a\\.b.c'), ['a.b', 'c']);
    assert.deepEqual(claimPath(`resource_access.${escapeClaimKey('shop.orders')}.roles`), ['resource_access', 'shop.orders', 'roles']);
  });

  it('converts by jsonType.label and drops empty values', () => {
    assert.equal(claimValue('42', { 'jsonType.label': 'long' }, 'x'), 42);
    assert.equal(claimValue('TRUE', { 'jsonType.label': 'boolean' }, 'x'), true);
    assert.equal(claimValue('yes', { 'jsonType.label': 'boolean' }, 'x'), false);
    assert.deepEqual(claimValue('{"a":[1]}', { 'jsonType.label': 'JSON' }, 'x'), { a: [1] });
    assert.equal(claimValue('as is', {}, 'x'), 'as is');
    assert.equal(claimValue([], { multivalued: 'true' }, 'x'), undefined);
    assert.equal(claimValue(null, {}, 'x'), undefined);
    assert.deepEqual(claimValue(['1', '2'], { multivalued: 'true', 'jsonType.label': 'int' }, 'x'), [1, 2]);
    assert.equal(claimValue(['first', 'second'], {}, 'x'), 'first');
    assert.throws(() => claimValue('12abc', { 'jsonType.label': 'long' }, 'x'), { error: 'server_error', status: 500 });
    assert.throws(() => claimValue('{', { 'jsonType.label': 'JSON' }, 'x'), { error: 'server_error' });
  });

  it('merges: single-valued last writer wins, multivalued appends without duplicates, reserved names are refused', () => {
    const w = new ClaimWriter('access', { iss: 'i', scope: 's', sub: 'base' });
    const by = HARDCODED_CLAIM;
    w.write({ kind: 'claim', name: 'a.b', value: 1, multivalued: false }, by);
    w.write({ kind: 'claim', name: 'a.c', value: 2, multivalued: false }, by);
    w.write({ kind: 'claim', name: 'a.b', value: 3, multivalued: false }, by);
    w.write({ kind: 'claim', name: 'list', value: 'x', multivalued: true }, by);
    w.write({ kind: 'claim', name: 'list', value: ['x', 'y'], multivalued: true }, by);
    w.write({ kind: 'claim', name: 'iss', value: 'evil', multivalued: false }, by);
    w.write({ kind: 'claim', name: 'scope', value: 'evil', multivalued: false }, by);
    w.write({ kind: 'claim', name: 'sub', value: 'mapped', multivalued: false }, by);
    w.write({ kind: 'claim', name: 'aud', value: ['p', 'q'], multivalued: false }, by);
    w.addAudience('one');
    assert.deepEqual(w.result([]), { iss: 'i', scope: 's', sub: 'base', a: { b: 3, c: 2 }, list: ['x', 'y'], aud: 'one' });
    const s = new ClaimWriter('access', {});
    s.write({ kind: 'claim', name: 'sub', value: 'mapped', multivalued: false }, SUB);
    s.write({ kind: 'claim', name: 'sub.x', value: 'ignored', multivalued: false }, SUB);
    assert.deepEqual(s.result([]), { sub: 'mapped' }, 'the sub mapper sets sub, as one component only');
  });

  it('knows the 15 types of the issue and refuses unknown ones', () => {
    assert.equal(MAPPER_TYPES.size, 15);
    assert.match(mapperProblems(m('oidc-address-mapper'))[0]!, /not a protocol mapper type/);
    assert.deepEqual(mapperProblems(m('oidc-hardcoded-claim-mapper', { 'claim.name': 'n', 'claim.value': 'x', 'jsonType.label': 'long' })), ["'claim.value' is not a valid long"]);
  });
});

describe('each mapper type', () => {
  it('oidc-audience-mapper: client audience wins over custom; ID token aud becomes an array', () => {
    const a = m('oidc-audience-mapper', { ...ACCESS, 'id.token.claim': 'true', 'included.client.audience': 'api-a', 'included.custom.audience': 'ignored' });
    const b = m('oidc-audience-mapper', { ...ACCESS, 'included.custom.audience': 'urn:b' });
    const { claims, ctx } = token([a, b, m('oidc-audience-mapper', { ...ACCESS, 'included.custom.audience': 'urn:b' })]);
    assert.deepEqual(claims.aud, ['api-a', 'urn:b']);
    assert.deepEqual(idTokenClaims(ctx, claims, 'x').aud, ['billing', 'api-a']);
    assert.equal(token([b]).claims.aud, 'urn:b');
    assert.equal(token([m('oidc-audience-mapper', { 'included.custom.audience': 'off' })]).claims.aud, undefined, 'access flag absent means no');
  });

  it('oidc-audience-resolve-mapper: clients with roles, not the client itself; on by default', () => {
    const { claims } = token([m('oidc-audience-resolve-mapper')]);
    assert.deepEqual(claims.aud, ['shop.orders', 'product-api']);
    assert.equal(token([m('oidc-audience-resolve-mapper', { 'access.token.claim': 'false' })]).claims.aud, undefined);
  });

  it('oidc-hardcoded-claim-mapper: nested, typed, in the token response only when flagged', () => {
    const { claims, ctx } = token([
      m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'tenant.id', 'claim.value': '7', 'jsonType.label': 'long', 'access.tokenResponse.claim': 'true' }),
      m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'tenant.name', 'claim.value': 'acme' }),
      m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'dotted\\.key', 'claim.value': '{"x":true}', 'jsonType.label': 'JSON' }),
      m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'empty' }),
    ]);
    assert.deepEqual(claims.tenant, { id: 7, name: 'acme' });
    assert.deepEqual(claims['dotted.key'], { x: true });
    assert.equal('empty' in claims, false);
    const response = new ClaimWriter('tokenResponse', {});
    runMappers(ctx, 'tokenResponse', response);
    assert.deepEqual(response.result([]), { tenant: { id: 7 } });
  });

  it('oidc-hardcoded-role-mapper and oidc-role-name-mapper edit the roles later mappers see, whatever their flags', () => {
    const roles = [
      m('oidc-usermodel-realm-role-mapper', { ...ACCESS, 'claim.name': 'realm_access.roles', multivalued: 'true' }),
      m('oidc-usermodel-client-role-mapper', { ...ACCESS, 'claim.name': 'resource_access.${client_id}.roles', multivalued: 'true' }),
      m('oidc-audience-resolve-mapper'),
    ];
    const { claims } = token([
      ...roles,
      m('oidc-hardcoded-role-mapper', { role: 'ghost-api.admin' }),
      m('oidc-role-name-mapper', { role: 'product-api.write', 'new.role.name': 'renamed' }),
      m('oidc-role-name-mapper', { role: 'not-held', 'new.role.name': 'never' }),
    ]);
    assert.deepEqual(new Set((claims.realm_access as { roles: string[] }).roles), new Set(['reader', 'composite', 'inner', 'renamed']));
    const access = claims.resource_access as Record<string, { roles: string[] }>;
    assert.equal(access['product-api'], undefined, 'a client whose last role moved away disappears');
    assert.deepEqual(access['ghost-api'], { roles: ['admin'] });
    assert.deepEqual(new Set(claims.aud as string[]), new Set(['shop.orders', 'ghost-api']));
  });

  it('oidc-usermodel-realm-role-mapper: prefix, custom path, single value without multivalued', () => {
    const { claims } = token([
      m('oidc-usermodel-realm-role-mapper', { ...ACCESS, 'claim.name': 'roles', multivalued: 'true', 'usermodel.realmRoleMapping.rolePrefix': 'realm:' }),
      m('oidc-usermodel-realm-role-mapper', { ...ACCESS, 'claim.name': 'one' }),
    ]);
    assert.deepEqual(new Set(claims.roles as string[]), new Set(['realm:reader', 'realm:composite', 'realm:inner']));
    assert.equal(typeof claims.one, 'string');
  });

  it('oidc-usermodel-client-role-mapper: ${client_id} escaped, one client, prefix; no roles, no claim', () => {
    const { claims } = token([
      m('oidc-usermodel-client-role-mapper', { ...ACCESS, 'claim.name': 'resource_access.${client_id}.roles', multivalued: 'true' }),
      m('oidc-usermodel-client-role-mapper', { ...ACCESS, 'claim.name': 'api_roles', multivalued: 'true', 'usermodel.clientRoleMapping.clientId': 'product-api', 'usermodel.clientRoleMapping.rolePrefix': 'api-' }),
      m('oidc-usermodel-client-role-mapper', { ...ACCESS, 'claim.name': 'none', multivalued: 'true', 'usermodel.clientRoleMapping.clientId': 'nobody' }),
    ]);
    assert.deepEqual(claims.resource_access, { 'shop.orders': { roles: ['read'] }, 'product-api': { roles: ['write'] }, billing: { roles: ['own'] } });
    assert.deepEqual(claims.api_roles, ['api-write']);
    assert.equal('none' in claims, false);
  });

  it('roles through groups (with parents) and composites; fullScopeAllowed=false filters them', () => {
    const mapper = m('oidc-usermodel-realm-role-mapper', { ...ACCESS, 'claim.name': 'realm_access.roles', multivalued: 'true' });
    const member = { ...user, groups: ['/org/team'] };
    const { claims } = token([mapper, m('oidc-usermodel-client-role-mapper', { ...ACCESS, 'claim.name': 'resource_access.${client_id}.roles', multivalued: 'true' })], { serviceAccount: member });
    assert.ok((claims.realm_access as { roles: string[] }).roles.includes('org-role'), 'parent group role');
    assert.deepEqual((claims.resource_access as Record<string, { roles: string[] }>)['product-api']!.roles.sort(), ['team-read', 'write']);
    const limited = token([mapper], { serviceAccount: member, fullScopeAllowed: false, scopeMappings: { realm: ['org-role'], client: {} } }).claims;
    assert.deepEqual((limited.realm_access as { roles: string[] }).roles, ['org-role']);
  });

  it('oidc-usermodel-attribute-mapper: own values, else first group (nearest ancestor), or aggregated', () => {
    const member: ServiceAccountUser = { ...user, email: 'b@example.com', attributes: { dept: ['finance'], multi: ['a', 'b'] }, groups: ['/org/team', '/other'] };
    const attr = (attribute: string, extra: Record<string, string> = {}) => m('oidc-usermodel-attribute-mapper', { ...ACCESS, 'user.attribute': attribute, 'claim.name': attribute, ...extra });
    const { claims } = token(
      [attr('dept'), attr('tier'), attr('region'), attr('multi', { multivalued: 'true' }), attr('email'), attr('missing'), attr('username')],
      { serviceAccount: member },
    );
    assert.equal(claims.dept, 'finance');
    assert.equal(claims.tier, 'silver', "the group's own value before its parent's");
    assert.equal(claims.region, 'eu', "the first group's nearest ancestor before the second group");
    assert.deepEqual(claims.multi, ['a', 'b']);
    assert.equal(claims.email, 'b@example.com');
    assert.equal('missing' in claims, false);
    assert.equal(claims.username, 'service-account-billing');
    const aggregated = token([attr('region', { multivalued: 'true', 'aggregate.attrs': 'true' }), attr('tier', { multivalued: 'true', 'aggregate.attrs': 'true' })], { serviceAccount: member }).claims;
    assert.deepEqual(new Set(aggregated.region as string[]), new Set(['eu', 'us']));
    assert.deepEqual(new Set(aggregated.tier as string[]), new Set(['silver', 'gold']));
  });

  it('oidc-usermodel-property-mapper: getters in either case, typed; unknown property, no claim', () => {
    const { claims } = token([
      m('oidc-usermodel-property-mapper', { ...ACCESS, 'user.attribute': 'emailVerified', 'claim.name': 'email_verified', 'jsonType.label': 'boolean' }),
      m('oidc-usermodel-property-mapper', { ...ACCESS, 'user.attribute': 'Username', 'claim.name': 'u' }),
      m('oidc-usermodel-property-mapper', { ...ACCESS, 'user.attribute': 'serviceAccountClientLink', 'claim.name': 'link' }),
      m('oidc-usermodel-property-mapper', { ...ACCESS, 'user.attribute': 'nope', 'claim.name': 'nope' }),
    ]);
    assert.equal(claims.email_verified, false);
    assert.equal(claims.u, 'service-account-billing');
    assert.equal(claims.link, 'client-uuid');
    assert.equal('nope' in claims, false);
  });

  it('oidc-group-membership-mapper: names or full paths, always an array; no groups, no claim', () => {
    const member = { ...user, groups: ['/org/team'] };
    const { claims } = token(
      [m('oidc-group-membership-mapper', { ...ACCESS, 'claim.name': 'groups', 'full.path': 'true' }), m('oidc-group-membership-mapper', { ...ACCESS, 'claim.name': 'g.names' })],
      { serviceAccount: member },
    );
    assert.deepEqual(claims.groups, ['/org/team']);
    assert.deepEqual(claims.g, { names: ['team'] });
    assert.equal('groups' in token([m('oidc-group-membership-mapper', { ...ACCESS, 'claim.name': 'groups' })]).claims, false);
  });

  it('oidc-usersessionmodel-note-mapper: the grant notes; a missing note, no claim', () => {
    const note = (n: string) => m('oidc-usersessionmodel-note-mapper', { ...ACCESS, 'user.session.note': n, 'claim.name': n });
    const { claims } = token([note('clientHost'), note('client_id'), note('AUTH_TIME')]);
    assert.equal(claims.clientHost, '10.0.0.1');
    assert.equal(claims.client_id, 'billing');
    assert.equal('AUTH_TIME' in claims, false);
  });

  it('oidc-sub-mapper, oidc-acr-mapper (with acr.loa.map), oidc-full-name-mapper', () => {
    const refresh = token([m('oidc-sub-mapper', ACCESS), m('oidc-acr-mapper', ACCESS), m('oidc-full-name-mapper', ACCESS)], {
      attributes: { 'acr.loa.map': '{"silver":1,"gold":2}' },
      serviceAccount: { ...user, firstName: 'Bill', lastName: '' },
    });
    assert.equal(refresh.claims.sub, 'user-1');
    assert.equal(refresh.claims.acr, 'silver');
    assert.equal(refresh.claims.name, 'Bill');
    assert.equal(token([m('oidc-acr-mapper', ACCESS)]).claims.acr, '1');
    assert.equal('name' in token([m('oidc-full-name-mapper', ACCESS)]).claims, false);
  });

  it('oidc-allowed-origins-mapper: web origins with + expanded from redirect URIs; none, no claim', () => {
    const { claims } = token([m('oidc-allowed-origins-mapper')], { extra: { webOrigins: ['+', 'https://x.example'], redirectUris: ['https://app.example/cb/*', '/rel'], rootUrl: 'https://root.example' } });
    assert.deepEqual(new Set(claims['allowed-origins'] as string[]), new Set(['https://app.example', 'https://root.example', 'https://x.example']));
    assert.equal('allowed-origins' in token([m('oidc-allowed-origins-mapper')]).claims, false);
  });

  it('unknown types and other protocols are never applied', () => {
    const { claims } = token([m('oidc-address-mapper', ACCESS), { ...m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'saml', 'claim.value': 'x' }), protocol: 'saml' }]);
    assert.deepEqual(Object.keys(claims).sort(), ['azp', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub', 'typ']);
  });
});

describe('flags, order, scopes and lightweight tokens', () => {
  it('runs by priority: sub mapper first, role mappers after role edits, whatever the listed order', () => {
    const { claims } = token([
      m('oidc-usermodel-realm-role-mapper', { ...ACCESS, 'claim.name': 'r', multivalued: 'true' }),
      m('oidc-hardcoded-role-mapper', { role: 'late' }),
      m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'sub', 'claim.value': 'hardcoded' }),
      m('oidc-sub-mapper', ACCESS),
    ], { attributes: { 'client_credentials.use_refresh_token': 'true' } });
    assert.ok((claims.r as string[]).includes('late'));
    assert.equal(claims.sub, 'user-1', 'only the sub mapper writes sub (a hardcoded claim may not: reserved)');
  });

  it('a client without the standard scopes gets only the base claims; sub only without refresh tokens', () => {
    assert.deepEqual(Object.keys(token([]).claims), ['exp', 'iat', 'jti', 'iss', 'sub', 'typ', 'azp', 'scope']);
    assert.equal('sub' in token([], { attributes: { 'client_credentials.use_refresh_token': 'true' } }).claims, false);
  });

  it('the built-in scopes give the standard service-account token', () => {
    const scopes = builtInClientScopes();
    const defaults = ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email', 'service_account'];
    const { claims } = token([], { defaultClientScopes: defaults, fullScopeAllowed: true }, scopes);
    assert.deepEqual(Object.keys(claims).sort(), [
      'acr', 'aud', 'azp', 'clientAddress', 'clientHost', 'client_id', 'email_verified', 'exp', 'iat', 'iss', 'jti', 'preferred_username', 'realm_access', 'resource_access', 'scope', 'sub', 'typ',
    ]);
    assert.equal(claims.scope, 'profile email');
    assert.equal(claims.acr, '1');
    assert.equal(claims.email_verified, false);
  });

  it('a scope with role scope mappings applies only when the service account holds one of them', () => {
    const gated = scope('gated', [m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'gated', 'claim.value': 'yes' })], { scopeMappings: { realm: ['inner'], client: {} } });
    const closed = scope('closed', [m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'closed', 'claim.value': 'yes' })], { scopeMappings: { realm: ['nobody-has-it'], client: {} } });
    const { claims } = token([], { defaultClientScopes: ['gated', 'closed'] }, [gated, closed]);
    assert.equal(claims.gated, 'yes', 'held through a composite');
    assert.equal('closed' in claims, false);
    assert.equal(claims.scope, 'gated');
  });

  it('lightweight access tokens keep only lightweight.claim mappers, ignoring access.token.claim both ways', () => {
    const on = m('oidc-hardcoded-claim-mapper', { 'access.token.claim': 'false', 'lightweight.claim': 'true', 'claim.name': 'light', 'claim.value': 'x' });
    const off = m('oidc-hardcoded-claim-mapper', { ...ACCESS, 'claim.name': 'heavy', 'claim.value': 'x', 'introspection.token.claim': 'true' });
    const { claims, realm, client: c } = token([on, off], { attributes: { 'client.use.lightweight.access.token.enabled': 'true' } });
    assert.deepEqual(Object.keys(claims).sort(), ['azp', 'exp', 'iat', 'iss', 'jti', 'light', 'scope', 'sub', 'typ']);
    const inspected = introspectionClaims(realm, c, claims);
    assert.equal(inspected.heavy, 'x', 'introspection gives the full view');
    assert.equal(inspected.active, true);
  });

  it('introspection rebuilds: token fields, introspection mappers on current data, no session notes, client_id/username/token_type', () => {
    const note = m('oidc-usersessionmodel-note-mapper', { ...ACCESS, 'user.session.note': 'clientHost', 'claim.name': 'clientHost' });
    const attr = m('oidc-usermodel-attribute-mapper', { ...ACCESS, 'user.attribute': 'dept', 'claim.name': 'dept' });
    const { claims, realm, client: c } = token([note, attr], { serviceAccount: { ...user, attributes: { dept: ['a'] } } });
    assert.equal(claims.clientHost, '10.0.0.1');
    const changed = { ...c, serviceAccount: { ...user, attributes: { dept: ['b'] } } };
    const inspected = introspectionClaims(realm, changed, claims);
    assert.equal(inspected.dept, 'b');
    assert.equal('clientHost' in inspected, false);
    assert.equal(inspected.client_id, 'billing');
    assert.equal(inspected.username, 'service-account-billing');
    assert.equal(inspected.token_type, 'Bearer');
  });
});
