import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientView } from '../../lib/admin/clients.js';
import { longestAccessTokenLifespan, retention } from '../../lib/admin/keys.js';
import { signingKeyPolicy } from '../../lib/deployment/keyPolicy.js';
import { filterMappings } from '../../lib/model/roleMappings.js';
import type { ClientRecord, RealmSettings } from '../../lib/model/stored.js';

const client = (attributes: Record<string, string> = {}): ClientRecord => ({
  realm: 'r',
  clientId: 'c',
  id: 'id',
  enabled: true,
  publicClient: false,
  bearerOnly: false,
  serviceAccountsEnabled: true,
  fullScopeAllowed: true,
  clientAuthenticatorType: 'client-secret-jwt',
  secretHash: 'sha256$hash',
  rotatedSecretHash: 'sha256$old',
  rotatedSecretExpiresAt: 123,
  secretCiphertext: 'cipher',
  rotatedSecretCiphertext: 'oldcipher',
  defaultClientScopes: [],
  optionalClientScopes: [],
  attributes,
  notBefore: 0,
  scopeMappings: { realm: [], client: {} },
});

describe('signingKeyPolicy', () => {
  const policy = JSON.parse(signingKeyPolicy({ partition: 'aws', account: '123456789012', region: 'eu-west-1', stage: 'prod', service: 'sa-token-service' }));

  test('the account administers the key but cannot sign with it, nor grant itself the right', () => {
    const admin = policy.Statement.find((s: { Sid: string }) => s.Sid === 'AccountAdministersKey');
    assert.deepEqual(admin.Principal, { AWS: 'arn:aws:iam::123456789012:root' });
    assert.ok(admin.Action.includes('kms:ScheduleKeyDeletion') && admin.Action.includes('kms:PutKeyPolicy') === false && admin.Action.includes('kms:Put*'));
    for (const action of ['kms:*', 'kms:Sign', 'kms:Decrypt', 'kms:Create*', 'kms:CreateGrant']) assert.ok(!admin.Action.includes(action), action);
  });

  test("only the stage's token and refresh roles may sign, and only sign", () => {
    const sign = policy.Statement.find((s: { Sid: string }) => s.Sid === 'TokenFunctionsSign');
    assert.deepEqual(sign.Principal.AWS, [
      'arn:aws:iam::123456789012:role/sa-token-service-prod-eu-west-1-token',
      'arn:aws:iam::123456789012:role/sa-token-service-prod-eu-west-1-refresh',
    ]);
    assert.equal(sign.Action, 'kms:Sign');
    assert.equal(policy.Statement.length, 2);
  });
});

describe('longestAccessTokenLifespan', () => {
  const settings = { accessTokenLifespan: 300 } as RealmSettings;
  test("the realm's, or a longer client attribute; bad attributes are ignored", () => {
    assert.equal(longestAccessTokenLifespan(settings, []), 300);
    assert.equal(longestAccessTokenLifespan(settings, [client({ 'access.token.lifespan': '120' })]), 300);
    assert.equal(longestAccessTokenLifespan(settings, [client({ 'access.token.lifespan': '900' }), client({ 'access.token.lifespan': 'x' })]), 900);
  });
  test('a replaced key stays for the realm cache time, the longest lifetime and clock skew', () => {
    assert.equal(retention(settings, []), 60 + 300 + 60);
    assert.equal(retention(settings, [client({ 'access.token.lifespan': '900' })], 0), 900 + 60);
  });
});

describe('filterMappings', () => {
  const mappings = { realm: ['a', 'b'], client: { api: ['read'], other: ['x', 'y'] } };
  test('removes matching realm and client roles, and empty owners', () => {
    assert.deepEqual(filterMappings(mappings, (r) => r.client === undefined && r.name === 'a'), { realm: ['b'], client: mappings.client });
    assert.deepEqual(filterMappings(mappings, (r) => r.client === 'api'), { realm: ['a', 'b'], client: { other: ['x', 'y'] } });
  });
  test('undefined when nothing matched, so nothing is rewritten', () => {
    assert.equal(filterMappings(mappings, (r) => r.name === 'zzz'), undefined);
  });
});

describe('clientView', () => {
  test('never carries a stored hash or ciphertext', () => {
    const view = clientView(client());
    const text = JSON.stringify(view);
    for (const secret of ['sha256$hash', 'sha256$old', 'cipher', 'oldcipher']) assert.ok(!text.includes(secret), secret);
    assert.equal(view.hasSecret, true);
    assert.equal(view.rotatedSecretExpiresAt, 123);
  });
});
