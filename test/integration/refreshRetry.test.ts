import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { DEFAULT_REFRESH_RETRY_GRACE_SECONDS } from '../../lib/config.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * The refresh retry grace (docs/refresh-tokens.md, RFC 9700 §4.14.2) against DynamoDB Local and
 * the local KMS: a refresh whose answer was lost is retried with the spent token.
 */
const OIDC = '/realms/demo/protocol/openid-connect';
const PRODUCT = { authorization: basic('product-sa-client', 'password') };
const FULL = { authorization: basic('full-scope-client', 'full-secret') };
const GRACE = DEFAULT_REFRESH_RETRY_GRACE_SECONDS;

let stack: TestStack;
let clock = Math.floor(Date.now() / 1000);

async function post(body: string, headers: Record<string, string>) {
  const handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  const res = await handler(apiEvent({ path: `${OIDC}/token`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }));
  return { status: res.statusCode!, body: JSON.parse(res.body!) };
}
const grant = async () => (await post('grant_type=client_credentials', PRODUCT)).body;
const refreshWith = (rt: string, headers = PRODUCT) => post(`grant_type=refresh_token&refresh_token=${encodeURIComponent(rt)}`, headers);

before(async () => {
  stack = await freshStack({ realmCacheTtlSeconds: 0, now: () => clock, refreshRetryGraceSeconds: GRACE });
});

describe('refresh retry grace (rotation on, refreshTokenMaxReuse 0)', () => {
  it('a retry within the window gets the same refresh token, writes nothing, and the session lives on', async () => {
    const first = await grant();
    const answered = await refreshWith(first.refresh_token); // its answer is "lost"
    assert.equal(answered.status, 200);
    clock += GRACE - 1;
    stack.resetCounts();
    const retry = await refreshWith(first.refresh_token);
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.refresh_token, answered.body.refresh_token);
    assert.equal(retry.body.session_state, answered.body.session_state);
    assert.equal(retry.body.refresh_expires_in, answered.body.refresh_expires_in - (GRACE - 1));
    assert.equal(decodeJwt(retry.body.access_token).iat, clock);
    assert.equal(stack.counts.PutItemCommand, undefined);
    assert.equal(stack.counts.UpdateItemCommand, undefined);
    assert.equal(stack.counts.DeleteItemCommand, undefined);
    // The successor works, and rotates as usual.
    const next = await refreshWith(retry.body.refresh_token);
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.notEqual(next.body.refresh_token, retry.body.refresh_token);
    // Once the successor is spent, the first token is plain reuse.
    const late = await refreshWith(first.refresh_token);
    assert.equal(late.body.error, 'invalid_grant');
    assert.equal((await refreshWith(next.body.refresh_token)).body.error_description, 'Session not active');
  });

  it('a retry after the window is reuse and ends the session', async () => {
    const first = await grant();
    const answered = await refreshWith(first.refresh_token);
    clock += GRACE;
    const retry = await refreshWith(first.refresh_token);
    assert.equal(retry.status, 400);
    assert.equal(retry.body.error_description, 'Maximum allowed refresh token reuse exceeded');
    assert.equal((await refreshWith(answered.body.refresh_token)).body.error_description, 'Session not active');
  });

  it('another client presenting the spent token gets invalid_grant and no successor', async () => {
    const first = await grant();
    const answered = await refreshWith(first.refresh_token);
    const other = await refreshWith(first.refresh_token, FULL);
    assert.equal(other.status, 400);
    assert.equal(other.body.error, 'invalid_grant');
    assert.equal(other.body.refresh_token, undefined);
    assert.equal((await refreshWith(answered.body.refresh_token)).status, 200);
  });

  it('0 disables the grace: the retry is reuse', async () => {
    const strict = await freshStack({ realmCacheTtlSeconds: 0, now: () => clock, refreshRetryGraceSeconds: 0 });
    const own = stack;
    stack = strict;
    try {
      const first = await grant();
      await refreshWith(first.refresh_token);
      const retry = await refreshWith(first.refresh_token);
      assert.equal(retry.body.error_description, 'Maximum allowed refresh token reuse exceeded');
    } finally {
      stack = own;
    }
  });
});
