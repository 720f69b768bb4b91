import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { BatchWriteCommand, DeleteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AdminError } from '../../lib/admin/errors.js';
import { importRealm, parseRealmExport, RealmImportError, type ImportProblem, type ParsedRealm, type StoredSecret } from '../../lib/admin/realmImport.js';
import { verifySecret } from '../../lib/clientAuth/secretHash.js';
import { ClientsTable, type ClientsTableItem } from '../../lib/store/clientsTable.js';
import type { ClientRecord, Role } from '../../lib/model/stored.js';

const DEMO_SECRETS = ['password', 'full-secret', 's3cr3t:with/reserved+chars & space', 'no-sa-secret', 'disabled-secret'];

function readDemoRealm(): unknown {
  return JSON.parse(readFileSync(new URL('../../infra/realms/demo-realm.json', import.meta.url), 'utf8'));
}

/** A small export: one bearer-only API with a role, one service-account client with one secret (one scrypt). */
function tinyExport(): Record<string, any> {
  return {
    realm: 'tiny',
    roles: {
      realm: [{ name: 'user' }, { name: 'default-roles-tiny', composite: true, composites: { realm: ['user'] } }],
      client: { api: [{ name: 'read' }, { name: 'write' }] },
    },
    clientScopes: [{ name: 'profile', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true' } }],
    clients: [
      { clientId: 'api', bearerOnly: true },
      { clientId: 'worker', secret: 'worker-secret', serviceAccountsEnabled: true, clientAuthenticatorType: 'client-secret' },
    ],
    users: [
      {
        username: 'service-account-worker',
        serviceAccountClientId: 'worker',
        realmRoles: ['default-roles-tiny'],
        clientRoles: { api: ['read'] },
      },
    ],
  };
}

async function problemsOf(json: unknown): Promise<{ problems: ImportProblem[]; message: string }> {
  try {
    await parseRealmExport(json);
  } catch (err) {
    assert.ok(err instanceof RealmImportError, `expected a RealmImportError, got ${String(err)}`);
    return { problems: err.problems, message: err.message };
  }
  assert.fail('expected the export to be rejected');
}

async function assertProblem(json: unknown, path: string, messagePart?: string): Promise<void> {
  const { problems } = await problemsOf(json);
  const atPath = problems.filter((p) => p.path === path);
  assert.ok(atPath.length > 0, `no problem at ${path}; got ${JSON.stringify(problems)}`);
  if (messagePart) assert.ok(atPath.some((p) => p.message.includes(messagePart)), `at ${path}: ${JSON.stringify(atPath)}`);
}

const itemsOf = <K extends ClientsTableItem['kind']>(parsed: ParsedRealm, kind: K) =>
  parsed.items.filter((item): item is Extract<ClientsTableItem, { kind: K }> => item.kind === kind);

function clientOf(parsed: ParsedRealm, clientId: string): ClientRecord {
  const client = itemsOf(parsed, 'client').find((c) => c.clientId === clientId);
  assert.ok(client, `no client ${clientId}`);
  return client;
}

describe('parseRealmExport: the demo realm', () => {
  let parsed: ParsedRealm;
  before(async () => {
    parsed = await parseRealmExport(readDemoRealm());
  });

  test('realm settings come from the export, defaults fill the rest, and they are written last', () => {
    const settings = parsed.items.at(-1);
    assert.equal(settings?.kind, 'settings');
    const { extra, ...known } = settings as typeof settings & { extra?: Record<string, unknown> };
    // What this service does not use is kept as sent, for the export and the Admin REST API.
    assert.equal(extra?.displayName, 'Demo');
    assert.equal(extra?.browserFlow, 'browser');
    assert.equal(extra?.users, undefined, 'people are never kept');
    assert.deepEqual(known, {
      kind: 'settings',
      id: 'a6761d94-83ef-4ecc-ac70-901fe71de5e2',
      realm: 'demo',
      enabled: true,
      accessTokenLifespan: 300,
      ssoSessionIdleTimeout: 1800,
      ssoSessionMaxLifespan: 36000,
      clientSessionIdleTimeout: 0,
      clientSessionMaxLifespan: 0,
      revokeRefreshToken: true,
      refreshTokenMaxReuse: 0,
      notBefore: 0,
      defaultSignatureAlgorithm: 'RS256',
      defaultRole: 'default-roles-demo',
      defaultDefaultClientScopes: ['web-origins', 'acr', 'profile', 'roles', 'basic', 'email'],
      defaultOptionalClientScopes: ['address', 'phone', 'offline_access', 'microprofile-jwt', 'organization'],
    });
  });

  test('counts', () => {
    assert.deepEqual(parsed.counts, { clients: 9, roles: 8, clientScopes: 12, serviceAccounts: 6, groups: 0, identityProviders: 0, protocolMappers: 44 });
    // Parsed without a KMS key here, so the client_secret_jwt secret cannot be kept: the import says so.
    // The demo realm is a Keycloak 26.0 export: 26.1's import migration adds the service_account scope.
    assert.deepEqual(parsed.notes, [
      "export of Keycloak 26.0.7: added the 'service_account' client scope (Keycloak 26.1) to the realm and its service-account clients",
      "no KMS key to encrypt client-secret-jwt secrets: 'secret-jwt-client' cannot authenticate with client_secret_jwt",
    ]);
  });

  test('default-roles-demo is a composite of offline_access and uma_authorization', () => {
    const role = itemsOf(parsed, 'role').find((r) => r.name === 'default-roles-demo');
    assert.deepEqual(role, {
      kind: 'role',
      id: '02049557-1cbe-4856-8ce7-b6abca2c97bc',
      name: 'default-roles-demo',
      description: '${role_default-roles}',
      attributes: {},
      composite: true,
      composites: { realm: ['offline_access', 'uma_authorization'], client: {} },
    });
  });

  test('client roles belong to their client', () => {
    const apiRoles = itemsOf(parsed, 'role').filter((r) => r.client === 'product-api').map((r) => r.name);
    assert.deepEqual(apiRoles, ['read', 'write', 'delete']);
  });

  test('product-sa-client: scope mappings and service-account roles', () => {
    const client = clientOf(parsed, 'product-sa-client');
    assert.equal(client.fullScopeAllowed, false);
    assert.deepEqual(client.scopeMappings, { realm: ['user'], client: { 'product-api': ['read', 'write'] } });
    assert.deepEqual(client.serviceAccount?.roles, {
      realm: ['default-roles-demo', 'user', 'admin'],
      client: { 'product-api': ['read', 'write', 'delete'] },
    });
    assert.equal(client.serviceAccount?.username, 'service-account-product-sa-client');
    assert.match(client.serviceAccount?.id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(client.attributes['client_credentials.use_refresh_token'], 'true');
  });

  test('client scopes keep include.in.token.scope and their scope mappings', () => {
    const scopes = new Map(itemsOf(parsed, 'clientScope').map((s) => [s.name, s]));
    assert.equal(scopes.get('profile')?.includeInTokenScope, true);
    assert.equal(scopes.get('roles')?.includeInTokenScope, false);
    assert.equal(scopes.get('basic')?.includeInTokenScope, false);
    assert.deepEqual(scopes.get('offline_access')?.scopeMappings, { realm: ['offline_access'], client: {} });
  });

  test('secrets are hashed with scrypt, and only confidential clients have one', async () => {
    for (const clientId of ['product-sa-client', 'full-scope-client', 'special-client', 'no-sa-client', 'disabled-client']) {
      assert.match(clientOf(parsed, clientId).secretHash ?? '', /^scrypt\$/, clientId);
    }
    assert.equal(clientOf(parsed, 'product-api').secretHash, undefined);
    assert.equal(clientOf(parsed, 'public-client').secretHash, undefined);
    const special = clientOf(parsed, 'special-client');
    assert.equal(await verifySecret(special.secretHash!, 's3cr3t:with/reserved+chars & space'), true);
  });

  test('no secret in clear anywhere in the result', () => {
    const everything = JSON.stringify(parsed);
    for (const secret of DEMO_SECRETS.filter((s) => s !== 'password')) assert.ok(!everything.includes(secret), secret);
    // "password" is also a realm setting's value (requiredCredentials), so look only where a secret could land.
    const items = parsed.items.map((item) => (item.kind === 'settings' ? { ...item, extra: { ...item.extra, requiredCredentials: undefined } } : item));
    assert.ok(!JSON.stringify(items).includes('"password"'));
  });

  test('the disabled client is imported disabled, with its service account', () => {
    const client = clientOf(parsed, 'disabled-client');
    assert.equal(client.enabled, false);
    assert.deepEqual(client.serviceAccount?.roles, { realm: ['default-roles-demo'], client: {} });
  });

  test('skipped: keys this service does not use and people; never protocol mappers, which are imported', () => {
    const skipped = parsed.skipped.join('\n');
    assert.match(skipped, /^requiredActions: 4 entries$/m);
    assert.match(skipped, /^\d+ realm settings: .*\bbrowserFlow\b/m);
    assert.match(skipped, /^users: 1 user that is not a service account$/m);
    assert.doesNotMatch(skipped, /protocolMappers/);
    // Empty collections lose nothing and are not reported.
    assert.doesNotMatch(skipped, /^(smtpServer|groups):/m);
    assert.doesNotMatch(skipped, /alice/);
  });

  test('no signing keys', () => {
    assert.equal(itemsOf(parsed, 'key').length, 0);
  });
});

describe('parseRealmExport: defaults and partial exports', () => {
  test('a partial export without users gives service accounts the default role, noted once', async () => {
    const json = tinyExport();
    delete json.users;
    json.clients.push({ clientId: 'batch', clientAuthenticatorType: 'client-jwt', serviceAccountsEnabled: true });
    const parsed = await parseRealmExport(json);
    for (const clientId of ['worker', 'batch']) {
      const { serviceAccount } = clientOf(parsed, clientId);
      assert.deepEqual(serviceAccount?.roles, { realm: ['default-roles-tiny'], client: {} });
      assert.equal(serviceAccount?.username, `service-account-${clientId}`);
    }
    const partialNotes = parsed.notes.filter((n) => n.startsWith('partial export without users: 2 service accounts get the realm default roles'));
    assert.equal(partialNotes.length, 1, parsed.notes.join('\n'));
    assert.equal(clientOf(parsed, 'batch').secretHash, undefined, 'client-jwt needs no secret');
  });

  test('a client and service account without ids keep the stored ones, and a new one gets fresh ids (issue 17 F5)', async () => {
    const json = tinyExport();
    delete json.users;
    const [first, second] = [await parseRealmExport(json), await parseRealmExport(json)];
    // Not derived from names: a client deleted and imported again must not take over its predecessor's tokens.
    assert.notEqual(clientOf(first, 'worker').id, clientOf(second, 'worker').id);
    assert.notEqual(clientOf(first, 'worker').serviceAccount?.id, clientOf(second, 'worker').serviceAccount?.id);
    assert.notEqual(clientOf(first, 'worker').id, clientOf(first, 'worker').serviceAccount?.id);
    const stored = { id: clientOf(first, 'worker').id, userId: clientOf(first, 'worker').serviceAccount!.id };
    const again = await parseRealmExport(json, { storedIds: new Map([['worker', stored]]) });
    assert.equal(clientOf(again, 'worker').id, stored.id);
    assert.equal(clientOf(again, 'worker').serviceAccount?.id, stored.userId);
  });

  test('users without this client’s service account: default role and a note naming the client', async () => {
    const json = tinyExport();
    json.users = [{ username: 'bob' }];
    const parsed = await parseRealmExport(json);
    assert.deepEqual(clientOf(parsed, 'worker').serviceAccount?.roles, { realm: ['default-roles-tiny'], client: {} });
    assert.ok(parsed.notes.some((n) => n.includes('worker') && n.includes('default roles')), parsed.notes.join('\n'));
    assert.ok(parsed.skipped.includes('users: 1 user that is not a service account'));
  });

  test('minimal file: realm defaults, a created default role, and realm default scopes for clients', async () => {
    const parsed = await parseRealmExport({
      realm: 'bare',
      clientScopes: [{ name: 'profile' }, { name: 'email' }, { name: 'phone' }, { name: 'role_list', protocol: 'saml' }],
      clients: [{ clientId: 'web', publicClient: true }],
    });
    const settings = parsed.items.find((item) => item.kind === 'settings');
    assert.ok(settings?.kind === 'settings');
    assert.equal(settings.accessTokenLifespan, 300);
    assert.equal(settings.defaultRole, 'default-roles-bare');
    assert.deepEqual(settings.defaultDefaultClientScopes, ['profile', 'email']);
    assert.deepEqual(settings.defaultOptionalClientScopes, ['phone']);
    const role = itemsOf(parsed, 'role').find((r) => r.name === 'default-roles-bare');
    assert.deepEqual({ ...role, id: undefined }, { kind: 'role', id: undefined, name: 'default-roles-bare', composite: true, composites: { realm: [], client: {} } });
    const web = clientOf(parsed, 'web');
    assert.deepEqual([web.defaultClientScopes, web.optionalClientScopes], [['profile', 'email'], ['phone']]);
    assert.equal(web.fullScopeAllowed, true);
  });

  test('unknown client scope names are ignored with a note, as Keycloak does', async () => {
    const json = tinyExport();
    json.clients[0].defaultClientScopes = ['profile', 'nope'];
    const parsed = await parseRealmExport(json);
    assert.deepEqual(clientOf(parsed, 'api').defaultClientScopes, ['profile']);
    assert.ok(parsed.notes.some((n) => n.startsWith('clients[0].defaultClientScopes') && n.includes("'nope'")));
  });

  test("Keycloak's rotated secret becomes a hash and leaves the attributes", async () => {
    const json = tinyExport();
    json.clients[1].attributes = {
      'client.secret.rotated': 'old-worker-secret',
      'client.secret.rotated.expiration.time': '1900000000',
      'some.number': 5,
    };
    const parsed = await parseRealmExport(json);
    const worker = clientOf(parsed, 'worker');
    assert.equal(worker.attributes['client.secret.rotated'], undefined);
    assert.equal(worker.attributes['some.number'], undefined, 'non-string attributes are left out');
    assert.equal(worker.rotatedSecretExpiresAt, 1900000000);
    assert.equal(await verifySecret(worker.rotatedSecretHash!, 'old-worker-secret'), true);
    assert.ok(!JSON.stringify(parsed).includes('old-worker-secret'));
  });

  test('SAML clients are not imported, but their roles may be used', async () => {
    const json = tinyExport();
    json.clients.push({ clientId: 'saml-app', protocol: 'saml' });
    json.roles.client['saml-app'] = [{ name: 'viewer' }];
    json.users[0].clientRoles['saml-app'] = ['viewer'];
    const parsed = await parseRealmExport(json);
    assert.ok(!itemsOf(parsed, 'client').some((c) => c.clientId === 'saml-app'));
    assert.deepEqual(clientOf(parsed, 'worker').serviceAccount?.roles.client['saml-app'], ['viewer']);
    assert.ok(parsed.skipped.some((line) => line.startsWith('clients: 1 saml client')));
  });
});

describe('parseRealmExport: problems', () => {
  test('not an object', async () => {
    await assertProblem([], '$');
    await assertProblem(null, '$');
  });

  test('missing or invalid realm name', async () => {
    const { realm: _realm, ...noRealm } = tinyExport();
    await assertProblem(noRealm, 'realm', 'required');
    await assertProblem({ ...tinyExport(), realm: '' }, 'realm', 'empty');
    await assertProblem({ ...tinyExport(), realm: 'a/b' }, 'realm', "'/'");
    await assertProblem({ ...tinyExport(), realm: 7 }, 'realm', 'string');
  });

  test('unknown role in a composite', async () => {
    const json = tinyExport();
    json.roles.realm[1].composites = { realm: ['user', 'ghost'], client: { api: ['read', 'erase'] } };
    const { problems } = await problemsOf(json);
    assert.deepEqual(
      problems.map((p) => p.path),
      ['roles.realm[1].composites.realm[1]', 'roles.realm[1].composites.client.api[1]'],
    );
  });

  test('unknown role or client in users[].clientRoles and realmRoles', async () => {
    const json = tinyExport();
    json.users[0].clientRoles = { api: ['read', 'erase'], nowhere: ['x'] };
    json.users[0].realmRoles = ['admin'];
    const { problems } = await problemsOf(json);
    assert.deepEqual(problems, [
      { path: 'users[0].realmRoles[0]', message: "no realm role 'admin'" },
      { path: 'users[0].clientRoles.api[1]', message: "no role 'erase' of client 'api'" },
      { path: 'users[0].clientRoles.nowhere', message: "no client 'nowhere' in clients" },
    ]);
  });

  test("masked secret from the console's partial export", async () => {
    const json = tinyExport();
    json.clients[1].secret = '**********';
    await assertProblem(json, 'clients[1].secret', 'partial export');
  });

  test('confidential client without a secret', async () => {
    const json = tinyExport();
    delete json.clients[1].secret;
    await assertProblem(json, 'clients[1].secret', 'confidential client has no secret');
    json.clients[1].secret = '';
    await assertProblem(json, 'clients[1].secret', 'confidential client has no secret');
    json.clients[1].clientAuthenticatorType = 'client-secret-jwt';
    await assertProblem(json, 'clients[1].secret', 'confidential client has no secret');
  });

  test('duplicate clientId, role and client scope', async () => {
    const json = tinyExport();
    json.clients.push({ clientId: 'api', bearerOnly: true });
    json.roles.realm.push({ name: 'user' });
    json.roles.client.api.push({ name: 'read' });
    json.clientScopes.push({ name: 'profile' });
    const { problems } = await problemsOf(json);
    assert.deepEqual(
      problems.map((p) => p.path),
      ['clients[2].clientId', 'roles.realm[2].name', 'roles.client.api[2].name', 'clientScopes[1].name'],
    );
  });

  test('roles.client keyed by a client that does not exist', async () => {
    const json = tinyExport();
    json.roles.client.ghost = [{ name: 'x' }];
    await assertProblem(json, 'roles.client.ghost', "no client 'ghost'");
  });

  test('wrong types and negative numbers', async () => {
    const json = tinyExport();
    json.accessTokenLifespan = 'x';
    json.refreshTokenMaxReuse = -1;
    json.revokeRefreshToken = 'yes';
    json.clients[1].enabled = 'true';
    json.clients[1].notBefore = 1.5;
    json.clients[1].attributes = ['not', 'a', 'map'];
    json.clientScopes = { profile: {} };
    const { problems } = await problemsOf(json);
    const paths = problems.map((p) => p.path);
    for (const path of [
      'accessTokenLifespan',
      'refreshTokenMaxReuse',
      'revokeRefreshToken',
      'clients[1].enabled',
      'clients[1].notBefore',
      'clients[1].attributes',
      'clientScopes',
    ]) {
      assert.ok(paths.includes(path), `${path} in ${JSON.stringify(problems)}`);
    }
  });

  test('unsupported algorithm and client authenticator', async () => {
    const json = tinyExport();
    json.defaultSignatureAlgorithm = 'HS256';
    json.clients[1].clientAuthenticatorType = 'client-x509';
    const { problems } = await problemsOf(json);
    assert.deepEqual(
      problems.map((p) => p.path),
      ['defaultSignatureAlgorithm', 'clients[1].clientAuthenticatorType'],
    );
  });

  test('a service-account user must belong to a client with service accounts, once', async () => {
    const json = tinyExport();
    json.users.push({ username: 'service-account-api', serviceAccountClientId: 'api' });
    json.users.push({ username: 'service-account-worker-2', serviceAccountClientId: 'worker' });
    json.users.push({ username: 'service-account-none', serviceAccountClientId: 'none' });
    const { problems } = await problemsOf(json);
    assert.deepEqual(problems, [
      { path: 'users[1].serviceAccountClientId', message: "client 'api' does not have serviceAccountsEnabled" },
      { path: 'users[2].serviceAccountClientId', message: "a second service-account user for client 'worker'" },
      { path: 'users[3].serviceAccountClientId', message: "no client 'none' in clients" },
    ]);
  });

  test('scope mappings must name existing clients, client scopes and roles', async () => {
    const json = tinyExport();
    json.scopeMappings = [{ client: 'worker', roles: ['nope'] }, { clientScope: 'ghost', roles: ['user'] }, { roles: ['user'] }];
    json.clientScopeMappings = { api: [{ client: 'worker', roles: ['read', 'erase'] }], ghost: [] };
    const { problems } = await problemsOf(json);
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        'scopeMappings[0].roles[0]',
        'scopeMappings[1].clientScope',
        'scopeMappings[2]',
        'clientScopeMappings.api[0].roles[1]',
        'clientScopeMappings.ghost',
      ],
    );
  });

  test('every problem is reported at once, and none echoes a secret', async () => {
    const secrets = ['hunter2-very-secret', 'another-secret-value', '424242'];
    const json = tinyExport();
    json.accessTokenLifespan = -5;
    json.clients[1].secret = secrets[0];
    json.clients[1].enabled = 'no';
    json.clients[1].clientAuthenticatorType = 'client-x509';
    json.clients.push({ clientId: 'worker', secret: secrets[1] });
    json.clients.push({ clientId: 'numeric', secret: 424242 });
    json.users[0].realmRoles = ['nope'];
    const { problems, message } = await problemsOf(json);
    assert.deepEqual(
      problems.map((p) => p.path),
      [
        'clients[2].clientId',
        'accessTokenLifespan',
        'clients[1].enabled',
        'clients[1].clientAuthenticatorType',
        'clients[3].secret',
        'users[0].realmRoles[0]',
      ],
    );
    const text = message + JSON.stringify(problems);
    for (const secret of secrets) assert.ok(!text.includes(secret), secret);
  });

  test('the error message lists paths on one line', async () => {
    const { message } = await problemsOf({ realm: 'x', clients: [{}] });
    assert.equal(message, 'the realm export has 1 problem: clients[0].clientId: is required');
    const many = await problemsOf({ realm: 'x', clients: Array.from({ length: 25 }, () => ({})) });
    assert.match(many.message, /^the realm export has 25 problems: clients\[0\]\.clientId: is required; .*; … and 5 more$/);
    assert.ok(!many.message.includes('\n'));
    assert.equal(many.problems.length, 25);
  });
});

describe('parseRealmExport: secrets the file does not hold', () => {
  const stored: StoredSecret = { secretHash: 'sha256$stored', rotatedSecretHash: 'sha256$previous', rotatedSecretExpiresAt: 1900000000 };
  const withoutSecret = (secret?: string) => {
    const json = tinyExport();
    if (secret === undefined) delete json.clients[1].secret;
    else json.clients[1].secret = secret;
    return json;
  };

  test('a confidential client without a secret keeps the one stored in the target, with a note', async () => {
    for (const json of [withoutSecret(), withoutSecret(''), withoutSecret('**********')]) {
      const parsed = await parseRealmExport(json, { storedSecrets: new Map([['worker', stored]]) });
      const worker = clientOf(parsed, 'worker');
      assert.equal(worker.secretHash, 'sha256$stored');
      assert.equal(worker.rotatedSecretHash, 'sha256$previous');
      assert.equal(worker.rotatedSecretExpiresAt, 1900000000);
      assert.deepEqual(parsed.keptSecrets, ['worker']);
      assert.ok(parsed.notes.some((n) => n.includes("keep the secret stored here: 'worker'")), parsed.notes.join('\n'));
    }
  });

  test('a secret in the file replaces the stored one', async () => {
    const parsed = await parseRealmExport(tinyExport(), { storedSecrets: new Map([['worker', stored]]) });
    const worker = clientOf(parsed, 'worker');
    assert.match(worker.secretHash ?? '', /^scrypt\$/);
    assert.equal(worker.rotatedSecretHash, undefined);
    assert.deepEqual(parsed.keptSecrets, []);
  });

  test('generateSecrets: a new 256-bit secret, stored as SHA-256, returned once', async () => {
    const parsed = await parseRealmExport(withoutSecret('**********'), { generateSecrets: true });
    assert.equal(parsed.newSecrets.length, 1);
    const [issued] = parsed.newSecrets;
    assert.equal(issued?.clientId, 'worker');
    assert.match(issued?.secret ?? '', /^[A-Za-z0-9_-]{43}$/);
    const worker = clientOf(parsed, 'worker');
    assert.match(worker.secretHash ?? '', /^sha256\$/);
    assert.equal(await verifySecret(worker.secretHash!, issued!.secret), true);
    assert.ok(!JSON.stringify(parsed.items).includes(issued!.secret));
    assert.ok(parsed.notes.some((n) => n.includes("get a generated one: 'worker'")));
  });

  test('a stored secret wins over generating one, so re-importing with generateSecrets is idempotent', async () => {
    const parsed = await parseRealmExport(withoutSecret(), { generateSecrets: true, storedSecrets: new Map([['worker', stored]]) });
    assert.deepEqual(parsed.newSecrets, []);
    assert.equal(clientOf(parsed, 'worker').secretHash, 'sha256$stored');
  });

  test('client-secret-jwt: secrets are encrypted through the callback, current and rotated', async () => {
    const json = tinyExport();
    json.clients[1].clientAuthenticatorType = 'client-secret-jwt';
    json.clients[1].attributes = { 'client.secret.rotated': 'old-secret', 'client.secret.rotated.expiration.time': '1900000000' };
    const calls: string[] = [];
    const parsed = await parseRealmExport(json, {
      encryptSecret: async (clientId, secret) => {
        calls.push(`${clientId}:${secret}`);
        return `ciphertext-of-${secret.length}`;
      },
    });
    const worker = clientOf(parsed, 'worker');
    assert.deepEqual(calls.sort(), ['worker:old-secret', 'worker:worker-secret']);
    assert.equal(worker.secretCiphertext, 'ciphertext-of-13');
    assert.equal(worker.rotatedSecretCiphertext, 'ciphertext-of-10');
    assert.match(worker.secretHash ?? '', /^scrypt\$/);
  });

  test('client-secret-jwt without an encrypt callback is noted: it could not authenticate', async () => {
    const json = tinyExport();
    json.clients[1].clientAuthenticatorType = 'client-secret-jwt';
    const parsed = await parseRealmExport(json);
    assert.equal(clientOf(parsed, 'worker').secretCiphertext, undefined);
    assert.ok(parsed.notes.some((n) => n.startsWith('no KMS key to encrypt client-secret-jwt secrets')), parsed.notes.join('\n'));
  });

  test('client-secret-jwt cannot keep a stored secret that is only a hash', async () => {
    const json = withoutSecret();
    json.clients[1].clientAuthenticatorType = 'client-secret-jwt';
    await assert.rejects(parseRealmExport(json, { storedSecrets: new Map([['worker', stored]]) }), (err) => {
      assert.ok(err instanceof RealmImportError);
      assert.deepEqual(err.problems.map((p) => p.path), ['clients[1].secret']);
      assert.match(err.problems[0]!.message, /only a hash/);
      return true;
    });
    const kept = await parseRealmExport(json, { storedSecrets: new Map([['worker', { ...stored, secretCiphertext: 'c' }]]) });
    assert.equal(clientOf(kept, 'worker').secretCiphertext, 'c');
  });

  test('the missing-secret problem names the ways out', async () => {
    await assertProblem(withoutSecret(), 'clients[1].secret', '--generate-secrets');
  });

  test('hashSecrets false (dry run): secrets are checked, not hashed or encrypted', async () => {
    const json = tinyExport();
    json.clients[1].clientAuthenticatorType = 'client-secret-jwt';
    let encrypted = 0;
    const parsed = await parseRealmExport(json, { hashSecrets: false, encryptSecret: async () => `${++encrypted}` });
    assert.equal(clientOf(parsed, 'worker').secretHash, undefined);
    assert.equal(parsed.notes.filter((n) => n.startsWith('no KMS key')).length, 0);
    await assertProblem(withoutSecret(), 'clients[1].secret');
  });

  test('onSecretProgress counts hashed secrets', async () => {
    const progress: [number, number][] = [];
    await parseRealmExport(tinyExport(), { onSecretProgress: (done, total) => progress.push([done, total]) });
    assert.deepEqual(progress, [[1, 1]]);
  });

  test('RealmImportError is the admin error type', async () => {
    const { problems } = await problemsOf({ realm: 'x', clients: [{}] });
    assert.ok(new RealmImportError(problems) instanceof AdminError);
  });
});

describe('importRealm', () => {
  /** A ClientsTable over a fake DocumentClient that records each command. */
  function recordingTable(storedMetaRoles: Record<string, unknown>[] = []) {
    const sent: { command: string; input: any }[] = [];
    const doc = {
      send: async (command: { input: unknown }) => {
        sent.push({ command: command.constructor.name, input: command.input });
        if (command instanceof QueryCommand) return { Items: storedMetaRoles };
        if (command instanceof GetCommand) return { Item: storedMetaRoles.find((item) => item.sk === command.input.Key?.sk) };
        return {};
      },
    };
    return { table: new ClientsTable(doc as unknown as DynamoDBDocumentClient, 'clients'), sent };
  }

  const putItems = (sent: { command: string; input: any }[]) =>
    sent
      .filter((s) => s.command === BatchWriteCommand.name)
      .flatMap((s) => s.input.RequestItems.clients.map((r: any) => r.PutRequest.Item));

  let parsed: ParsedRealm;
  before(async () => {
    const json = tinyExport();
    json.clientScopes.push(...Array.from({ length: 30 }, (_, i) => ({ name: `scope-${i}` })));
    parsed = await parseRealmExport(json);
  });

  test('writes every item in batches, settings last, and reports progress against the total', async () => {
    const { table, sent } = recordingTable();
    const progress: [number, number][] = [];
    await importRealm(table, parsed, (written, total) => progress.push([written, total]));
    const items = putItems(sent);
    assert.equal(items.length, parsed.items.length);
    assert.ok(items.every((item) => item.pk === 'REALM#tiny'));
    assert.equal(items.at(-1).sk, 'META#CONFIG');
    assert.ok(!items.some((item) => String(item.sk).startsWith('META#KEY#')));
    assert.deepEqual(progress, [
      [25, parsed.items.length],
      [parsed.items.length, parsed.items.length],
    ]);
  });

  test('re-importing writes the same keys and the same items: the export is parsed again each time', async () => {
    // Each import reads and parses the file anew, as `sa-admin import-realm` twice would.
    const first = recordingTable();
    const second = recordingTable();
    await importRealm(first.table, await parseRealmExport(readDemoRealm()));
    await importRealm(second.table, await parseRealmExport(readDemoRealm()));
    const keys = (sent: typeof first.sent) => putItems(sent).map((item) => `${item.pk} ${item.sk}`);
    assert.deepEqual(keys(second.sent), keys(first.sent));
    assert.equal(new Set(keys(first.sent)).size, putItems(first.sent).length, 'no two items share a key');
    // Only the secret hashes differ (a new salt each time); every other attribute is written again as it was.
    const withoutSalts = (sent: typeof first.sent) =>
      putItems(sent).map((item) => JSON.parse(JSON.stringify(item, (name, value) => (/^(rotatedS|s)ecretHash$/.test(name) ? 'hashed' : value))));
    assert.deepEqual(withoutSalts(second.sent), withoutSalts(first.sent));
  });

  test('a role that is no longer composite loses its stale composite item', async () => {
    const staleUser: Role = { name: 'user', composite: true, composites: { realm: ['default-roles-tiny'], client: {} } };
    const { table, sent } = recordingTable([
      { pk: 'REALM#tiny', sk: 'META#ROLE#R\u0000user', kind: 'role', ...staleUser },
      { pk: 'REALM#tiny', sk: 'META#ROLE#R\u0000default-roles-tiny', kind: 'role', name: 'default-roles-tiny', composite: true },
    ]);
    await importRealm(table, parsed);
    const deleted = sent.filter((s) => s.command === DeleteCommand.name).map((s) => s.input.Key.sk);
    // The stale composite `user`, and the plain form of the composite default role (a blind delete).
    assert.deepEqual(deleted, ['META#ROLE#R\u0000user', 'ROLE#R\u0000default-roles-tiny']);
  });

  test("a re-import keeps the realm's signing mode, which Keycloak's format does not carry", async () => {
    const { table, sent } = recordingTable([{ pk: 'REALM#tiny', sk: 'META#CONFIG', kind: 'settings', realm: 'tiny', signingMode: 'envelope' }]);
    await importRealm(table, parsed);
    const settings = putItems(sent).find((item) => item.sk === 'META#CONFIG');
    assert.equal(settings.signingMode, 'envelope');
    assert.equal(settings.accessTokenLifespan, 300);
  });

  test('refuses to write signing keys', async () => {
    const { table, sent } = recordingTable();
    const key: ClientsTableItem = {
      kind: 'key',
      kid: 'k1',
      alg: 'RS256',
      status: 'active',
      provider: 'kms',
      kmsKeyId: 'alias/x',
      publicJwk: {},
      createdAt: 0,
    };
    await assert.rejects(importRealm(table, { ...parsed, items: [...parsed.items, key] }), /signing keys/);
    assert.equal(sent.length, 0);
  });
});
