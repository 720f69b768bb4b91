import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cognitoPerMillion, costPerMillion, crossoverTokensPerSecond, sustainedCostPerMillion, vcpuShare, type OperationUsage } from '../../scripts/bench/cost.js';
import { frontDoorCosts } from '../../scripts/bench/frontDoorCost.js';
import { chooseMemory, memoryModel, percentile } from '../../scripts/bench/memory.js';
import { PRICES } from '../../scripts/bench/prices.js';
import { checkTargets } from '../../scripts/bench/targets.js';

const grant: OperationUsage = { durationMs: 3.1, memoryMb: 512, readRequestUnits: 0.5, writeRequestUnits: 0, kmsSymmetricRequests: 0, kmsRsa2048Signs: 0, kmsEccSigns: 0 };
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('bench cost per million operations (scripts/bench/cost.ts)', () => {
  it('adds API Gateway, Lambda requests, Lambda GB-seconds billed by the started millisecond, and DynamoDB', () => {
    const cost = costPerMillion(grant);
    close(cost.apiGateway, 1);
    close(cost.lambdaRequests, 0.2);
    // 3.1 ms is billed as 4 ms: 0.5 GB × 0.004 s × $0.0000133334 × 10^6.
    close(cost.lambdaDuration, 0.5 * 0.004 * 0.0000133334 * 1e6);
    // Half a read request unit at $0.125 per million.
    close(cost.dynamoDb, 0.0625);
    close(cost.kms, 0);
    close(cost.total, 1 + 0.2 + 0.0266668 + 0.0625);
  });

  it('prices a KMS RSA_2048 sign at $3 and an ECC sign at $15 per million, a write unit at $0.625', () => {
    close(costPerMillion({ ...grant, kmsRsa2048Signs: 1 }).kms, 3);
    close(costPerMillion({ ...grant, kmsEccSigns: 1 }).kms, 15);
    close(costPerMillion({ ...grant, writeRequestUnits: 1 }).dynamoDb, 0.0625 + 0.625);
    close(costPerMillion({ ...grant, kmsSymmetricRequests: 1 }).kms, 3);
  });

  it('puts Cognito at $2,250 per million tokens', () => {
    close(cognitoPerMillion(), 2250);
  });
});

const envelopeGrant: OperationUsage = { durationMs: 0.8, memoryMb: 512, readRequestUnits: 0, writeRequestUnits: 0, kmsSymmetricRequests: 0, kmsRsa2048Signs: 0, kmsEccSigns: 0 };
const traffic = { bytesPerRequest: 1800, requestsPerConnection: 1, rulesEvaluated: 7 };
const lambda = 0.2 + 0.5 * 0.001 * 0.0000133334 * 1e6;

describe('front door cost at a steady rate (scripts/bench/cost.ts)', () => {
  it('every price has a source page and a date', () => {
    for (const [name, price] of Object.entries(PRICES)) {
      assert.match(price.source.url, /^https:\/\/aws\.amazon\.com\//, name);
      assert.match(price.asOf, /^\d{4}/, name);
    }
  });

  it('HTTP API: $1.00 per million up to 300 million requests a month, $0.90 beyond', () => {
    close(sustainedCostPerMillion(envelopeGrant, 'httpApi', { ...traffic, tokensPerSecond: 100 }).frontDoorPerMillion, 1);
    // 1,000/s for 730 h = 2,628 million requests: 300 at $1.00, 2,328 at $0.90.
    close(sustainedCostPerMillion(envelopeGrant, 'httpApi', { ...traffic, tokensPerSecond: 1000 }).frontDoorPerMillion, (300 * 1 + 2328 * 0.9) / 2628);
    close(sustainedCostPerMillion(envelopeGrant, 'httpApi', { ...traffic, tokensPerSecond: 1000 }).lambdaPerMillion, lambda);
  });

  it('ALB: hours and two public IPv4 addresses spread over the tokens, plus LCUs of the binding dimension', () => {
    // 1 token/s, a new connection each: 0.04 LCU (new connections, 25/s per LCU).
    const slow = sustainedCostPerMillion(envelopeGrant, 'alb', { ...traffic, tokensPerSecond: 1 });
    assert.deepEqual(slow.lcu, { units: 0.04, dimension: 'new connections' });
    close(slow.frontDoorPerMillion, ((0.0225 + 2 * 0.005 + 0.04 * 0.008) / 3600) * 1e6);
    // 1,000/s over 10 requests per connection: bytes bind, 1,000 × 3,600 × 1,800 B = 6.48 GB an hour at 0.4 GB per LCU.
    const reused = sustainedCostPerMillion(envelopeGrant, 'alb', { ...traffic, requestsPerConnection: 10, tokensPerSecond: 1000 });
    assert.equal(reused.lcu!.dimension, 'processed bytes');
    close(reused.lcu!.units, 16.2);
    // Rules beyond the ten free ones are counted.
    const manyRules = sustainedCostPerMillion(envelopeGrant, 'alb', { ...traffic, requestsPerConnection: 1000, bytesPerRequest: 1, rulesEvaluated: 60, tokensPerSecond: 1000 });
    assert.deepEqual(manyRules.lcu, { units: 50, dimension: 'rule evaluations' });
    close(reused.total, reused.frontDoorPerMillion + lambda);
  });

  it('states the crossover: below it the HTTP API is cheaper, above it the ALB', () => {
    const crossover = crossoverTokensPerSecond(envelopeGrant, traffic)!;
    assert.ok(crossover > 5 && crossover < 20, String(crossover));
    const at = (r: number, door: 'alb' | 'httpApi') => sustainedCostPerMillion(envelopeGrant, door, { ...traffic, tokensPerSecond: r }).total;
    assert.ok(at(crossover * 0.9, 'alb') > at(crossover * 0.9, 'httpApi'));
    assert.ok(at(crossover * 1.1, 'alb') < at(crossover * 1.1, 'httpApi'));
  });

  it('tabulates 1 to 10,000 tokens per second for both front doors from the measured envelope grant', () => {
    const grant = { operation: 'grant' as const, mode: 'envelope' as const, alg: 'RS256' as const, issuesToken: true, calls: {}, usage: envelopeGrant, costPerMillion: costPerMillion(envelopeGrant), wireBytes: 1800 };
    const report = frontDoorCosts([grant], 7)!;
    assert.deepEqual(report.rows.map((row) => `${row.tokensPerSecond} ${row.frontDoor}`), ['1 httpApi', '1 alb', '10 httpApi', '10 alb', '100 httpApi', '100 alb', '1000 httpApi', '1000 alb', '10000 httpApi', '10000 alb']);
    assert.deepEqual(report.albAtTargetByRequestsPerConnection.map((row) => row.requestsPerConnection), [1, 2, 10]);
    assert.ok(report.albAtTargetByRequestsPerConnection[0]!.total > report.albAtTargetByRequestsPerConnection[1]!.total);
  });
});

describe('memory model (scripts/bench/memory.ts)', () => {
  it('gives 1,769 MB one vCPU and less in proportion, never more than one', () => {
    close(vcpuShare(1769), 1);
    close(vcpuShare(512), 512 / 1769);
    close(vcpuShare(3538), 1);
  });

  it('scales CPU per grant by the share, bills each grant by the started millisecond, and picks the cheapest size within the p99 budget', () => {
    // 98 grants of 400 µs and two of 2,000 µs at a full core: p99 is 2 ms there.
    const samples = [...Array(98).fill(400), 2000, 2000];
    assert.equal(percentile([...samples].sort((a, b) => a - b), 99), 2000);
    const rows = memoryModel(samples);
    const at = (mb: number) => rows.find((row) => row.memoryMb === mb)!;
    close(at(1769).p50Ms, 0.4);
    close(at(1769).p99Ms, 2);
    close(at(256).p99Ms, 2 / (256 / 1769));
    assert.equal(at(256).withinBudget, false); // 13.8 ms
    assert.equal(at(512).withinBudget, true); // 6.9 ms
    // At 512 MB a 400 µs grant takes 1.38 ms: billed 2 ms; the two slow ones 7 ms.
    close(at(512).billedMs, (98 * 2 + 2 * 7) / 100);
    close(at(512).lambdaPerMillion, 0.2 + 0.5 * (at(512).billedMs / 1000) * 0.0000133334 * 1e6);
    assert.equal(chooseMemory([rows]), 512);
    // Every algorithm must fit: a slower one moves the choice up.
    assert.equal(chooseMemory([rows, memoryModel([...Array(98).fill(400), 4000, 4000])]), 1024);
    assert.equal(chooseMemory([memoryModel([20_000])]), undefined);
  });
});

describe('bench targets (scripts/bench/targets.ts)', () => {
  it("prints issue 21's targets first, then the keeps, then issue 13's, each measured or saying why not", () => {
    const grant = { operation: 'grant' as const, mode: 'envelope' as const, alg: 'RS256' as const, issuesToken: true, calls: {}, usage: envelopeGrant, costPerMillion: costPerMillion(envelopeGrant), wireBytes: 1800 };
    const handler = (alg: 'RS256' | 'ES256', cpuMicrosPerGrant: number, bareMicros: number) => ({
      mode: 'envelope' as const, alg, grants: 1000, cpuSeconds: 1, wallSeconds: 1, grantsPerCpuSecond: 1e6 / cpuMicrosPerGrant, cpuMicrosPerGrant,
      bareSignsPerCpuSecond: 1e6 / bareMicros, ratio: bareMicros / cpuMicrosPerGrant, overheadMicros: cpuMicrosPerGrant - bareMicros,
    });
    const rows = memoryModel(Array(100).fill(500));
    const checks = checkTargets({
      handlerCost: [handler('RS256', 480, 440), handler('ES256', 100, 35)],
      firstGrant: [
        { preload: false, initMs: 70, firstGrantMs: 90, totalMs: 160, samples: 5 },
        { preload: true, initMs: 110, firstGrantMs: 4, totalMs: 114, samples: 5 },
      ],
      awsCalls: [grant],
      frontDoorCost: frontDoorCosts([grant], 7),
      memory: { byAlg: [{ alg: 'RS256', rows }], chosenMb: chooseMemory([rows]), configuredMb: 512 },
    });
    assert.deepEqual(
      checks.map((check) => [check.section, check.target.split(' ')[0], check.met]),
      [
        ['issue 21', '21.1', true], ['issue 21', '21.1', false],
        // A target whose part did not run is printed, never left out.
        ['issue 21', '21.2', 'not measured'], ['issue 21', '21.3', 'not measured'], ['issue 21', '21.4', 'not measured'], ['issue 21', '21.5', 'not measured'],
        // federated-jwt vs private_key_jwt, the jti write's SDK cost, the console's assets, the console's, admin's and adminHeavy's cold starts.
        ...Array(6).fill(['issue 21', '21.6', 'not measured']),
        ['keep', 'keep:', true], ['keep', 'keep:', 'not measured'],
        ['earlier', '13.3', true], ['earlier', '13.4', false], ['earlier', '13.5', false],
      ],
    );
    assert.match(checks[0]!.measured, /480 µs per grant − 440 µs per bare signature = 40 µs/);
    assert.match(checks.find((check) => check.target.startsWith('13.4'))!.measured, /^\$0\.30\d with a new connection per token/);
    // 500 µs a grant is billed 4 ms at 256 MB, 2 ms at 512 MB, 1 ms at 1,024 MB: the same GB-seconds; on a tie the faster size.
    assert.match(checks.find((check) => check.target.startsWith('13.5'))!.measured, /model chooses 1024 MB; serverless.yml has 512 MB/);
  });

  it("reports 21.6's console assets and the console's and admin's cold starts next to the token's, and names every bundle over 400 KB", () => {
    const cold = (fn: string, bundleKb: number, loadMs: number) => ({ function: fn, bundleKb, sourceMapKb: 1000, loadMs, loadMsWithoutSourceMaps: loadMs - 10, loadCpuMs: loadMs / 2, samples: 5 });
    const checks = checkTargets({
      coldStart: [cold('token', 340, 40), cold('admin', 444, 60), cold('console', 80, 20), cold('adminHeavy', 360, 50)],
      consoleAssets: { files: [{ name: 'index.html', rawBytes: 1024, gzipBytes: 512 }, { name: 'console-X.js', rawBytes: 102_400, gzipBytes: 30_720 }], rawBytes: 103_424, gzipBytes: 31_232 },
    });
    const sixth = checks.filter((check) => /^21\.6 the (console|admin)/.test(check.target));
    assert.deepEqual(sixth.map((check) => check.met), ['reported', 'reported', 'reported', 'reported']);
    assert.match(sixth[0]!.measured, /^101\.0 KB raw, 30\.5 KB gzip/);
    assert.match(sixth[1]!.measured, /^CPU 10 ms vs token 20 ms = 0\.50×; wall 20 vs 40 ms/);
    assert.match(sixth[2]!.measured, /^CPU 30 ms vs token 20 ms = 1\.50×; wall 60 vs 40 ms/);
    assert.match(sixth[3]!.measured, /^CPU 25 ms vs token 20 ms = 1\.25×; wall 50 vs 40 ms/);
    const bundles = checks.find((check) => check.target.startsWith('keep: every bundle'))!;
    assert.deepEqual([bundles.met, bundles.measured], [false, 'over: admin 444 KB']);
  });
});
