/**
 * Keycloak's UserSessionRepresentation and KeysMetadataRepresentation as built from stored
 * sessions and keys (lib/representation/userSession.ts, keysMetadata.ts): pure, no stack needed.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PublicKeyView } from '../../lib/admin/keys.js';
import { keysMetadataRepresentation } from '../../lib/representation/keysMetadata.js';
import { userSessionRepresentation } from '../../lib/representation/userSession.js';
import type { ClientRecord } from '../../lib/model/stored.js';

const client = {
  realm: 'r',
  clientId: 'worker',
  id: '__proto__',
  serviceAccount: { id: 'user-1', username: 'service-account-worker', roles: { realm: [], client: {} } },
} as unknown as ClientRecord;

describe('UserSessionRepresentation', () => {
  it('answers times in milliseconds, the service account as user, and the client by its id without touching a prototype', () => {
    const rep = userSessionRepresentation({ id: 's1', realm: 'r', clientId: 'worker', clientUuid: '__proto__', userId: 'user-1', started: 1_700_000_000, lastRefresh: 1_700_000_060, expiresAt: 1_700_003_600 }, client);
    assert.equal(rep.start, 1_700_000_000_000);
    assert.equal(rep.lastAccess, 1_700_000_060_000);
    assert.equal(rep.username, 'service-account-worker');
    assert.equal(rep.ipAddress, '', 'a session stored before addresses were kept');
    assert.equal(Object.getPrototypeOf(rep.clients), null);
    assert.equal(JSON.stringify(rep.clients), '{"__proto__":"worker"}');
  });
});

describe('KeysMetadataRepresentation', () => {
  const rsa = (kid: string, status: PublicKeyView['status'], createdAt: number): PublicKeyView => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Record<string, string>;
    return { kid, alg: 'RS256', provider: 'envelope', status, createdAt, publicJwk: jwk };
  };

  it("maps statuses to Keycloak's, names the active key per algorithm, and gives the public key as base64 DER SPKI", () => {
    const keys = [rsa('new', 'active', 200), rsa('old', 'passive', 100), rsa('gone', 'retired', 50)];
    const rep = keysMetadataRepresentation(keys, { kid: 'hmac', alg: 'HS512', wrappedKey: 'secret-bytes', wrappingKeyId: 'k', createdAt: 10 });
    assert.deepEqual({ ...rep.active }, { RS256: 'new', HS512: 'hmac' });
    assert.deepEqual(rep.keys.map((key) => [key.kid, key.status, key.providerPriority]), [['new', 'ACTIVE', 200], ['old', 'PASSIVE', 100], ['gone', 'DISABLED', 50], ['hmac', 'ACTIVE', 10]]);
    const spki = createPublicKey({ key: Buffer.from(rep.keys[0]!.publicKey!, 'base64'), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    assert.equal(spki.n, keys[0]!.publicJwk.n);
    const hmac = rep.keys[3]!;
    assert.deepEqual(hmac, { providerId: 'refresh-token-key', providerPriority: 10, kid: 'hmac', status: 'ACTIVE', type: 'OCT', algorithm: 'HS512', use: 'SIG' });
    assert.ok(!JSON.stringify(rep).includes('secret-bytes'), 'no wrapped key material');
  });
});
