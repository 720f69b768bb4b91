import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { hashGeneratedSecret } from '../../lib/clientAuth/secretHash.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { assertion, assertionForm } from '../support/assertions.js';
import { apiEvent, basic } from '../support/events.js';
import { freshStack, type TestStack } from '../support/localAws.js';

/**
 * `npm run test:timing`: what a failed client authentication costs and whether its time says
 * anything. Requests of every kind run interleaved through the real handler against DynamoDB Local
 * and the local KMS, in one process, so only ratios of medians taken in the same run are compared,
 * never absolute times. CPU is this process's (process.cpuUsage): the handler and the SDK, not the
 * local DynamoDB or KMS.
 */
const ISSUER = 'http://localhost:3000/realms/demo';
const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';
const TRIES = 160;
const WARM_UP = 10;
let stack: TestStack;
let key: Awaited<ReturnType<typeof generateKeyPair>>;
let otherKey: Awaited<ReturnType<typeof generateKeyPair>>;

type Kind = 'unknown client' | 'generated secret wrong' | 'imported secret wrong' | 'JWT client, bad signature' | 'success (generated secret)' | 'success (imported secret)';
const FAILURES: Kind[] = ['unknown client', 'generated secret wrong', 'imported secret wrong', 'JWT client, bad signature'];
const SUCCESSES: Kind[] = ['success (generated secret)', 'success (imported secret)'];

async function request(kind: Kind): Promise<{ body: string; headers: Record<string, string> }> {
  switch (kind) {
    case 'unknown client':
      return { body: 'grant_type=client_credentials', headers: { authorization: basic('no-such-client', 'guess') } };
    case 'generated secret wrong':
      return { body: 'grant_type=client_credentials', headers: { authorization: basic('generated-client', 'guess') } };
    case 'imported secret wrong':
      return { body: 'grant_type=client_credentials', headers: { authorization: basic('full-scope-client', 'guess') } };
    case 'JWT client, bad signature': {
      const jwt = await assertion({ clientId: 'timing-jwt-client', audience: ISSUER, key: otherKey.privateKey, alg: 'RS256', kid: 'k1' });
      return { body: assertionForm(jwt), headers: {} };
    }
    case 'success (generated secret)':
      return { body: 'grant_type=client_credentials', headers: { authorization: basic('generated-client', 'generated-secret-0123456789abcdef0123456') } };
    case 'success (imported secret)':
      return { body: 'grant_type=client_credentials', headers: { authorization: basic('full-scope-client', 'full-secret') } };
  }
}

/** One request through the handler: its status, wall time and this process's CPU time, in ms. */
async function measure(kind: Kind) {
  const { body, headers } = await request(kind); // signing the assertion is the caller's work: not measured
  const handler = httpHandler((r) => tokenEndpoint(stack.runtime, r, tokenGrants), { noStore: true, log: () => undefined });
  const event = apiEvent({ path: TOKEN_PATH, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const res = await handler(event);
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { status: res.statusCode!, body: res.body!, wall, cpu: (used.user + used.system) / 1000 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

before(async () => {
  stack = await freshStack();
  key = await generateKeyPair('RS256', { extractable: true });
  otherKey = await generateKeyPair('RS256');
  const base = (await stack.table.getClient('demo', 'full-scope-client'))!;
  assert.match(base.secretHash!, /^hmac\$/, 'the demo import hashed the chosen secret under the realm pepper');
  await stack.table.putClient({
    ...base,
    clientId: 'generated-client',
    secretHash: hashGeneratedSecret('generated-secret-0123456789abcdef0123456'),
    serviceAccount: { ...base.serviceAccount!, username: 'service-account-generated-client' },
  });
  await stack.table.putClient({
    ...base,
    clientId: 'timing-jwt-client',
    secretHash: undefined,
    clientAuthenticatorType: 'client-jwt',
    attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256' }] }) },
    serviceAccount: { ...base.serviceAccount!, username: 'service-account-timing-jwt-client' },
  });
});

describe('client authentication failures: time and CPU', () => {
  it(`medians of ${TRIES} interleaved tries: failures within 1.5× of each other, a failure's CPU at most 2× a success's`, async () => {
    const kinds = [...FAILURES, ...SUCCESSES];
    const samples = new Map<Kind, { wall: number[]; cpu: number[] }>(kinds.map((kind) => [kind, { wall: [], cpu: [] }]));
    const bodies = new Map<Kind, Set<string>>(kinds.map((kind) => [kind, new Set()]));
    for (let i = 0; i < WARM_UP + TRIES; i++) {
      // A different order each round, so no kind always follows the same other one.
      const order = i % 2 ? [...kinds].reverse() : kinds;
      for (const kind of order) {
        const result = await measure(kind);
        assert.equal(result.status, SUCCESSES.includes(kind) ? 200 : 401, `${kind}: ${result.body}`);
        if (FAILURES.includes(kind)) bodies.get(kind)!.add(result.body);
        if (i < WARM_UP) continue;
        samples.get(kind)!.wall.push(result.wall);
        samples.get(kind)!.cpu.push(result.cpu);
      }
    }
    const medians = new Map(kinds.map((kind) => [kind, { wall: median(samples.get(kind)!.wall), cpu: median(samples.get(kind)!.cpu) }]));
    for (const [kind, m] of medians) console.log(`# ${kind.padEnd(28)} median wall ${m.wall.toFixed(2)} ms, median CPU ${m.cpu.toFixed(2)} ms`);

    const failureWalls = FAILURES.map((kind) => medians.get(kind)!.wall);
    const spread = Math.max(...failureWalls) / Math.min(...failureWalls);
    const worstFailureCpu = Math.max(...FAILURES.map((kind) => medians.get(kind)!.cpu));
    const bestSuccessCpu = Math.min(...SUCCESSES.map((kind) => medians.get(kind)!.cpu));
    console.log(`# failure medians spread ${spread.toFixed(2)}×; worst failure CPU / cheapest success CPU ${(worstFailureCpu / bestSuccessCpu).toFixed(2)}×`);

    // Every failure answers the one body an unknown client gets (the Basic challenge header aside).
    const allBodies = new Set(FAILURES.flatMap((kind) => [...bodies.get(kind)!]));
    assert.equal(allBodies.size, 1, [...allBodies].join(' | '));
    assert.ok(spread <= 1.5, `failure medians spread ${spread.toFixed(2)}×`);
    assert.ok(worstFailureCpu <= 2 * bestSuccessCpu, `failure CPU ${worstFailureCpu.toFixed(2)} ms vs success ${bestSuccessCpu.toFixed(2)} ms`);
  });
});
