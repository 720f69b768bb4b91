/**
 * `sa-admin client scope …` (issue 18): a client's default and optional client scopes, through
 * the same lib/admin operation as the Admin API's `default-client-scopes`/`optional-client-scopes`.
 * Run in-process against DynamoDB Local and the local KMS; the token preview shows the effect.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adminCliInProcess } from '../support/adminCli.js';
import { freshStack, type TestStack } from '../support/localAws.js';

let stack: TestStack;
const { ok, json, fails } = adminCliInProcess(() => stack.table.tableName);

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0 });
  await ok(['client', 'create', 'demo', 'scoped', '--service-accounts']);
});

const scopeClaim = async () => ((await json(['token', 'preview', 'demo', 'scoped'])).accessToken.scope as string).split(' ');

describe('sa-admin client scope', () => {
  it("lists a new client's scopes: the realm's default and optional ones", async () => {
    const listed = await json(['client', 'scope', 'list', 'demo', 'scoped']);
    assert.ok(listed.defaultClientScopes.includes('email'), JSON.stringify(listed));
    assert.ok(listed.optionalClientScopes.includes('address'), JSON.stringify(listed));
  });

  it('add --default moves an optional scope into every token; remove takes it out again', async () => {
    assert.ok(!(await scopeClaim()).includes('address'));
    const added = await json(['client', 'scope', 'add', 'demo', 'scoped', 'address', '--default']);
    assert.ok(added.defaultClientScopes.includes('address'));
    assert.ok(!added.optionalClientScopes.includes('address'), 'a scope is default or optional, never both');
    assert.ok((await scopeClaim()).includes('address'));

    const removed = await json(['client', 'scope', 'remove', 'demo', 'scoped', 'address', '--default']);
    assert.ok(!removed.defaultClientScopes.includes('address'));
    assert.ok(!(await scopeClaim()).includes('address'));
  });

  it('add --optional moves a default scope out of the tokens that do not ask for it', async () => {
    assert.ok((await scopeClaim()).includes('email'));
    const moved = await json(['client', 'scope', 'add', 'demo', 'scoped', 'email', '--optional']);
    assert.ok(moved.optionalClientScopes.includes('email') && !moved.defaultClientScopes.includes('email'));
    assert.ok(!(await scopeClaim()).includes('email'));
    const human = await ok(['client', 'scope', 'add', 'demo', 'scoped', 'email', '--default']);
    assert.equal(human.stdout, 'client scoped: email is a default client scope\n');
  });

  it('refuses a missing kind (usage), both kinds, an unknown scope and an unknown client', async () => {
    await fails(['client', 'scope', 'add', 'demo', 'scoped', 'email'], 2, /give --default or --optional/);
    await fails(['client', 'scope', 'add', 'demo', 'scoped', 'email', '--default', '--optional'], 2, /cannot be used with/);
    await fails(['client', 'scope', 'add', 'demo', 'scoped', 'nope', '--default'], 1, /no client scope 'nope' in realm 'demo'/);
    await fails(['client', 'scope', 'remove', 'demo', 'nobody', 'email', '--optional'], 1, /nobody/);
    await fails(['client', 'scope'], 2, /client scope: missing command \(one of list, add, remove\)/);
  });
});
