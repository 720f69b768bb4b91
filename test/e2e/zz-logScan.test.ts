import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

/**
 * Runs last (files run in name order, one at a time): every log line serverless offline printed
 * during the end-to-end run, the handlers' own logs included, must be free of secrets, client
 * assertions, access tokens and refresh tokens. The other e2e files used all of them.
 */
const SECRETS = [
  'full-secret',
  's3cr3t:with/reserved+chars & space',
  's3cr3t%3Awith',
  'no-sa-secret',
  'disabled-secret',
  'hmac-secret-0123456789abcdef',
  'e2e-hmac-secret',
  'cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ', // the seed request's Basic credentials
];
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;
const REFRESH_TOKEN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}/;

describe('log scan of the whole end-to-end run', () => {
  it('finds the audit trail, and no secret, assertion or token in any line', async () => {
    const file = process.env.TEST_OFFLINE_LOG;
    assert.ok(file, 'npm test provides TEST_OFFLINE_LOG');
    const lines = (await readFile(file, 'utf8')).split('\n');
    assert.ok(lines.some((line) => line.includes('"event":"CLIENT_LOGIN"')), 'the handlers logged audit events');
    assert.ok(lines.some((line) => line.includes('"event":"REFRESH_TOKEN"')));
    for (const [index, line] of lines.entries()) {
      for (const secret of SECRETS) assert.ok(!line.includes(secret), `line ${index + 1} contains a secret`);
      assert.ok(!JWT.test(line), `line ${index + 1} contains a JWT`);
      assert.ok(!REFRESH_TOKEN.test(line), `line ${index + 1} contains a refresh token`);
      assert.ok(!/client_secret=|client_assertion=|refresh_token=/.test(line), `line ${index + 1} contains a form with credentials`);
    }
  });
});
