import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { realmNameProblem } from '../../lib/admin/realmName.js';
import { isLoopbackUrl, jwksUrlProblem } from '../../lib/clientAuth/jwksUrl.js';
import { issuerBaseUrl, loadConfig } from '../../lib/config.js';
import { invalidClient, quotedRealm } from '../../lib/http/errors.js';

const TABLES = { CLIENTS_TABLE: 'c', SESSIONS_TABLE: 's' };

describe('ISSUER_BASE_URL (lib/config.ts)', () => {
  it('is required in a deployed function, optional under serverless offline and in-process', () => {
    assert.throws(() => loadConfig({ ...TABLES, AWS_LAMBDA_FUNCTION_NAME: 'sa-token-service-prod-token' }), /ISSUER_BASE_URL must be set in a deployed stage/);
    assert.equal(loadConfig({ ...TABLES, AWS_LAMBDA_FUNCTION_NAME: 'x', IS_OFFLINE: 'true' }).issuerBaseUrl, undefined);
    assert.equal(loadConfig(TABLES).issuerBaseUrl, undefined);
  });

  it('is an https URL (http only to localhost), trailing slashes dropped, a path kept', () => {
    assert.equal(issuerBaseUrl({ ISSUER_BASE_URL: 'https://auth.example.com/' }), 'https://auth.example.com');
    assert.equal(issuerBaseUrl({ ISSUER_BASE_URL: 'https://example.com/auth-service//' }), 'https://example.com/auth-service');
    assert.equal(issuerBaseUrl({ ISSUER_BASE_URL: 'http://localhost:3000' }), 'http://localhost:3000');
    assert.throws(() => issuerBaseUrl({ ISSUER_BASE_URL: 'http://auth.example.com' }), /must be https/);
    assert.throws(() => issuerBaseUrl({ ISSUER_BASE_URL: 'auth.example.com' }), /absolute URL/);
    // What serverless offline would make of the deployed default without --param (never a valid host).
    assert.throws(() => issuerBaseUrl({ ISSUER_BASE_URL: 'https://[object Object].execute-api.us-east-1.amazonaws.com' }), /absolute URL/);
    assert.throws(() => issuerBaseUrl({ ISSUER_BASE_URL: 'https://auth.example.com/?x=1' }), /query/);
  });
});

describe('jwks.url (lib/clientAuth/jwksUrl.ts)', () => {
  const deployed = { allowLoopbackHttp: false };
  const local = { allowLoopbackHttp: true };
  it('is https in a deployed stage', () => {
    assert.equal(jwksUrlProblem('https://client.example.com/jwks.json', deployed), undefined);
    for (const url of ['http://client.example.com/jwks', 'http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'ftp://x/jwks', 'file:///etc/passwd']) {
      assert.equal(jwksUrlProblem(url, deployed), 'must be https', url);
    }
    assert.equal(jwksUrlProblem('not a url', deployed), 'is not a URL');
    assert.equal(jwksUrlProblem('https://user:pw@client.example.com/jwks', deployed), 'must not carry credentials');
  });

  it('may be plain http to loopback only in the local stage', () => {
    for (const url of ['http://127.0.0.1:8080/jwks', 'http://localhost:3000/jwks', 'http://[::1]:9/jwks', 'http://127.9.9.9/jwks']) {
      assert.equal(jwksUrlProblem(url, local), undefined, url);
    }
    for (const url of ['http://client.example.com/jwks', 'http://127.0.0.1.example.com/jwks', 'http://10.0.0.1/jwks', 'http://localhost.example.com/jwks']) {
      assert.match(jwksUrlProblem(url, local)!, /must be https/, url);
    }
    assert.equal(isLoopbackUrl('http://127.0.0.1:8000'), true);
    assert.equal(isLoopbackUrl('https://dynamodb.us-east-1.amazonaws.com'), false);
    assert.equal(isLoopbackUrl(undefined), false);
  });
});

describe('realm names (lib/admin/realmName.ts, as Keycloak validates them)', () => {
  it('accepts names Keycloak accepts', () => {
    for (const name of ['demo', 'my-realm', 'Realm_2', 'réalm', 'a'.repeat(255), 'x.y~z']) assert.equal(realmNameProblem(name), undefined, name);
  });

  it("refuses empty, too long, RFC 3986 reserved characters, backslash, spaces and control characters", () => {
    assert.equal(realmNameProblem(''), 'must not be empty');
    assert.match(realmNameProblem('a'.repeat(256))!, /at most 255/);
    for (const char of [':', '/', '?', '#', '@', '!', '$', '&', '(', ')', '*', '+', ',', ';', '=', '[', ']', '\\']) {
      assert.equal(realmNameProblem(`a${char}b`), `must not contain '${char}'`, char);
    }
    for (const name of ['a b', 'a\tb', 'a\u0000b', 'a\u0001b', 'a\u007fb', 'a\u0085b', 'a\u00a0b', 'a\u2028b']) {
      assert.equal(realmNameProblem(name), 'must not contain spaces or control characters', JSON.stringify(name));
    }
  });

  it('never breaks the WWW-Authenticate header, whatever a stored realm is called', () => {
    for (const name of ['demo', 'a\u0001b', 'say "hi"', 'back\\slash', 'réalm', 'a\r\nSet-Cookie: x=1', '\ud800lone']) {
      const header = invalidClient(name, true).headers['WWW-Authenticate']!;
      assert.match(header, /^Basic realm="([\x20-\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"$/, JSON.stringify(name));
    }
    assert.equal(quotedRealm('demo'), '"demo"');
    assert.equal(quotedRealm('a\u0001b'), '"a%01b"');
  });
});
