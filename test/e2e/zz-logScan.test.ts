import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { functionLogFiles } from '../../infra/local/functionLog.js';
import { demoClients } from '../../scripts/fuzz/requests.js';
import { copiesIn } from '../support/secretScan.js';

/**
 * Runs last (files run in name order, one at a time): every log line serverless offline printed
 * during the end-to-end run, the handlers' own logs included, must be free of secrets (as they are
 * or encoded: percent, base64 at any alignment, hex, HTTP Basic), client assertions, access tokens
 * and refresh tokens. The other e2e files sent all of them, `password` most of all.
 */
const SECRETS = [
  ...demoClients().flatMap(({ clientId, secret }) => (secret ? [{ name: `${clientId}'s secret`, secret, clientId }] : [])),
  { name: 'the e2e HMAC secret', secret: 'e2e-hmac-secret-0123456789abcdef0123456789', clientId: undefined },
];
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;
const REFRESH_TOKEN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}/;
/**
 * `password` is also the name of an OAuth grant type the fuzz run asks for: an audit line may
 * record that grant type, which is no secret.
 */
const publicUses = (line: string) => line.replace(/"grant_type":"password"|grant_type=password/g, '');

describe('log scan of the whole end-to-end run', () => {
  it('finds the audit trail, and no secret, assertion or token in any line', async () => {
    const file = process.env.TEST_OFFLINE_LOG;
    assert.ok(file, 'npm test provides TEST_OFFLINE_LOG');
    assert.ok(SECRETS.some(({ secret }) => secret === 'password'), "product-sa-client's secret is scanned for");
    // The log rotates (infra/local/functionLog.ts): every file of it.
    const lines = (await Promise.all(functionLogFiles(file).map((path) => readFile(path, 'utf8')))).join('\n').split('\n');
    assert.ok(lines.some((line) => line.includes('"event":"CLIENT_LOGIN"')), 'the handlers logged audit events');
    assert.ok(lines.some((line) => line.includes('"event":"REFRESH_TOKEN"')));
    for (const [index, line] of lines.entries()) {
      assert.deepEqual(copiesIn(publicUses(line), SECRETS), [], `line ${index + 1} contains a secret`);
      assert.ok(!JWT.test(line), `line ${index + 1} contains a JWT`);
      assert.ok(!REFRESH_TOKEN.test(line), `line ${index + 1} contains a refresh token`);
      assert.ok(!/client_secret=|client_assertion=|refresh_token=/.test(line), `line ${index + 1} contains a form with credentials`);
    }
  });
});
