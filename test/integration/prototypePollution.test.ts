/**
 * Issue 17 F1 and F2: user-chosen keys never reach an object's prototype, and mappers never write
 * reserved claims. The poisoned mappers, config keys and attributes are written straight into
 * DynamoDB Local through the store (no admin validation), as data stored before the write-time rule
 * would be; the token path must stay immune, for the attacker's realm and every other.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PutItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { decodeJwt } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import type { ClientRecord, ProtocolMapper } from '../../lib/model/stored.js';
import { adminCliInProcess } from '../support/adminCli.js';
import { basicGrant } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

let stack: TestStack;
let handler: ReturnType<typeof httpHandler>;
const { ok, json, fails } = adminCliInProcess(() => stack.table.tableName);
const secrets = new Map<string, string>();

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

async function grant(realm: string, clientId: string) {
  const res = await basicGrant(handler, realm, clientId, secrets.get(`${realm}/${clientId}`)!);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return decodeJwt(res.body.access_token) as Record<string, unknown>;
}

function assertPrototypeClean(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeBefore, 'Object.prototype gained a property');
  for (const name of ['nonce', 'polluted', 'escaped', 'inherited', 'resource_access']) {
    assert.equal(({} as Record<string, unknown>)[name], undefined, `({}).${name} is defined`);
  }
}

const ACCESS = { 'access.token.claim': 'true', 'introspection.token.claim': 'true' };
const hardcoded = (name: string, config: Record<string, string>): ProtocolMapper => ({
  id: `id-${name}`,
  name,
  protocol: 'openid-connect',
  protocolMapper: 'oidc-hardcoded-claim-mapper',
  config: { ...ACCESS, ...config },
});

/** Stands for `__proto__` until the raw item is rewritten. */
const PROTO = 'PROTO_PLACEHOLDER';

/** The client's item as DynamoDB holds it (AttributeValues); the store's key layout is its own business, so scan for it. */
async function rawItem(clientId: string): Promise<Record<string, AttributeValue>> {
  const { Items = [] } = await stack.dynamodb.send(new ScanCommand({ TableName: stack.table.tableName }));
  return Items.find((item) => item.clientId?.S === clientId)!;
}

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
  handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  await json(['realm', 'create', 'other']);
  for (const [realm, clientId] of [['demo', 'attacker'], ['demo', 'bystander'], ['other', 'tenant']] as const) {
    const { secret } = await json(['client', 'create', realm, clientId, '--service-accounts']);
    secrets.set(`${realm}/${clientId}`, secret);
  }

  const attacker = (await stack.table.getClient('demo', 'attacker'))!;
  const mappers: ProtocolMapper[] = [
    hardcoded('proto nonce', { 'claim.name': '__proto__.nonce', 'claim.value': 'polluted' }),
    hardcoded('constructor chain', { 'claim.name': 'constructor.prototype.polluted', 'claim.value': 'yes' }),
    hardcoded('escaped proto', { 'claim.name': '\\_\\_proto\\_\\_.escaped', 'claim.value': 'yes' }),
    hardcoded('proto roles', { 'claim.name': '__proto__.resource_access', 'claim.value': '{"x":{"roles":["admin"]}}', 'jsonType.label': 'JSON' }),
    hardcoded('whole proto', { 'claim.name': '__proto__', 'claim.value': '{"nonce":"n"}', 'jsonType.label': 'JSON' }),
    hardcoded('safe', { 'claim.name': 'tenant.tier', 'claim.value': 'gold' }),
    // A config whose own `__proto__` key holds a map: read back, the map would be the config's prototype.
    { ...hardcoded('inherited config', {}), config: { [PROTO]: { 'claim.name': 'inherited', 'claim.value': 'x', 'access.token.claim': 'true' } } as never },
    // Attribute names that are inherited members of a plain object, with aggregation (spreads the values).
    {
      id: 'id-attr',
      name: 'constructor attribute',
      protocol: 'openid-connect',
      protocolMapper: 'oidc-usermodel-attribute-mapper',
      config: { ...ACCESS, 'user.attribute': 'constructor', 'claim.name': 'ctor', 'aggregate.attrs': 'true', multivalued: 'true' },
    },
    {
      id: 'id-attr2',
      name: 'proto attribute',
      protocol: 'openid-connect',
      protocolMapper: 'oidc-usermodel-attribute-mapper',
      config: { ...ACCESS, 'user.attribute': '__proto__', 'claim.name': 'protoAttr', multivalued: 'true' },
    },
  ];
  const serviceAccount = { ...attacker.serviceAccount!, attributes: { [PROTO]: ['from-proto'], team: ['red'] } };
  const record: ClientRecord = { ...attacker, protocolMappers: mappers, serviceAccount };
  await stack.table.putClient(record);
  // The SDK's marshalling cannot even write a `__proto__` key: rename the placeholder in the raw item and put it back.
  const raw = await rawItem('attacker');
  const item = JSON.parse(JSON.stringify(raw).replaceAll(`"${PROTO}"`, '"__proto__"')) as Record<string, AttributeValue>;
  await stack.dynamodb.send(new PutItemCommand({ TableName: stack.table.tableName, Item: item }));
});

describe('data stored with forbidden keys (bypassing validation) cannot reach a prototype', () => {
  it('the poison is in the table as written', async () => {
    const text = JSON.stringify(await rawItem('attacker'));
    assert.match(text, /__proto__\.nonce/);
    assert.match(text, /"__proto__":\{"M"/, 'the config key __proto__ is stored');
  });

  it("the attacker's grant answers 200 with the safe claims only, and Object.prototype is unchanged", async () => {
    const claims = await grant('demo', 'attacker');
    assertPrototypeClean();
    assert.deepEqual(claims.tenant, { tier: 'gold' });
    for (const name of ['nonce', 'polluted', 'escaped', 'inherited', 'ctor', 'protoAttr', 'constructor', 'prototype']) {
      assert.equal(Object.hasOwn(claims, name), false, `claim ${name}`);
    }
    assert.equal(claims.azp, 'attacker');
  });

  it('later grants of the same realm and of another realm answer 200 with their own claims', async () => {
    await grant('demo', 'attacker');
    const bystander = await grant('demo', 'bystander');
    const tenant = await grant('other', 'tenant');
    assertPrototypeClean();
    assert.equal(bystander.azp, 'bystander');
    assert.equal(tenant.azp, 'tenant');
    for (const claims of [bystander, tenant]) {
      assert.equal(claims.nonce, undefined);
      assert.equal(claims.tenant, undefined);
      assert.ok(claims.realm_access, 'the standard roles scope still writes realm_access');
      assert.equal(typeof claims.exp, 'number');
    }
  });
});

describe('write time: one rule for sa-admin, the importer and the Admin API', () => {
  it('sa-admin refuses forbidden claim path segments, attribute names and client ids with one line', async () => {
    await fails(['mapper', 'hardcoded-claim', 'demo', '--client', 'bystander', '__proto__.nonce', 'x'], 1, /'config\.claim\.name' uses '__proto__\.nonce'/);
    await fails(['mapper', 'hardcoded-claim', 'demo', '--client', 'bystander', 'a.constructor', 'x'], 1, /reserved by the service/);
    await fails(['mapper', 'add', 'demo', '--client', 'bystander', '--name', 'p', '--type', 'oidc-hardcoded-claim-mapper', '--config', 'prototype=x', '--config', 'claim.name=x', '--config', 'claim.value=y'], 1, /'config\.prototype' uses 'prototype'/);
    await fails(['sa', 'set-attribute', 'demo', 'bystander', '__proto__', 'x'], 1, /reserved by the service/);
    await ok(['group', 'create', 'demo', '/eng']);
    await fails(['group', 'set-attribute', 'demo', '/eng', 'constructor', 'x'], 1, /reserved by the service/);
    await fails(['client', 'create', 'demo', 'constructor'], 1, /reserved by the service/);
    await ok(['role', 'create', 'demo', 'plain-role']);
    await fails(['role', 'update', 'demo', 'plain-role', '--attribute', '__proto__=x'], 1, /'attributes\.__proto__' uses '__proto__'/);
    assertPrototypeClean();
  });

  it('import-realm refuses a file with a forbidden key anywhere, naming its path', async () => {
    const file = `{"realm":"poisoned","clients":[{"clientId":"c","secret":"s","serviceAccountsEnabled":true,"attributes":{"__proto__":"x"},
      "protocolMappers":[{"name":"m","protocolMapper":"oidc-hardcoded-claim-mapper","config":{"claim.name":"__proto__.nonce","claim.value":"v"}}]}]}`;
    const run = await fails(['import-realm', '-'], 1, /client 'c' attributes\.__proto__/, { input: file });
    assert.match(run.stderr, /client 'c' protocolMappers\[0\]\.config\.claim\.name/);
    assertPrototypeClean();
  });
});
