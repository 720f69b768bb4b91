/**
 * The representation modules' round trips (issue 18), against DynamoDB Local and the local KMS:
 * Keycloak's JSON → the stored model → JSON is stable for clients and realms, by every writer
 * (the import, lib/admin's operations as the Admin API calls them), and export ∘ import is stable
 * for the demo realm and for a Keycloak 26 export with mappers, groups and attributes.
 */
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, showClient } from '../../lib/admin/clients.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { importRealmExport } from '../../lib/admin/realmImport.js';
import { exportRealm } from '../../lib/admin/realmExport.js';
import { createRealm, findDefaultRole, findRealmSettings, updateRealm } from '../../lib/admin/realms.js';
import { stageNames } from '../../lib/deployment/stageNames.js';
import { clientRepresentation, parseClientRepresentation } from '../../lib/representation/client.js';
import { parseRealmRepresentation, realmRepresentation, REALM_COLLECTIONS } from '../../lib/representation/realm.js';
import { freshStack, type TestStack } from '../support/localAws.js';

type Json = Record<string, any>;

let stack: TestStack;
let ctx: AdminContext;
let keycloak26: Json;
let demo: Json;

const read = async (url: URL): Promise<Json> => JSON.parse(await readFile(url, 'utf8'));

/** The fixture's OpenID Connect clients: the ones a token can be asked for. */
const oidcClients = (realm: Json): Json[] => (realm.clients as Json[]).filter((client) => (client.protocol ?? 'openid-connect') === 'openid-connect');

/** Keycloak's JSON of a mapper always has consentRequired; a fixture may leave it out. */
const withConsent = (mappers: Json[] | undefined) => mappers?.map((mapper) => ({ consentRequired: false, ...mapper }));

/**
 * `sent` read back: every field it has, as it was sent (never the secret, which is only ever
 * written). Keycloak 26.1's import gives a service-account client of an older export the
 * `service_account` scope (MigrateTo26_1_0): the one addition a default scope list may have.
 */
function assertKeeps(readBack: Json, sent: Json, what: string): void {
  for (const [field, value] of Object.entries(sent)) {
    if (field === 'secret') continue;
    let actual = readBack[field];
    if (field === 'defaultClientScopes' && !value.includes('service_account')) actual = actual.filter((name: string) => name !== 'service_account');
    assert.deepEqual(actual, field === 'protocolMappers' ? withConsent(value) : value, `${what}: ${field}`);
  }
}

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
  ctx = { names: stageNames('test', stack.table.tableName), table: stack.table, kms: stack.kms, now: () => Math.floor(Date.now() / 1000), localStage: true };
  keycloak26 = await read(new URL('../fixtures/keycloak26-realm.json', import.meta.url));
  demo = await read(new URL('../../infra/realms/demo-realm.json', import.meta.url));
});

describe('export ∘ import is stable', () => {
  for (const [name, file] of [['the demo realm', () => demo], ['a Keycloak 26 export with mappers, groups and attributes', () => keycloak26]] as const) {
    it(name, async () => {
      const json: Json = { ...file(), realm: `rt-${file().realm}` };
      await importRealmExport(ctx, json);
      const first = await exportRealm(stack.table, json.realm);
      // Exports carry no secrets: the second import keeps the ones the realm holds.
      await importRealmExport(ctx, first);
      const second = await exportRealm(stack.table, json.realm);
      assert.deepEqual(second, first);

      // Keycloak's JSON → model → JSON: every OIDC client of the file comes back as it was.
      for (const client of oidcClients(json)) {
        const exported = (first.clients as Json[]).find((candidate) => candidate.clientId === client.clientId)!;
        assertKeeps(exported, client, `${name}, client ${client.clientId}`);
      }
      // And the realm's own fields, but for the collections, which have their own modules.
      const collections = new Set<string>(REALM_COLLECTIONS);
      for (const [field, value] of Object.entries(json)) {
        if (collections.has(field) || field === 'realm' || field === 'smtpServer' || field === 'defaultRole') continue;
        assert.deepEqual(first[field], value, `${name}: realm field ${field}`);
      }
      // The default role as the role itself is (a hand-edited file may describe it otherwise in `defaultRole`).
      const role = (json.roles.realm as Json[]).find((candidate) => candidate.name === json.defaultRole.name)!;
      const { attributes: _a, composites: _c, ...brief } = role;
      assert.deepEqual(first.defaultRole, brief);
    });
  }
});

describe("Keycloak's JSON → model → JSON through lib/admin's operations (the Admin API's way in)", () => {
  it('a ClientRepresentation of each Keycloak 26 client reads back as sent', async () => {
    const realm = 'rt-clients';
    await createRealm(ctx, realm);
    // legacy-service's script mapper is a type this service does not apply: the Admin API refuses it (404), only an import keeps it.
    for (const client of oidcClients(keycloak26).filter((candidate) => candidate.clientId !== 'legacy-service')) {
      // Scope names the new realm lacks are dropped as Keycloak drops them; the file's are Keycloak 26's built-ins or its own.
      const { clientId, defaultClientScopes: _d, optionalClientScopes: _o, ...sent } = client;
      await createClient(ctx, realm, clientId, parseClientRepresentation(sent));
      const readBack: Json = clientRepresentation(await showClient(ctx, realm, clientId));
      // Setting a secret records when it was made (Keycloak's client.secret.creation.time).
      if (sent.secret !== undefined) {
        assert.match(readBack.attributes['client.secret.creation.time'], /^\d+$/);
        readBack.attributes['client.secret.creation.time'] = sent.attributes['client.secret.creation.time'];
      }
      assertKeeps(readBack, sent, `client ${clientId}`);
      assert.equal(readBack.secret, undefined, 'the representation never carries the secret');
    }
  });

  it('a RealmRepresentation: create with its settings and extras, read back, update with what was read, read back the same', async () => {
    const { id, realm: _name, ...rest } = keycloak26;
    const body = { ...rest, realm: 'rt-realm' };
    const { settings, extra } = parseRealmRepresentation(body);
    await createRealm(ctx, 'rt-realm', { ...settings, extra }, { id });
    const stored = (await findRealmSettings(ctx, 'rt-realm'))!;
    const first: Json = realmRepresentation(stored, await findDefaultRole(ctx, stored));
    const collections = new Set<string>(REALM_COLLECTIONS);
    for (const [field, value] of Object.entries(body)) {
      // The Admin API's read leaves out the default scope lists (they have their own endpoints) and shows its own default role.
      if (collections.has(field) || field === 'defaultRole' || field.startsWith('defaultDefault') || field.startsWith('defaultOptional')) continue;
      assert.deepEqual(first[field], value, `realm field ${field}`);
    }
    assert.equal(first.id, id);
    assert.deepEqual({ name: first.defaultRole.name, composite: first.defaultRole.composite, containerId: first.defaultRole.containerId }, {
      name: 'default-roles-rt-realm',
      composite: true,
      containerId: id,
    });

    const again = parseRealmRepresentation(first);
    await updateRealm(ctx, 'rt-realm', { ...again.settings, extra: again.extra });
    const after = (await findRealmSettings(ctx, 'rt-realm'))!;
    assert.deepEqual(realmRepresentation(after, await findDefaultRole(ctx, after)), first);
  });
});
