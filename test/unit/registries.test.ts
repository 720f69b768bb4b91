import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AdminCall } from '../../lib/adminApi/route.js';
import { serverInfoRoutes } from '../../lib/adminApi/serverInfo.js';
import { page } from '../../lib/adminApi/query.js';
import { CLIENT_AUTHENTICATORS, keycloakAuthMethod, usesSecret } from '../../lib/model/clientAuthenticator.js';
import { builtInClientScopes } from '../../lib/tokens/builtInScopes.js';
import { MAPPER_TYPES } from '../../lib/tokens/mappers/registry.js';

/** Issue 18, finding 5: registries declare, everything else derives. */
describe('registries', () => {
  async function serverInfo() {
    const call = { caller: { realm: 'master', clientId: 'admin-cli', roles: [{ name: 'admin' }] }, query: new URLSearchParams() } as unknown as AdminCall;
    const response = await serverInfoRoutes[0]!.handle(call);
    return (response as { body: unknown }).body as {
      providers: Record<string, { providers: Record<string, unknown> }>;
      protocolMapperTypes: { 'openid-connect': { id: string; name: string; helpText: string; priority: number; properties: { name: string; type: string; defaultValue?: string }[] }[] };
      builtinProtocolMappers: { 'openid-connect': { id?: string; name: string; protocolMapper: string; config: Record<string, string> }[] };
    };
  }

  test('serverinfo lists every mapper type the token path applies, each with its settings', async () => {
    const info = await serverInfo();
    const listed = info.protocolMapperTypes['openid-connect'];
    assert.deepEqual(listed.map((type) => type.id).sort(), [...MAPPER_TYPES.keys()].sort());
    assert.equal(listed.length, 15);
    assert.deepEqual(Object.keys(info.providers['protocol-mapper']!.providers).sort(), [...MAPPER_TYPES.keys()].sort());
    const hardcoded = listed.find((type) => type.id === 'oidc-hardcoded-claim-mapper')!;
    assert.equal(hardcoded.name, 'Hardcoded claim');
    const names = hardcoded.properties.map((property) => property.name);
    for (const name of ['claim.name', 'claim.value', 'jsonType.label', 'access.token.claim', 'id.token.claim', 'introspection.token.claim', 'access.tokenResponse.claim', 'lightweight.claim']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
    // A type that only edits roles ignores the token switches, so it offers none.
    const roleName = listed.find((type) => type.id === 'oidc-role-name-mapper')!;
    assert.deepEqual(roleName.properties.map((property) => property.name), ['role', 'new.role.name']);
  });

  test("serverinfo's predefined mappers are the built-in scopes' mappers of the types the token path applies, once each by name", async () => {
    const info = await serverInfo();
    const fromScopes = builtInClientScopes().flatMap((scope) => scope.protocolMappers ?? []).filter((mapper) => MAPPER_TYPES.has(mapper.protocolMapper));
    const listed = info.builtinProtocolMappers['openid-connect'];
    assert.deepEqual(listed.map((mapper) => mapper.name), [...new Set(fromScopes.map((mapper) => mapper.name))]);
    assert.ok(listed.every((mapper) => mapper.id === undefined));
    assert.deepEqual(listed.find((mapper) => mapper.name === 'upn'), { name: 'upn', protocol: 'openid-connect', protocolMapper: 'oidc-usermodel-attribute-mapper', consentRequired: false, config: fromScopes.find((mapper) => mapper.name === 'upn')!.config });
  });

  test("every mapper type has its help text, and its token switches start as Keycloak's form starts them", async () => {
    for (const type of (await serverInfo()).protocolMapperTypes['openid-connect']) {
      assert.ok(type.helpText.length > 0, type.id);
      const defaults = Object.fromEntries(type.properties.filter((p) => /token|lightweight/.test(p.name) && p.type === 'boolean').map((p) => [p.name, p.defaultValue]));
      const expected = Object.fromEntries(
        Object.keys(defaults).map((name) => [name, name === 'lightweight.claim' || name === 'access.tokenResponse.claim' || (type.id === 'oidc-audience-mapper' && name === 'id.token.claim') ? 'false' : 'true']),
      );
      assert.deepEqual(defaults, expected, type.id);
    }
  });

  test('serverinfo lists the client authenticators the registry declares', async () => {
    const info = await serverInfo();
    assert.deepEqual(Object.keys(info.providers['client-authenticator']!.providers), CLIENT_AUTHENTICATORS.map((authenticator) => authenticator.id));
  });

  test('whether a client has a secret derives from its authenticator', () => {
    assert.equal(usesSecret({ clientAuthenticatorType: 'client-secret' }), true);
    assert.equal(usesSecret({}), true, "Keycloak's default authenticator is client-secret");
    assert.equal(usesSecret({ clientAuthenticatorType: 'client-secret-jwt' }), true);
    assert.equal(usesSecret({ clientAuthenticatorType: 'client-jwt' }), false);
    assert.equal(usesSecret({ clientAuthenticatorType: 'client-secret', publicClient: true }), false);
    assert.equal(usesSecret({ clientAuthenticatorType: 'client-secret', bearerOnly: true }), false);
    assert.equal(keycloakAuthMethod('client_secret_post'), 'client-secret');
    assert.equal(keycloakAuthMethod('private_key_jwt'), 'client-jwt');
    assert.equal(keycloakAuthMethod('none'), 'none');
  });

  test('one paging rule: first and max as Keycloak reads them', () => {
    const items = [0, 1, 2, 3, 4];
    const q = (text: string) => new URLSearchParams(text);
    assert.deepEqual(page(items, q('first=1&max=2')), [1, 2]);
    assert.deepEqual(page(items, q('max=-1')), items);
    assert.deepEqual(page(items, q('first=-3')), items);
    assert.deepEqual(page(items, q(''), 2), [0, 1]);
    assert.deepEqual(page(items, q('max=2x')), items);
  });
});
