import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { pepperedHasher } from '../../lib/clientAuth/secretPepper.js';
import { createSigningKey } from '../../lib/signing/keys.js';
import { ensureRefreshKey } from '../../lib/signing/refreshKey.js';
import { ClientsTable, type ClientsTableItem } from '../../lib/store/clientsTable.js';

/**
 * The same client flows through serverless offline, for a realm whose keys are in `envelope`
 * mode: KMS generated the key pairs, only the wrapped private keys are stored, and each Lambda
 * container unwraps them once.
 */
const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const issuer = `${base}/realms/envelope`;

before(async () => {
  const table = new ClientsTable(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), process.env.CLIENTS_TABLE!);
  // Keys and the secret pepper are the realm's own: each unwraps only for the realm it was made for.
  const items = (await table.listRealmItems('demo')).filter((item) => item.kind !== 'key' && item.kind !== 'refreshKey' && item.kind !== 'pepper');
  const copied = items.map((item): ClientsTableItem =>
    item.kind === 'settings' ? { ...item, realm: 'envelope', signingMode: 'envelope' } : item.kind === 'client' ? { ...item, realm: 'envelope' } : item,
  );
  await table.batchPut('envelope', copied);
  // So product-sa-client's secret is hashed again, with the envelope realm's pepper.
  const product = (await table.getClient('envelope', 'product-sa-client'))!;
  const hash = pepperedHasher(new KMSClient({}), table, process.env.SECRETS_KEY_ID!, 'envelope');
  await table.putClient({ ...product, secretHash: await hash('product-sa-client', 'password') });
  for (const alg of ['RS256', 'ES256'] as const) {
    await createSigningKey(new KMSClient({}), table, 'envelope', { alg, mode: 'envelope', wrappingKeyId: process.env.SECRETS_KEY_ID!, retainPreviousFor: 0, now: Math.floor(Date.now() / 1000) });
  }
  await ensureRefreshKey(new KMSClient({}), table, 'envelope', process.env.SECRETS_KEY_ID!, Math.floor(Date.now() / 1000));
});

describe('envelope signing end to end (serverless offline, openid-client)', () => {
  it('grants, refreshes and introspects, with tokens that verify against the published JWKS', async () => {
    const config = await oidc.discovery(new URL(issuer), 'product-sa-client', undefined, oidc.ClientSecretBasic('password'), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(config);
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.deepEqual(payload.realm_access, { roles: ['user'] });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await jwtVerify(refreshed.access_token, jwks, { issuer });
    assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, true);
  });

  it('publishes exactly the envelope keys, with no private members', async () => {
    const jwks = (await (await fetch(`${issuer}/protocol/openid-connect/certs`)).json()) as { keys: Record<string, string>[] };
    assert.deepEqual(jwks.keys.map((key) => key.alg).sort(), ['ES256', 'RS256']);
    for (const key of jwks.keys) for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[member], undefined);
  });
});
