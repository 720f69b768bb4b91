import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A per-request time budget. The Lambda timeout in serverless.yml is a hard kill that API Gateway
 * turns into a bare 5xx; a request that runs out of budget must instead end as 503
 * temporarily_unavailable. Every AWS SDK attempt (retries included) checks the budget before it
 * starts, so bounded retries always fit inside the function's timeout.
 */
const budget = new AsyncLocalStorage<{ deadline: number }>();

export class DeadlineExceeded extends Error {
  override readonly name = 'TimeoutError';
}

export function withDeadline<T>(milliseconds: number, fn: () => Promise<T>): Promise<T> {
  return budget.run({ deadline: Date.now() + milliseconds }, fn);
}

export function checkDeadline(): void {
  const current = budget.getStore();
  if (current && Date.now() >= current.deadline) throw new DeadlineExceeded('request time budget exhausted');
}

/**
 * An AWS SDK middleware for the `finalizeRequest` step, which runs once per attempt inside the
 * SDK's retry loop.
 */
export const deadlineMiddleware =
  <T>(next: (args: T) => Promise<unknown>) =>
  async (args: T) => {
    checkDeadline();
    return next(args);
  };
