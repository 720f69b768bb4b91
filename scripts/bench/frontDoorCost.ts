/**
 * Dollars per million tokens at steady rates behind each front door (issue 13, target 4), from the
 * measured envelope grant (no refresh tokens: its duration, calls and bytes on the wire) and the
 * price table. Rates and the connection assumption are the model's inputs, printed with it.
 */
import type { OperationResult } from './awsCalls.js';
import { crossoverTokensPerSecond, FRONT_DOORS, sustainedCostPerMillion, type SustainedCost, type Traffic } from './cost.js';

export const RATES = [1, 10, 100, 1_000, 10_000] as const;
/** Issue 13, target 4: with the ALB, at 1,000 tokens per second. */
export const TARGET_RATE = 1_000;
export const REQUESTS_PER_CONNECTION = [1, 2, 10] as const;

export interface FrontDoorCostReport {
  alg: string;
  traffic: Omit<Traffic, 'tokensPerSecond'>;
  rows: SustainedCost[];
  /** Tokens per second above which the ALB is the cheaper front door. */
  crossoverTokensPerSecond?: number;
  /** The ALB at TARGET_RATE when clients reuse a connection for more than one token request. */
  albAtTargetByRequestsPerConnection: { requestsPerConnection: number; total: number }[];
}

export function frontDoorCosts(awsCalls: readonly OperationResult[], rulesEvaluated: number): FrontDoorCostReport | undefined {
  const grant = awsCalls.find((op) => op.operation === 'grant' && op.mode === 'envelope' && op.alg === 'RS256');
  if (!grant) return undefined;
  const traffic = { bytesPerRequest: grant.wireBytes, requestsPerConnection: 1, rulesEvaluated };
  return {
    alg: grant.alg,
    traffic,
    rows: RATES.flatMap((tokensPerSecond) => FRONT_DOORS.map((frontDoor) => sustainedCostPerMillion(grant.usage, frontDoor, { ...traffic, tokensPerSecond }))),
    crossoverTokensPerSecond: crossoverTokensPerSecond(grant.usage, traffic),
    albAtTargetByRequestsPerConnection: REQUESTS_PER_CONNECTION.map((requestsPerConnection) => ({
      requestsPerConnection,
      total: sustainedCostPerMillion(grant.usage, 'alb', { ...traffic, requestsPerConnection, tokensPerSecond: TARGET_RATE }).total,
    })),
  };
}
