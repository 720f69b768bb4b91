/** The memory table of the bench (issue 13, target 5): memory.ts's model applied to the envelope grants' CPU samples. */
import type { HandlerCostResult } from './handlerCost.js';
import { chooseMemory, memoryModel, type MemoryRow } from './memory.js';

export interface MemoryReport {
  byAlg: { alg: string; rows: MemoryRow[] }[];
  /** The cheapest size within the p99 budget for every algorithm. */
  chosenMb?: number;
  /** serverless.yml's provider.memorySize. */
  configuredMb: number;
}

export function memoryReport(handlerCost: HandlerCostResult[], configuredMb: number): MemoryReport {
  const byAlg = handlerCost
    .filter((result) => result.mode === 'envelope' && result.samples && result.client === undefined)
    .map((result) => ({ alg: result.alg, rows: memoryModel(result.samples!.micros) }));
  // The raw samples were only the model's input; the report keeps their percentiles.
  for (const result of handlerCost) if (result.samples) result.samples.micros = [];
  return { byAlg, chosenMb: chooseMemory(byAlg.map((entry) => entry.rows)), configuredMb };
}
