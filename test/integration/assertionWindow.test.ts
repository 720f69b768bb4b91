import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { exportJWK, generateKeyPair } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { assertion, assertionForm } from '../support/assertions.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * Client assertions as Keycloak 26 accepts them (the window counts from `iat`), and failures that
 * look the same on the wire whatever the client: the answer to a JWT client's broken assertion is
 * the unknown client's answer, headers and body, byte for byte.
 */
const ISSUER = 'http://localhost:3000/realms/demo';
const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';
let stack: TestStack;
let key: Awaited<ReturnType<typeof generateKeyPair>>;

async function token(body: string, headers: Record<string, string> = {}) {
  const handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  const res = await handler(apiEvent({ path: TOKEN_PATH, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }));
  return { status: res.statusCode!, headers: res.headers as Record<string, string>, body: res.body! };
}
const sign = (claims: Record<string, unknown>, omit: string[] = [], clientId = 'window-client', signWith = key.privateKey) =>
  assertion({ clientId, audience: ISSUER, key: signWith, alg: 'RS256', kid: 'k1', claims, omit });

before(async () => {
  stack = await freshStack();
  key = await generateKeyPair('RS256', { extractable: true });
  const base = (await stack.table.getClient('demo', 'full-scope-client'))!;
  await stack.table.putClient({
    ...base,
    clientId: 'window-client',
    secretHash: undefined,
    clientAuthenticatorType: 'client-jwt',
    attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256' }] }) },
    serviceAccount: { ...base.serviceAccount!, username: 'service-account-window-client' },
  });
});

describe('the client assertion window counts from iat (Keycloak 26)', () => {
  it('a fresh iat with a far exp (Authlib: exp = now + 3600) is accepted once; its jti is remembered until exp', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const jwt = await sign({ iat: now, exp: now + 3600, jti });
    assert.equal((await token(assertionForm(jwt))).status, 200);
    assert.equal((await token(assertionForm(jwt))).status, 401, 'single use');
    const doc = DynamoDBDocumentClient.from(stack.dynamodb);
    const marker = await doc.send(new GetCommand({ TableName: stack.runtime.config.sessionsTable, Key: { pk: `JTI#demo#window-client#${jti}` } }));
    assert.equal(marker.Item?.ttl, now + 3600 + 15, 'remembered until exp (plus the clock skew)');
  });

  it('without iat, a far exp is still refused; an old iat is refused whatever the exp', async () => {
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await token(assertionForm(await sign({ exp: now + 3600 }, ['iat'])))).status, 401);
    assert.equal((await token(assertionForm(await sign({ exp: now + 30 }, ['iat'])))).status, 200);
    assert.equal((await token(assertionForm(await sign({ iat: now - 120, exp: now + 3600 })))).status, 401);
  });
});

describe('failures before a secret or signature is verified look alike', () => {
  it('a JWT client with a bad signature, a broken rule or a replay answers exactly as an unknown client does', async () => {
    const now = Math.floor(Date.now() / 1000);
    const other = await generateKeyPair('RS256');
    const unknown = await token(assertionForm(await sign({}, [], 'no-such-client')));
    assert.equal(unknown.status, 401);
    const used = await sign({});
    assert.equal((await token(assertionForm(used))).status, 200);
    const answers = {
      'bad signature': await token(assertionForm(await sign({}, [], 'window-client', other.privateKey))),
      'lifetime rule': await token(assertionForm(await sign({ exp: now + 3600 }, ['iat']))),
      replay: await token(assertionForm(used)),
      'secret client, wrong secret, form post': await token('grant_type=client_credentials&client_id=full-scope-client&client_secret=wrong'),
      'unknown client, form post': await token('grant_type=client_credentials&client_id=no-such-client&client_secret=wrong'),
    };
    for (const [what, answer] of Object.entries(answers)) {
      assert.equal(answer.status, unknown.status, what);
      assert.equal(answer.body, unknown.body, what);
      assert.deepEqual(answer.headers, unknown.headers, what);
    }
    // With HTTP Basic, the answers carry the Basic challenge, the same for every client.
    const basicUnknown = await token('grant_type=client_credentials', { authorization: basic('no-such-client', 'x') });
    const basicWrong = await token('grant_type=client_credentials', { authorization: basic('full-scope-client', 'x') });
    assert.deepEqual([basicWrong.status, basicWrong.headers, basicWrong.body], [basicUnknown.status, basicUnknown.headers, basicUnknown.body]);
  });
});
