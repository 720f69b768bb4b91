import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { exportJWK, generateKeyPair } from 'jose';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { encryptClientSecret } from '../../lib/clientAuth/secretCipher.js';
import { ClientsTable } from '../../lib/store/clientsTable.js';

/**
 * Both JWT client-authentication methods through serverless offline, with openid-client's own
 * PrivateKeyJwt and ClientSecretJwt. The clients are registered straight in the stack's table,
 * as `sa-admin client create --auth …` would.
 */
const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const issuer = `${base}/realms/demo`;
const SECRET = 'e2e-hmac-secret-0123456789abcdef0123456789';
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

before(async () => {
  const table = new ClientsTable(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), process.env.CLIENTS_TABLE!);
  const template = (await table.getClient('demo', 'full-scope-client'))!;
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'e2e-key', alg: 'ES256', use: 'sig' };
  await table.putClient({
    ...template,
    clientId: 'e2e-jwt-client',
    secretHash: undefined,
    clientAuthenticatorType: 'client-jwt',
    attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [jwk] }) },
  });
  await table.putClient({
    ...template,
    clientId: 'e2e-secret-jwt-client',
    clientAuthenticatorType: 'client-secret-jwt',
    secretCiphertext: await encryptClientSecret(new KMSClient({}), process.env.SECRETS_KEY_ID!, 'demo', 'e2e-secret-jwt-client', SECRET),
  });
});

describe('JWT client authentication end to end (openid-client)', () => {
  it('discovery lists both methods and their algorithms, never none', async () => {
    const metadata = (await oidc.discovery(new URL(issuer), 'x', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] })).serverMetadata();
    assert.ok(metadata.token_endpoint_auth_methods_supported?.includes('private_key_jwt'));
    assert.ok(metadata.token_endpoint_auth_methods_supported?.includes('client_secret_jwt'));
    assert.ok(metadata.token_endpoint_auth_signing_alg_values_supported?.includes('ES256'));
    assert.ok(metadata.token_endpoint_auth_signing_alg_values_supported?.includes('HS256'));
    assert.ok(!metadata.token_endpoint_auth_signing_alg_values_supported?.includes('none'));
  });

  it('PrivateKeyJwt gets a token, and introspects with the same method', async () => {
    const config = await oidc.discovery(new URL(issuer), 'e2e-jwt-client', undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'e2e-key' }), {
      execute: [oidc.allowInsecureRequests],
    });
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.ok(tokens.access_token);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
  });

  it('ClientSecretJwt gets a token', async () => {
    const config = await oidc.discovery(new URL(issuer), 'e2e-secret-jwt-client', undefined, oidc.ClientSecretJwt(SECRET), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.ok(tokens.access_token);
  });

  it('a wrong HMAC secret is invalid_client', async () => {
    const config = await oidc.discovery(new URL(issuer), 'e2e-secret-jwt-client', undefined, oidc.ClientSecretJwt('not-the-secret-not-the-secret-000000'), {
      execute: [oidc.allowInsecureRequests],
    });
    await assert.rejects(oidc.clientCredentialsGrant(config), (err: oidc.ResponseBodyError) => err.error === 'invalid_client');
  });
});
