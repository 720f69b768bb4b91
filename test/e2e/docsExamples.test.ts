import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PROJECT_ROOT } from '../../infra/local/stack.js';

/**
 * The examples block of docs/endpoints.md, run as a reader pastes it (bash, top to bottom), against
 * the stack npm test started: only the address changes. Each step's visible result is checked.
 */
const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';

describe('docs/endpoints.md examples', () => {
  it('run top to bottom as pasted and show what the comments say', async () => {
    const doc = await readFile(join(PROJECT_ROOT, 'docs/endpoints.md'), 'utf8');
    const block = /## Examples[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block, 'the examples block');
    assert.ok(block.includes('http://localhost:3000'));
    const script = block.replaceAll('http://localhost:3000', base);
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: PROJECT_ROOT, maxBuffer: 10 * 1024 * 1024 });
    const tokens = stdout.match(/"access_token":"eyJ/g) ?? [];
    assert.equal(tokens.length, 3, 'two client_credentials tokens and the private_key_jwt one');
    assert.match(stdout, /"id_token":"eyJ/, 'scope=openid gives an ID token');
    assert.match(stdout, /"active":true/, 'the kept access token introspects as active');
    assert.match(stdout, /HTTP\/1\.1 200 OK\r\n/, 'revoke');
    assert.match(stdout, /\{"active":false\}/, 'the revoked access token');
    assert.match(stdout, /HTTP\/1\.1 204 No Content\r\n/, 'logout');
    assert.match(stdout, /\{"error":"invalid_grant","error_description":"Session not active"\}/, 'the refresh token after logout');
    assert.match(stdout, /\{"keys":\[\{"kid"/, 'certs');
    assert.match(stdout, /"issuer":"http:\/\/localhost:\d+\/realms\/demo"/, 'discovery');
    assert.doesNotMatch(stdout, /"error":"(?!invalid_grant)/, 'no other error on the way');
  });
});
