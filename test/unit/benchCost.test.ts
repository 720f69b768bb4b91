import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cognitoPerMillion, costPerMillion, type OperationUsage } from '../../scripts/bench/cost.js';
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

describe('bench targets (scripts/bench/targets.ts)', () => {
  it('checks the cost targets against the grant rows only', () => {
    const op = (mode: 'envelope' | 'kms', alg: 'RS256' | 'ES256', usage: Partial<OperationUsage>, operation: 'grant' | 'refresh' = 'grant') => {
      const full = { ...grant, ...usage };
      return { operation, mode, alg, issuesToken: true, calls: {}, usage: full, costPerMillion: costPerMillion(full) };
    };
    const checks = checkTargets({
      awsCalls: [op('envelope', 'RS256', {}), op('envelope', 'RS256', { writeRequestUnits: 2 }, 'refresh'), op('kms', 'RS256', { kmsRsa2048Signs: 1 }), op('kms', 'ES256', { kmsEccSigns: 1 })],
    });
    assert.deepEqual(
      checks.map((check) => check.met),
      [true, true],
    );
    const expensive = checkTargets({ awsCalls: [op('kms', 'RS256', { kmsRsa2048Signs: 2 })] });
    assert.equal(expensive[0]!.met, false);
  });
});
