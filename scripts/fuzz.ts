/**
 * `npm run fuzz -- [--base http://localhost:3000] [--requests 3000] [--seconds 60] [--concurrency 8] [--seed N]`
 *
 * Fuzzes a running local stack (`npm start`) over real HTTP with hostile requests to every route
 * (issue 7), prints a summary and every violation with a minimal reproduction, and exits 1 on any
 * violation. Refuses any target that is not loopback.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { formatReport, runFuzz } from './fuzz/runner.js';

export { runFuzz, formatReport, type FuzzOptions, type FuzzReport, type Violation } from './fuzz/runner.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: 'http://localhost:3000' },
      requests: { type: 'string', default: '3000' },
      seconds: { type: 'string', default: '60' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string' },
      realm: { type: 'string', default: 'demo' },
    },
  });
  const number = (name: string, text: string | undefined, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer of at least ${min}`);
    return value;
  };
  const report = await runFuzz({
    baseUrl: values.base,
    requests: number('requests', values.requests, 1),
    seconds: number('seconds', values.seconds, 1),
    concurrency: number('concurrency', values.concurrency, 1),
    seed: values.seed === undefined ? undefined : number('seed', values.seed, -(2 ** 31)),
    realm: values.realm,
    log: (line) => console.error(line),
  });
  console.log(formatReport(report));
  return report.violations.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`fuzz: ${err.message}`);
      process.exit(2);
    },
  );
}
