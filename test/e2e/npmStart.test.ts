/**
 * The product as a user starts it: `npm start` as a child process (its own ports and data
 * directory), then `sa-admin --local` as a separate process, then plain HTTP. Every admin change
 * must show on the very next token request (README: "changes show on the next request"), which
 * only holds if the functions under serverless offline really run with 0-second caches.
 *
 * This starts `npm start` itself rather than reusing npm test's stack: that stack is the same
 * startLocalStack, but under stage `test`, and `sa-admin --local` targets stage `local`, which
 * only `npm start` makes. The test's own ports come from the OS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ROOT } from '../support/adminCli.js';

const STARTUP_MS = 240_000;

let child: ChildProcess;
let dataDir: string;
let base: string;
let output = '';
const ports: Record<'PORT' | 'DYNAMODB_PORT' | 'KMS_PORT' | 'LAMBDA_PORT', string> = { PORT: '', DYNAMODB_PORT: '', KMS_PORT: '', LAMBDA_PORT: '' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The environment without what points at npm test's own stack, plus this test's ports. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('AWS_') || name.startsWith('SA_ADMIN_') || name.startsWith('TEST_') || name.endsWith('_TABLE') || name.includes('CACHE_TTL')) continue;
    env[name] = value;
  }
  return { ...env, ...ports, LOCAL_DATA_DIR: dataDir };
}

function saAdmin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const cli = spawn(process.execPath, ['bin/sa-admin.js', '--local', ...args], { cwd: ROOT, env: userEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    cli.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function admin(...args: string[]): Promise<string> {
  const run = await saAdmin(...args);
  assert.equal(run.code, 0, `sa-admin ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

async function tokenRequest(clientId: string, secret: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${base}/realms/demo/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/**
 * What a script waiting for the stack does: poll a discovery document (the demo realm's, the one
 * the README shows), and the moment it answers, ask for the bootstrap admin's token in master.
 * Counts the discovery polls; resolves with the status of that first token request.
 */
async function firstAdminTokenAfterDiscovery(): Promise<{ status: number; polls: number }> {
  let polls = 0;
  for (;;) {
    polls++;
    const ready = await fetch(`${base}/realms/demo/.well-known/openid-configuration`).then((res) => res.status === 200).catch(() => false);
    if (ready) {
      const res = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'temp-admin', client_secret: 'temp-admin-secret' }),
      });
      return { status: res.status, polls };
    }
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
let firstAdminToken: Promise<{ status: number; polls: number }>;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sa-npm-start-'));
  for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = String(await freePort());
  base = `http://localhost:${ports.PORT}`;
  // Its own process group, so stopping it reaches npm, tsx and what they started.
  child = spawn('npm', ['start'], { cwd: ROOT, env: userEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  firstAdminToken = firstAdminTokenAfterDiscovery();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${output}`)), STARTUP_MS);
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      if (output.includes('Token service ready on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}):\n${output}`));
    });
  });
}, { timeout: STARTUP_MS + 10_000 });

after(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // npm start stops DynamoDB Local and serverless offline on SIGINT (infra/local/start.ts).
    process.kill(-child.pid, 'SIGINT');
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm start: ready means ready, and complete', () => {
  it("the first admin token request, made the moment discovery answers, succeeds (temp-admin exists before anything is served)", async () => {
    const first = await firstAdminToken;
    assert.equal(first.status, 200, `after ${first.polls} discovery polls`);
  });

  it('seeds the demo realm with its realm-management client, so a demo-realm admin can exist', async () => {
    const kc = new KcAdminClient({ baseUrl: base, realmName: 'master' });
    await kc.auth({ grantType: 'client_credentials', clientId: 'temp-admin', clientSecret: 'temp-admin-secret' });
    kc.setConfig({ realmName: 'demo' });
    const [management] = await kc.clients.find({ clientId: 'realm-management' });
    assert.ok(management, 'realm-management exists in demo');
    assert.ok((await kc.clients.listRoles({ id: management.id! })).some((role) => role.name === 'realm-admin'));
  });

  it("prints where the functions' log is, and the audit trail is in it as JSON lines", async () => {
    const logFile = join(dataDir, 'logs', 'functions.log');
    assert.ok(output.includes(logFile), 'the banner names the log file');
    assert.equal((await tokenRequest('product-sa-client', 'password')).status, 200);
    const lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
    assert.ok(lines.every((line) => typeof JSON.parse(line) === 'object'), 'every line is JSON');
    assert.ok(lines.some((line) => line.includes('"event":"CLIENT_LOGIN"')), 'audit events are there');
    assert.ok(!lines.some((line) => line.includes('temp-admin-secret') || line.includes('"password"')), 'no secret');
  });
});

describe('npm start, then sa-admin --local: the very next request shows the change', () => {
  it('disabling and enabling a client', async () => {
    assert.equal((await tokenRequest('full-scope-client', 'full-secret')).status, 200);
    await admin('client', 'disable', 'demo', 'full-scope-client');
    assert.deepEqual(await tokenRequest('full-scope-client', 'full-secret'), {
      status: 401,
      body: { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' },
    });
    await admin('client', 'enable', 'demo', 'full-scope-client');
    assert.equal((await tokenRequest('full-scope-client', 'full-secret')).status, 200);
  });

  it('granting a composite role (the client record and the realm data both change)', async () => {
    const realmRoles = (body: Record<string, any>) => (decodeJwt(body.access_token).realm_access as { roles: string[] }).roles;
    const before = await tokenRequest('full-scope-client', 'full-secret');
    assert.ok(!realmRoles(before.body).includes('user'));
    await admin('role', 'create', 'demo', 'reporting', '--composite-of', 'user');
    await admin('sa', 'grant', 'demo', 'full-scope-client', 'reporting');
    const after = await tokenRequest('full-scope-client', 'full-secret');
    const roles = realmRoles(after.body);
    assert.ok(roles.includes('reporting') && roles.includes('user'), roles.join(' '));
  });

  it('rotating a secret', async () => {
    assert.equal((await tokenRequest('special-client', 's3cr3t:with/reserved+chars & space')).status, 200);
    const rotated = await admin('--json', 'client', 'rotate-secret', 'demo', 'special-client');
    const secret = (JSON.parse(rotated) as { secret: string }).secret;
    assert.equal((await tokenRequest('special-client', secret)).status, 200);
    assert.equal((await tokenRequest('special-client', 's3cr3t:with/reserved+chars & space')).status, 401);
  });

  it('the demo realm signs with envelope keys as seeded; `keys rotate demo --mode kms` gives it KMS keys, used from the next request', async () => {
    const active = async () => (JSON.parse(await admin('--json', 'keys', 'list', 'demo')) as { kid: string; alg: string; provider: string; status: string }[]).filter((key) => key.status === 'active');
    assert.deepEqual((await active()).map((key) => key.provider), ['envelope', 'envelope']);
    await admin('keys', 'rotate', 'demo', '--alg', 'RS256', '--mode', 'kms');
    const rs256 = (await active()).find((key) => key.alg === 'RS256')!;
    assert.equal(rs256.provider, 'kms');
    const next = await tokenRequest('product-sa-client', 'password');
    assert.equal(next.status, 200);
    assert.equal(decodeProtectedHeader(next.body.access_token).kid, rs256.kid);
  });

  it("@keycloak/keycloak-admin-client's client-credentials auth() works, and its refresh token is a JWT", async () => {
    const kc = new KcAdminClient({ baseUrl: base, realmName: 'demo' });
    await kc.auth({ grantType: 'client_credentials', clientId: 'product-sa-client', clientSecret: 'password' });
    assert.equal(decodeJwt(kc.accessToken!).azp, 'product-sa-client');
    assert.equal(decodeProtectedHeader(kc.refreshToken!).alg, 'HS512');
    assert.equal(decodeJwt(kc.refreshToken!).typ, 'Refresh');
  });
});
