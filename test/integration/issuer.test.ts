import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { fromApiGatewayEvent } from '../../lib/http/request.js';
import { issuerFor } from '../../lib/runtime.js';
import { assertion, assertionForm } from '../support/assertions.js';
import { apiEvent, basic, FORM } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * The issuer never follows the Host header where it is configured (issue 12 item 6): every
 * deployed stage and `npm start` set ISSUER_BASE_URL. Only an in-process runtime without it (these
 * integration tests) takes the request's origin, as Keycloak does without a configured hostname.
 */
const FIXED = 'https://auth.example.com';
const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';
const ATTACKER = { host: 'attacker.example', 'x-forwarded-proto': 'https' };
let fixed: TestStack;
let derived: TestStack;
let key: Awaited<ReturnType<typeof generateKeyPair>>;

function post(stack: TestStack, body: string, headers: Record<string, string>, path = TOKEN_PATH) {
  const handler = httpHandler((request) => tokenEndpoint(stack.runtime, request, tokenGrants), { noStore: true, log: () => undefined });
  return handler(apiEvent({ path, headers: { ...FORM, ...headers }, body })).then((res) => ({ status: res.statusCode!, body: JSON.parse(res.body!) }));
}

before(async () => {
  fixed = await freshStack({ issuerBaseUrl: FIXED });
  derived = await freshStack();
  key = await generateKeyPair('RS256');
  const base = (await fixed.table.getClient('demo', 'full-scope-client'))!;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
  await fixed.table.putClient({
    ...base,
    clientId: 'issuer-jwt-client',
    clientAuthenticatorType: 'client-jwt',
    secretHash: undefined,
    attributes: { 'use.jwks.string': 'true', 'jwks.string': jwks },
    serviceAccount: { ...base.serviceAccount!, username: 'service-account-issuer-jwt-client' },
  });
});

const signed = (audience: string) => assertion({ clientId: 'issuer-jwt-client', audience, key: key.privateKey, alg: 'RS256', kid: 'k1' });

describe('issuer with ISSUER_BASE_URL (every deployed stage, npm start)', () => {
  it('signs iss from the configuration whatever Host the request names, in both path forms', async () => {
    const auth = { authorization: basic('product-sa-client', 'password'), ...ATTACKER };
    const plain = await post(fixed, 'grant_type=client_credentials', auth);
    assert.equal(plain.status, 200);
    assert.equal(decodeJwt(plain.body.access_token).iss, `${FIXED}/realms/demo`);
    const legacy = await post(fixed, 'grant_type=client_credentials', auth, `/auth${TOKEN_PATH}`);
    assert.equal(decodeJwt(legacy.body.access_token).iss, `${FIXED}/auth/realms/demo`);
    // Discovery and every endpoint build their URLs from the same issuer.
    assert.equal(issuerFor(fixed.runtime, fromApiGatewayEvent(apiEvent({ path: TOKEN_PATH, headers: ATTACKER })), 'demo'), `${FIXED}/realms/demo`);
  });

  it('accepts a client assertion only for the configured issuer or token endpoint, never the Host it was sent to', async () => {
    for (const audience of [`${FIXED}/realms/demo`, `${FIXED}/realms/demo/protocol/openid-connect/token`, `${FIXED}/auth/realms/demo`]) {
      const res = await post(fixed, assertionForm(await signed(audience)), ATTACKER);
      assert.equal(res.status, 200, `${audience}: ${JSON.stringify(res.body)}`);
    }
    for (const audience of ['https://attacker.example/realms/demo', 'https://attacker.example/realms/demo/protocol/openid-connect/token', 'http://localhost:3000/realms/demo']) {
      const res = await post(fixed, assertionForm(await signed(audience)), ATTACKER);
      assert.equal(res.status, 401, audience);
      assert.equal(res.body.error, 'invalid_client');
    }
  });
});

describe('issuer without ISSUER_BASE_URL (in-process tests only)', () => {
  it("follows the request's origin, as Keycloak does without a hostname", async () => {
    const res = await post(derived, 'grant_type=client_credentials', { authorization: basic('product-sa-client', 'password') });
    assert.equal(decodeJwt(res.body.access_token).iss, 'http://localhost:3000/realms/demo');
  });
});
