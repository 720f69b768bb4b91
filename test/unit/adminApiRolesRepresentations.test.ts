import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { derivedUuid, roleId } from '../../lib/admin/ids.js';
import { AdminError } from '../../lib/admin/errors.js';
import { clientScopeRepresentation, parseClientScope } from '../../lib/representation/clientScope.js';
import { parseProtocolMapper, protocolMapperRepresentation } from '../../lib/representation/protocolMapper.js';
import { mappingsRepresentation } from '../../lib/representation/mappings.js';
import { briefRoleRepresentation, fullRoleRepresentation, parseRoleInput, parseRoleReferences, type RoleContainers } from '../../lib/representation/role.js';
import type { Role } from '../../lib/model/stored.js';

const containers: RoleContainers = { realm: 'r', realmId: 'realm-id', clientUuid: (clientId) => ({ api: 'api-uuid' })[clientId] };
// lib/representation throws AdminError 'unparsable'; the router renders it as Keycloak's 400 {"error":"unknown_error",…}.
const wrongType = (fn: () => unknown) => assert.throws(fn, (err: unknown) => err instanceof AdminError && err.kind === 'unparsable');

describe('RoleRepresentation', () => {
  const composite: Role = { id: 'c-id', name: 'boss', composite: true, composites: { realm: ['reader'], client: { api: ['read'] } }, attributes: { a: ['1'] } };

  test("brief: Keycloak's fields, no attributes, no description when unset; containerId is the realm id or the client's uuid", () => {
    assert.deepEqual(briefRoleRepresentation({ id: 'x', name: 'reader', composite: false }, containers), {
      id: 'x',
      name: 'reader',
      composite: false,
      clientRole: false,
      containerId: 'realm-id',
    });
    assert.deepEqual(briefRoleRepresentation({ id: 'y', client: 'api', name: 'read', description: 'Reads', composite: false, attributes: { k: ['v'] } }, containers), {
      id: 'y',
      name: 'read',
      description: 'Reads',
      composite: false,
      clientRole: true,
      containerId: 'api-uuid',
    });
  });

  test('full: attributes always, composites by name for a composite (empty halves left out)', () => {
    assert.deepEqual(fullRoleRepresentation(composite, containers), {
      id: 'c-id',
      name: 'boss',
      composite: true,
      composites: { realm: ['reader'], client: { api: ['read'] } },
      clientRole: false,
      containerId: 'realm-id',
      attributes: { a: ['1'] },
    });
    assert.deepEqual(fullRoleRepresentation({ ...composite, composites: { realm: [], client: { api: ['read'] } } }, containers).composites, { client: { api: ['read'] } });
    assert.deepEqual(fullRoleRepresentation({ id: 'p', name: 'plain', composite: false }, containers).attributes, {});
  });

  test('a role stored without an id answers with one derived from realm, owner and name, the same on every read', () => {
    const rep = briefRoleRepresentation({ client: 'api', name: 'read', composite: false }, containers);
    assert.equal(rep.id, derivedUuid('role', 'r', 'api\u0000read'));
    assert.match(rep.id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(roleId('r', { name: 'read' }), rep.id);
    assert.notEqual(roleId('other', { client: 'api', name: 'read' }), rep.id);
  });

  test('input: unknown properties accepted, scalars read as strings as Jackson does, absent description is null, wrong types refused', () => {
    assert.deepEqual(parseRoleInput({ name: 'n', description: 'd', attributes: { k: ['v', 2] }, clientRole: true, whatever: { x: 1 } }), {
      name: 'n',
      description: 'd',
      attributes: { k: ['v', '2'] },
    });
    assert.deepEqual(parseRoleInput({ name: 5 }), { name: '5', description: null });
    assert.deepEqual(parseRoleInput({ attributes: { k: 'single' } }).attributes, { k: ['single'] });
    wrongType(() => parseRoleInput({ name: ['x'] }));
    wrongType(() => parseRoleInput({ attributes: ['x'] }));
    wrongType(() => parseRoleInput({ attributes: { k: [{ v: 1 }] } }));
    assert.deepEqual(parseRoleReferences([{ id: 'a', name: 'b', composite: false }, {}]), [{ id: 'a', name: 'b' }, {}]);
    wrongType(() => parseRoleReferences(['a']));
  });
});

describe('MappingsRepresentation', () => {
  test('realm roles in realmMappings, client roles by clientId with the client uuid; empty keys left out', () => {
    const roles: Role[] = [
      { id: '1', name: 'reader', composite: false },
      { id: '2', client: 'api', name: 'read', composite: false },
      { id: '3', client: 'api', name: 'write', composite: false },
    ];
    const rep = mappingsRepresentation(roles, containers);
    assert.deepEqual(Object.keys(rep), ['realmMappings', 'clientMappings']);
    assert.deepEqual(rep.realmMappings!.map((r) => r.name), ['reader']);
    assert.deepEqual(Object.keys(rep.clientMappings!), ['api']);
    assert.equal(rep.clientMappings!.api!.id, 'api-uuid');
    assert.equal(rep.clientMappings!.api!.client, 'api');
    assert.deepEqual(rep.clientMappings!.api!.mappings.map((r) => [r.name, r.containerId]), [['read', 'api-uuid'], ['write', 'api-uuid']]);
    assert.deepEqual(mappingsRepresentation([], containers), {});
    assert.deepEqual(Object.keys(mappingsRepresentation([roles[1]!], containers)), ['clientMappings']);
  });
});

describe('ClientScopeRepresentation and ProtocolMapperRepresentation', () => {
  const mapper = { id: 'm1', name: 'aud', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.client.audience': 'api' } };

  test('a scope answers with its id, attributes as stored, mappers only when it has some, no description when unset', () => {
    const scope = { id: 's1', name: 'api-scope', protocol: 'openid-connect', includeInTokenScope: true, scopeMappings: { realm: [], client: {} }, attributes: { 'include.in.token.scope': 'true', 'gui.order': '' } };
    assert.deepEqual(clientScopeRepresentation('r', scope), { id: 's1', name: 'api-scope', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true', 'gui.order': '' } });
    assert.deepEqual(clientScopeRepresentation('r', { ...scope, description: 'd', protocolMappers: [mapper] }).protocolMappers, [{ ...mapper, consentRequired: false }]);
    // A built-in scope written without attributes or id (realm creation) still has both.
    const builtIn = clientScopeRepresentation('r', { name: 'email', protocol: 'openid-connect', includeInTokenScope: true, scopeMappings: { realm: [], client: {} } });
    assert.equal(builtIn.id, derivedUuid('client-scope', 'r', 'email'));
    assert.deepEqual(builtIn.attributes, { 'include.in.token.scope': 'true' });
  });

  test('scope input: attributes as a string map, mappers parsed, unknown properties accepted, wrong types refused', () => {
    assert.deepEqual(parseClientScope({ name: 'x', protocol: 'openid-connect', attributes: { 'display.on.consent.screen': true }, protocolMappers: [mapper], extra: 1 }), {
      name: 'x',
      protocol: 'openid-connect',
      attributes: { 'display.on.consent.screen': 'true' },
      protocolMappers: [{ id: 'm1', name: 'aud', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.client.audience': 'api' } }],
    });
    wrongType(() => parseClientScope({ name: 'x', attributes: ['a'] }));
    wrongType(() => parseClientScope({ name: 'x', protocolMappers: {} }));
    wrongType(() => parseClientScope({ name: 'x', attributes: { a: { b: 'c' } } }));
  });

  test('mapper: consentRequired always written; input defaults protocol, keeps a given id, refuses a non-boolean flag', () => {
    assert.deepEqual(protocolMapperRepresentation(mapper), { ...mapper, consentRequired: false });
    assert.deepEqual(parseProtocolMapper({ name: 'n', protocolMapper: 't', config: { 'claim.value': 42 } }), { name: 'n', protocol: 'openid-connect', protocolMapper: 't', config: { 'claim.value': '42' } });
    assert.equal(parseProtocolMapper({ id: 'keep', name: 'n', protocolMapper: 't' }).id, 'keep');
    wrongType(() => parseProtocolMapper({ name: 'n', protocolMapper: 't', consentRequired: 'yes' }));
    wrongType(() => parseProtocolMapper([mapper]));
  });
});
