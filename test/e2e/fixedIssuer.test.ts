import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { decodeJwt } from 'jose';

/**
 * The local stack, like a deployed stage, fixes its issuer (ISSUER_BASE_URL, default its own
 * http://localhost:PORT): a request naming another Host gets the same issuer, in tokens and in
 * discovery (issue 12 item 6).
 */
const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const port = Number(new URL(base).port);

/** A request to the stack with a Host header of our choosing (fetch does not allow setting Host). */
function send(path: string, host: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host, ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('fixed issuer through serverless offline', () => {
  it('answers discovery and tokens with the configured issuer whatever the Host header says', async () => {
    for (const host of [`127.0.0.1:${port}`, 'attacker.example']) {
      const discovery = await send('/realms/demo/.well-known/openid-configuration', host);
      assert.equal(discovery.status, 200);
      assert.equal(discovery.body.issuer, `${base}/realms/demo`, host);
      assert.equal(discovery.body.token_endpoint, `${base}/realms/demo/protocol/openid-connect/token`, host);
      const token = await send('/realms/demo/protocol/openid-connect/token', host, 'POST', 'grant_type=client_credentials', {
        authorization: 'Basic cHJvZHVjdC1zYS1jbGllbnQ6cGFzc3dvcmQ=',
        'content-type': 'application/x-www-form-urlencoded',
      });
      assert.equal(token.status, 200, JSON.stringify(token.body));
      assert.equal(decodeJwt(token.body.access_token).iss, `${base}/realms/demo`, host);
    }
  });
});
