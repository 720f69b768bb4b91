/**
 * Memory size by measurement (a model, not a measurement on Lambda): the handler's CPU time per
 * warm grant, sampled grant by grant in this process, divided by the vCPU share Lambda gives each
 * memory size (cost.ts `vcpuShare`). It assumes the grant is CPU-bound (a warm envelope grant makes
 * no AWS call), that this machine's core runs the code as fast as a Graviton core, and that
 * Lambda's throttling spreads a short burst evenly (it does not always: a burst shorter than the
 * scheduler's period may run at full speed, so small sizes are modelled pessimistically).
 */
import { vcpuShare } from './cost.js';
import { PRICES, unitPrice } from './prices.js';

export const MEMORY_SIZES_MB = [256, 512, 1024, 1769] as const;
/** Issue 13, target 5: the handler's p99 must stay under this at the chosen size. */
export const P99_BUDGET_MS = 10;

export interface MemoryRow {
  memoryMb: number;
  vcpuShare: number;
  /** Modelled handler time of a warm grant at this size. */
  p50Ms: number;
  p99Ms: number;
  /** Mean billed duration (each grant rounded up to 1 ms, as Lambda bills). */
  billedMs: number;
  /** Lambda's part (requests + GB-seconds) of a million grants. */
  lambdaPerMillion: number;
  withinBudget: boolean;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** One row per memory size from per-grant CPU times (µs) measured at a full core. */
export function memoryModel(cpuMicrosPerGrant: readonly number[], sizes: readonly number[] = MEMORY_SIZES_MB): MemoryRow[] {
  const sorted = [...cpuMicrosPerGrant].sort((a, b) => a - b);
  return sizes.map((memoryMb) => {
    const share = vcpuShare(memoryMb);
    const ms = (micros: number) => micros / 1000 / share;
    const billedMs = sorted.reduce((sum, micros) => sum + Math.ceil(ms(micros)), 0) / sorted.length;
    const lambdaPerMillion = (unitPrice(PRICES.lambdaRequest) + (memoryMb / 1024) * (billedMs / 1000) * unitPrice(PRICES.lambdaArmGbSecond)) * 1_000_000;
    const p99Ms = ms(percentile(sorted, 99));
    return { memoryMb, vcpuShare: share, p50Ms: ms(percentile(sorted, 50)), p99Ms, billedMs, lambdaPerMillion, withinBudget: p99Ms < P99_BUDGET_MS };
  });
}

/**
 * The cheapest size whose modelled p99 stays within the budget for every algorithm measured (rows
 * per algorithm, same sizes); on a tie in cost, the larger size (it is faster for the same price).
 */
export function chooseMemory(rowsByAlg: readonly (readonly MemoryRow[])[]): number | undefined {
  const sizes = rowsByAlg[0]?.map((row) => row.memoryMb) ?? [];
  const candidates = sizes
    .filter((size) => rowsByAlg.every((rows) => rows.find((row) => row.memoryMb === size)?.withinBudget))
    .map((size) => ({ size, cost: Math.max(...rowsByAlg.map((rows) => rows.find((row) => row.memoryMb === size)!.lambdaPerMillion)) }));
  candidates.sort((a, b) => a.cost - b.cost || b.size - a.size);
  return candidates[0]?.size;
}
