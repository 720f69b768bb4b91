import { signingKeyAliases, stageNames } from '../../lib/deployment/stageNames.js';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { DEMO_REALM_FILE } from '../../infra/local/stack.js';
import { createClient } from '../../lib/admin/clients.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { listKeys, rotateKeys } from '../../lib/admin/keys.js';
import { importRealmExport } from '../../lib/admin/realmImport.js';
import { createRealm } from '../../lib/admin/realms.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { createSigningKey } from '../../lib/signing/keys.js';
import { basicGrant } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * Every realm signs with keys of its own (issue 12 item 3): no `kid` in two realms' JWKS, so a
 * token of one realm never verifies against another's keys, whatever its claims say.
 */
let stack: TestStack;
let ctx: AdminContext;
let clock = Math.floor(Date.now() / 1000);
/** The Policy of every CreateKey the admin operations sent. */
const createdKeyPolicies: string[] = [];
let handler: ReturnType<typeof httpHandler>;

async function jwksOf(realm: string): Promise<JSONWebKeySet> {
  return (await stack.runtime.realms.get(realm)).keys.jwks(stack.runtime.now()) as JSONWebKeySet;
}

/** A service-account client in `realm`, and a token it got from the token endpoint. */
async function tokenIn(realm: string): Promise<string> {
  const { secret } = await createClient(ctx, realm, `${realm}-service`, { serviceAccountsEnabled: true });
  const res = await basicGrant(handler, realm, `${realm}-service`, secret!);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.access_token;
}

before(async () => {
  // Realm caches off: the test reads each realm's keys right after changing them.
  stack = await freshStack({ realmCacheTtlSeconds: 0, now: () => clock });
  const recordPolicy: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    if (context.commandName === 'CreateKeyCommand') createdKeyPolicies.push(String((args.input as { Policy?: string }).Policy));
    return next(args);
  };
  stack.kms.middlewareStack.add(recordPolicy as never, { step: 'initialize', name: 'recordKeyPolicy' });
  ctx = { names: stageNames('test', stack.table.tableName), table: stack.table, kms: stack.kms, now: () => clock, localStage: true };
  handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
});

describe('per-realm signing keys', () => {
  it('gives created (kms and envelope), imported and seeded realms keys of their own: no kid in two JWKS', async () => {
    await createRealm(ctx, 'alpha');
    await createRealm(ctx, 'beta', { signingMode: 'envelope' });
    const exported = JSON.parse(await readFile(DEMO_REALM_FILE, 'utf8'));
    await importRealmExport(ctx, { ...exported, realm: 'gamma', id: undefined });
    const kidsByRealm = new Map<string, string[]>();
    for (const realm of ['demo', 'alpha', 'beta', 'gamma']) {
      const kids = (await jwksOf(realm)).keys.map((key) => key.kid!);
      assert.equal(kids.length, 2, `${realm}: one RS256 and one ES256 key`);
      kidsByRealm.set(realm, kids);
    }
    const all = [...kidsByRealm.values()].flat();
    assert.equal(new Set(all).size, all.length, `a kid appears in two realms: ${JSON.stringify([...kidsByRealm])}`);
    assert.deepEqual((await listKeys(ctx, 'beta')).map((key) => key.provider), ['envelope', 'envelope']);
  });

  it("never signs with the stage's shared keys: a kms realm's keys are KMS keys made for it", async () => {
    const shared = await Promise.all(
      Object.values(signingKeyAliases('test')).map(async (alias) => (await stack.kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!.Arn!),
    );
    for (const realm of ['demo', 'alpha', 'gamma']) {
      const keys = await listKeys(ctx, realm);
      assert.equal(keys.length, 2);
      for (const key of keys) {
        assert.equal(key.provider, 'kms');
        assert.ok(key.kmsKeyId && !shared.includes(key.kmsKeyId), `${realm} ${key.alg} signs with a shared key`);
      }
    }
    assert.equal(new Set((await Promise.all(['demo', 'alpha', 'gamma'].map((realm) => listKeys(ctx, realm)))).flat().map((key) => key.kmsKeyId)).size, 6);
  });

  it("creates each realm's KMS key with a policy that lets only the stage's token and refresh roles sign", () => {
    // alpha (2 keys) and gamma (2 keys) were created in this file; beta is envelope (no KMS key).
    assert.equal(createdKeyPolicies.length, 4);
    for (const text of createdKeyPolicies) {
      const policy = JSON.parse(text);
      const signers = policy.Statement.filter((statement: { Action: string | string[] }) => [statement.Action].flat().some((action) => action === 'kms:Sign' || action === 'kms:*'));
      assert.equal(signers.length, 1, text);
      assert.deepEqual(
        signers[0].Principal.AWS.map((arn: string) => arn.replace(/^arn:aws:iam::\d+:role\//, '')),
        ['sa-token-service-test-us-east-1-token', 'sa-token-service-test-us-east-1-refresh'],
      );
    }
  });

  it("refuses a token of realm alpha against realm beta's JWKS (and gamma's), accepts it against alpha's", async () => {
    const token = await tokenIn('alpha');
    const issuer = 'http://localhost:3000/realms/alpha';
    await jwtVerify(token, createLocalJWKSet(await jwksOf('alpha')), { issuer });
    for (const other of ['beta', 'gamma', 'demo']) {
      await assert.rejects(jwtVerify(token, createLocalJWKSet(await jwksOf(other))), { code: 'ERR_JWKS_NO_MATCHING_KEY' }, other);
    }
    // Even with the kid rewritten to one of the other realm's, the signature does not verify.
    const [, payload, signature] = token.split('.');
    const betaKid = (await jwksOf('beta')).keys.find((key) => key.alg === decodeProtectedHeader(token).alg)!.kid!;
    const header = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(token), kid: betaKid })).toString('base64url');
    await assert.rejects(jwtVerify(`${header}.${payload}.${signature}`, createLocalJWKSet(await jwksOf('beta'))), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  it('keys rotate moves a realm that still signs with the shared keys onto keys of its own', async () => {
    await createRealm(ctx, 'legacy');
    // How realms were keyed before: the stage's shared keys, active.
    for (const [alg, alias] of Object.entries(signingKeyAliases('test')) as ['RS256' | 'ES256', string][]) {
      await createSigningKey(stack.kms, stack.table, 'legacy', { alg, mode: 'kms', kmsKeyId: alias, retainPreviousFor: 0, now: clock });
    }
    const sharedKids = new Set((await listKeys(ctx, 'legacy')).filter((key) => key.status === 'active').map((key) => key.kid));
    assert.equal(sharedKids.size, 2);

    const result = await rotateKeys(ctx, 'legacy');
    assert.equal(result.created.length, 2);
    const keys = await listKeys(ctx, 'legacy');
    const active = keys.filter((key) => key.status === 'active');
    assert.ok(active.every((key) => !sharedKids.has(key.kid)));
    // The shared keys stay published until every token they signed has expired, then leave the JWKS.
    assert.ok([...sharedKids].every((kid) => keys.find((key) => key.kid === kid)!.status === 'passive'));
    clock += result.retainPreviousFor + 1;
    const published = (await jwksOf('legacy')).keys.map((key) => key.kid);
    assert.deepEqual(published.sort(), active.map((key) => key.kid).sort());
    const elsewhere = (await Promise.all(['demo', 'alpha', 'beta', 'gamma'].map(jwksOf))).flatMap((jwks) => jwks.keys.map((key) => key.kid));
    assert.ok(published.every((kid) => !elsewhere.includes(kid)));
  });
});
