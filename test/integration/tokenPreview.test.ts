import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { stageNames } from '../../infra/seed.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { previewToken } from '../../lib/admin/tokenPreview.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { basicGrant } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * The admin token preview and the token endpoint build tokens with one function
 * (lib/tokens/tokenResponse.ts buildTokens, issue 18 finding 7): for the same client, scope,
 * issuer and source they agree on every claim but the random and time-based ones.
 */
let stack: TestStack;
let ctx: AdminContext;
const VARYING = ['jti', 'iat', 'exp', 'auth_time', 'at_hash', 'sid', 'session_state'];
const stable = (claims: Record<string, unknown>) => Object.fromEntries(Object.entries(claims).filter(([name]) => !VARYING.includes(name)));

before(async () => {
  stack = await freshStack();
  ctx = { names: stageNames('test', stack.table.tableName), table: stack.table, kms: stack.kms, now: () => Math.floor(Date.now() / 1000) };
});

describe('token preview', () => {
  it('shows the claims the token endpoint signs, in the same order', async () => {
    const handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
    for (const [clientId, secret] of [['product-sa-client', 'password'], ['full-scope-client', 'full-secret']] as const) {
      const granted = await basicGrant(handler, 'demo', clientId, secret);
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      const preview = await previewToken(ctx, 'demo', clientId, { sourceIp: '127.0.0.1' });
      const signed = decodeJwt(granted.body.access_token) as Record<string, unknown>;
      assert.deepEqual(Object.keys(stable(preview.accessToken)), Object.keys(stable(signed)), clientId);
      assert.deepEqual(stable(preview.accessToken), stable(signed), clientId);
      assert.equal(preview.scope, granted.body.scope);
    }
  });
});
