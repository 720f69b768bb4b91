/**
 * A client's sessions and a realm's keys through the Admin REST API, end to end through serverless
 * offline, with Keycloak's own admin client as the caller: `clients.listSessions`,
 * `clients.getSessionCount`, `realms.deleteSession` (the session's refresh token then fails) and
 * `realms.getKeys` (the active kid is the JWKS's), then our rotation.
 */
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt } from 'jose';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { stageNames } from '../../lib/deployment/stageNames.js';

const base = process.env.TEST_BASE_URL ?? 'http://localhost:3000';
const suffix = randomUUID().slice(0, 8);
const admin = { clientId: `sessions-admin-${suffix}`, secret: randomUUID() };
const realm = `sessions-${suffix}`;
const worker = { clientId: 'refreshing-worker', secret: `worker-${suffix}` };
const viewer = { clientId: 'clients-viewer', secret: `viewer-${suffix}` };

async function form(path: string, params: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const grant = (client: { clientId: string; secret: string }) =>
  form(`/realms/${realm}/protocol/openid-connect/token`, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret });
const refresh = (refreshToken: string) =>
  form(`/realms/${realm}/protocol/openid-connect/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: worker.clientId, client_secret: worker.secret });

async function raw(method: string, path: string, token: string) {
  const res = await fetch(`${base}/admin/realms/${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as any) };
}

let kc: KcAdminClient;
let workerUuid: string;
let workerUserId: string;

before(async () => {
  await bootstrapAdminService(createAdminContext({ names: stageNames('test') }), admin.clientId, admin.secret);
  kc = new KcAdminClient({ baseUrl: base, realmName: 'master' });
  await kc.auth({ grantType: 'client_credentials', clientId: admin.clientId, clientSecret: admin.secret });
  await kc.realms.create({ realm, enabled: true });
  kc.setConfig({ realmName: realm });
  ({ id: workerUuid } = await kc.clients.create({
    clientId: worker.clientId,
    secret: worker.secret,
    publicClient: false,
    serviceAccountsEnabled: true,
    standardFlowEnabled: false,
    attributes: { 'client_credentials.use_refresh_token': 'true' },
  }));
  workerUserId = (await kc.clients.getServiceAccountUser({ id: workerUuid })).id!;
  const { id: viewerUuid } = await kc.clients.create({ clientId: viewer.clientId, secret: viewer.secret, publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false });
  const management = (await kc.clients.find({ clientId: 'realm-management' }))[0]!;
  const viewClients = await kc.clients.findRole({ id: management.id!, roleName: 'view-clients' });
  const viewerUser = await kc.clients.getServiceAccountUser({ id: viewerUuid });
  await kc.users.addClientRoleMappings({ id: viewerUser.id!, clientUniqueId: management.id!, roles: [{ id: viewClients!.id!, name: 'view-clients' }] });
});

describe("a client's sessions through the admin client", () => {
  let first: { refresh_token: string; access_token: string; session_state?: string };

  it('lists the session a client_credentials grant with refresh tokens started, in Keycloak\'s UserSessionRepresentation', async () => {
    assert.deepEqual(await kc.clients.listSessions({ id: workerUuid }), []);
    assert.deepEqual(await kc.clients.getSessionCount({ id: workerUuid }), { count: 0 });
    const before = Date.now();
    const granted = await grant(worker);
    assert.equal(granted.status, 200);
    first = granted.body as typeof first;
    assert.ok(first.refresh_token);
    const sid = decodeJwt(first.access_token).sid;
    const sessions = await kc.clients.listSessions({ id: workerUuid });
    assert.equal(sessions.length, 1);
    const [session] = sessions;
    assert.equal(session!.id, sid);
    assert.equal(session!.username, `service-account-${worker.clientId}`);
    assert.equal(session!.userId, workerUserId);
    assert.deepEqual(session!.clients, { [workerUuid]: worker.clientId });
    assert.equal((session as { rememberMe?: boolean }).rememberMe, false);
    assert.equal(session!.transientUser, false);
    assert.equal(typeof session!.ipAddress, 'string');
    // Milliseconds, as Keycloak answers them; the store keeps seconds.
    assert.ok(session!.start! >= Math.floor(before / 1000) * 1000 && session!.start! <= Date.now(), String(session!.start));
    assert.equal(session!.lastAccess, session!.start);
  });

  it('counts and pages them with first and max', async () => {
    const second = await grant(worker);
    assert.equal(second.status, 200);
    assert.deepEqual(await kc.clients.getSessionCount({ id: workerUuid }), { count: 2 });
    const all = await kc.clients.listSessions({ id: workerUuid });
    assert.equal(all.length, 2);
    assert.deepEqual((await kc.clients.listSessions({ id: workerUuid, first: 1, max: 1 })).map((s) => s.id), [all[1]!.id]);
    assert.deepEqual(await kc.clients.listOfflineSessions({ id: workerUuid }), []);
    assert.deepEqual(await kc.clients.getOfflineSessionCount({ id: workerUuid }), { count: 0 });
  });

  it('signs one session out: its refresh token then fails with invalid_grant, the other still works', async () => {
    const sid = decodeJwt(first.access_token).sid as string;
    assert.equal((await refresh(first.refresh_token)).status, 200, 'works before');
    await kc.realms.deleteSession({ realm, session: sid, isOffline: false });
    const refused = await refresh(first.refresh_token);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.deepEqual(await kc.clients.getSessionCount({ id: workerUuid }), { count: 1 });
    assert.ok(!(await kc.clients.listSessions({ id: workerUuid })).some((s) => s.id === sid));
  });

  it("answers Keycloak's 404 for a session it does not hold, and 403 without manage-users", async () => {
    const token = kc.accessToken!;
    const gone = await raw('DELETE', `${realm}/sessions/${decodeJwt(first.access_token).sid as string}`, token);
    assert.deepEqual(gone, { status: 404, body: { error: 'Sesssion not found' } });
    for (const id of ['no-such-session', '__proto__', 'a%2Fb', encodeURIComponent('SESSION#x'), 'a'.repeat(3000), randomUUID()]) {
      assert.equal((await raw('DELETE', `${realm}/sessions/${id}`, token)).status, 404, id.slice(0, 40));
    }
    const live = (await kc.clients.listSessions({ id: workerUuid }))[0]!;
    // Another realm's session is not this realm's to end.
    assert.equal((await raw('DELETE', `master/sessions/${live.id}`, token)).status, 404);
    assert.equal((await raw('DELETE', `${realm}/sessions/${live.id}?isOffline=true`, token)).status, 404);
    assert.equal((await raw('GET', `${realm}/clients/${randomUUID()}/user-sessions`, token)).status, 404);

    const viewerToken = (await grant(viewer)).body.access_token as string;
    const listed = await raw('GET', `${realm}/clients/${workerUuid}/user-sessions?first=x&max=-1`, viewerToken);
    assert.equal(listed.status, 200, 'view-clients lists, unreadable paging is ignored');
    assert.deepEqual(listed.body.map((s: { id: string }) => s.id), [live.id]);
    assert.equal((await raw('DELETE', `${realm}/sessions/${live.id}`, viewerToken)).status, 403);
    assert.equal((await raw('DELETE', `${realm}/sessions/no-such-session`, viewerToken)).status, 403, 'the right is checked before the lookup');
    assert.deepEqual(await kc.clients.getSessionCount({ id: workerUuid }), { count: 1 });
  });
});

describe("a realm's keys through the admin client", () => {
  const jwks = async () => ((await (await fetch(`${base}/realms/${realm}/protocol/openid-connect/certs`)).json()) as { keys: { kid: string; alg: string }[] }).keys;

  it("lists the keys in Keycloak's KeysMetadataRepresentation: the active RS256 kid is the JWKS's, and the token's", async () => {
    const metadata = await kc.realms.getKeys({ realm });
    const published = await jwks();
    const rsa = metadata.keys!.find((key) => key.algorithm === 'RS256' && key.status === 'ACTIVE')!;
    assert.equal(metadata.active!.RS256, rsa.kid);
    assert.ok(published.some((key) => key.kid === rsa.kid && key.alg === 'RS256'));
    assert.equal(rsa.type, 'RSA');
    assert.equal((rsa as { use?: string }).use, 'SIG');
    assert.equal(rsa.providerId, 'envelope');
    assert.match(rsa.publicKey!, /^MII[A-Za-z0-9+/]+=*$/, 'base64 DER SubjectPublicKeyInfo, no PEM armour');
    const ec = metadata.keys!.find((key) => key.algorithm === 'ES256')!;
    assert.equal(ec.type, 'EC');
    assert.equal(metadata.active!.ES256, ec.kid);
    // The refresh-token key: listed like Keycloak's hmac-generated-hs512, its secret never.
    const hmac = metadata.keys!.find((key) => key.algorithm === 'HS512')!;
    assert.deepEqual({ type: hmac.type, status: hmac.status, publicKey: hmac.publicKey }, { type: 'OCT', status: 'ACTIVE', publicKey: undefined });
    const header = JSON.parse(Buffer.from(((await grant(worker)).body.access_token as string).split('.')[0]!, 'base64url').toString()) as { kid: string };
    assert.equal(header.kid, rsa.kid);
  });

  it('rotates: a new active key, the previous one passive and still published; tokens are signed by the new one', async () => {
    const before = await kc.realms.getKeys({ realm });
    const token = kc.accessToken!;
    const rotated = await raw('POST', `${realm}/keys/rotate?algorithm=RS256`, token);
    assert.equal(rotated.status, 200);
    const after = await kc.realms.getKeys({ realm });
    assert.deepEqual(rotated.body, after);
    assert.notEqual(after.active!.RS256, before.active!.RS256);
    assert.equal(after.active!.ES256, before.active!.ES256, 'only the algorithm asked for');
    assert.equal(after.keys!.find((key) => key.kid === before.active!.RS256)!.status, 'PASSIVE');
    const published = (await jwks()).map((key) => key.kid);
    assert.ok(published.includes(after.active!.RS256!) && published.includes(before.active!.RS256!));
    assert.equal((await raw('POST', `${realm}/keys/rotate?algorithm=HS256`, token)).status, 400);
    // Seeded realms sign with KMS keys, which the Admin API may not create.
    const master = await raw('POST', 'master/keys/rotate', token);
    assert.equal(master.status, 400);
    assert.match(master.body.errorMessage, /sa-admin keys rotate/);
    const viewerToken = (await grant(viewer)).body.access_token as string;
    assert.equal((await raw('GET', `${realm}/keys`, viewerToken)).status, 403, 'view-realm is needed to read keys');
    assert.equal((await raw('POST', `${realm}/keys/rotate`, viewerToken)).status, 403);
  });
});
