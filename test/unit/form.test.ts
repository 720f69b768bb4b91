import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm, parseUrlEncoded } from '../../lib/http/form.js';
import { OAuthError } from '../../lib/http/errors.js';
import { fromApiGatewayEvent } from '../../lib/http/request.js';
import { apiEvent } from '../support/events.js';

const oauthError = (error: string, status = 400) => (err: unknown) =>
  err instanceof OAuthError && err.error === error && err.status === status;

describe('form parsing (RFC 6749 §3.2)', () => {
  it('decodes + as space and percent-escapes', () => {
    const form = parseUrlEncoded('grant_type=client_credentials&client_secret=a%2Bb+c%26d&scope=openid+phone');
    assert.equal(form.get('client_secret'), 'a+b c&d');
    assert.equal(form.get('scope'), 'openid phone');
  });

  it('refuses a parameter given twice, in Keycloak words', () => {
    assert.throws(() => parseUrlEncoded('grant_type=a&grant_type=b'), (err) => oauthError('invalid_request')(err) && (err as OAuthError).description === 'duplicated parameter');
  });

  it('refuses bad percent-encoding and invalid UTF-8', () => {
    assert.throws(() => parseUrlEncoded('grant_type=%zz'), oauthError('invalid_request'));
    assert.throws(() => parseUrlEncoded('grant_type=%C3%28'), oauthError('invalid_request'));
  });

  it('refuses absurdly long values', () => {
    assert.throws(() => parseUrlEncoded(`scope=${'a'.repeat(20_000)}`), oauthError('invalid_request'));
  });

  it('requires the form content type, with or without charset', () => {
    const request = (contentType: string) => fromApiGatewayEvent(apiEvent({ path: '/x', headers: { 'content-type': contentType }, body: 'a=b' }));
    assert.equal(parseForm(request('application/x-www-form-urlencoded; charset=UTF-8')).get('a'), 'b');
    assert.throws(() => parseForm(request('application/json')), oauthError('invalid_request'));
  });

  it('undoes API Gateway base64 bodies and refuses bodies over 64 KiB', () => {
    const event = apiEvent({ path: '/x', body: Buffer.from('a=b').toString('base64'), isBase64Encoded: true });
    assert.equal(fromApiGatewayEvent(event).body, 'a=b');
    assert.throws(() => fromApiGatewayEvent(apiEvent({ path: '/x', body: 'a='.padEnd(70_000, 'x') })), oauthError('invalid_request', 413));
  });

  it('keeps the legacy /auth prefix and the origin for the issuer', () => {
    const request = fromApiGatewayEvent(apiEvent({ path: '/auth/realms/demo/protocol/openid-connect/token' }));
    assert.equal(request.legacyAuthPrefix, true);
    assert.equal(request.origin, 'http://localhost:3000');
  });
});
