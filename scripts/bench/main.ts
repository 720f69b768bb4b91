/**
 * `npm run bench`: what a token costs, in CPU, over HTTP next to oidc-provider, in AWS calls and
 * dollars behind either front door, by memory size, and at cold start (issues 6, 13 and 21). Prints
 * Markdown tables and the targets (scripts/bench/targets.ts: issue 21's, its keeps, then issue 13's,
 * each met, missed or not measured); with `--json`, one JSON object on
 * stdout and nothing else. Progress goes to stderr.
 *
 *   npm run bench                      full run (about 3 minutes on 2 cores)
 *   npm run bench -- --quick --json    short smoke run
 *   npm run bench -- --parts=handler,aws --handler-seconds=10
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { measureAwsCalls } from './awsCalls.js';
import { measureColdStart } from './coldStart.js';
import { frontDoorCosts } from './frontDoorCost.js';
import { measureBundleCost } from './bundleCost.js';
import { measureHandlerCost } from './handlerCost.js';
import { measureRealmScale } from './realmScale.js';
import { ADMIN_SCALE_CLIENTS, measureAdminScale } from './adminScale.js';
import { measureSdkCallCost } from './sdkCallCost.js';
import { measureHttp } from './http.js';
import { measureLocalStack } from './localStack.js';
import { sinkStdout } from './logSink.js';
import { renderReport, type BenchReport } from './report.js';
import { memoryReport } from './memoryReport.js';
import { BENCH_CLIENT, deployedMemoryMb, grantEvent, realmFor, startBenchStack } from './setup.js';
import { routesFromServerlessYml } from '../../infra/local/apiGateway.js';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { checkTargets } from './targets.js';

const PARTS = ['cold', 'handler', 'bundle', 'sdk', 'scale', 'admin', 'aws', 'http', 'local'] as const;
type Part = (typeof PARTS)[number];

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    parts: { type: 'string' },
    'handler-seconds': { type: 'string' },
    concurrency: { type: 'string' },
    'http-seconds': { type: 'string' },
    'http-warmup-seconds': { type: 'string' },
    connections: { type: 'string' },
    repetitions: { type: 'string' },
    samples: { type: 'string' },
    'grant-samples': { type: 'string' },
    /** Points of part `scale`, by index into SCALE_POINTS (scripts/bench/realmScaleItems.ts; e.g. `0,3` for the base and the issue's large realm). */
    'scale-sizes': { type: 'string' },
    /** Handler-cost cases to run, e.g. `envelope-ES256` (default: all). */
    'handler-cases': { type: 'string' },
  },
});

const quick = values.quick!;
const number = (value: string | undefined, full: number, short: number) => (value === undefined ? (quick ? short : full) : Number(value));
const settings = {
  quick,
  handlerSeconds: number(values['handler-seconds'], 5, 1),
  // One event at a time, as a Lambda container runs them.
  concurrency: number(values.concurrency, 1, 1),
  httpDurationSeconds: number(values['http-seconds'], 10, 2),
  httpWarmupSeconds: number(values['http-warmup-seconds'], 3, 1),
  connections: number(values.connections, 32, 32),
  repetitions: number(values.repetitions, 50, 5),
  samples: number(values.samples, 5, 1),
  grantSamples: number(values['grant-samples'], 3000, 300),
};
// --quick leaves out `local` unless named: it bundles and starts the whole `npm start` stack (minutes on two busy cores).
const defaultParts = PARTS.filter((part) => !(quick && part === 'local'));
const parts = new Set((values.parts ?? defaultParts.join(',')).split(',').map((part) => part.trim()) as Part[]);
for (const part of parts) if (!PARTS.includes(part)) throw new Error(`unknown part ${part}; parts are ${PARTS.join(', ')}`);

const log = (line: string) => process.stderr.write(`${line}\n`);
// The report is the only thing on stdout; the in-process handlers' log lines go to /dev/null.
const print = sinkStdout();
const report: BenchReport = {
  date: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg()[0]!,
  },
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  settings,
  targets: [],
};

const stack = await startBenchStack(log);
const stopOnSignal = () => void stack.stop().then(() => process.exit(130));
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);
try {
  const common = { env: stack.env, secret: stack.secret, assertionKey: stack.assertionKey, log };
  const routes = await routesFromServerlessYml(PROJECT_ROOT);
  // Cold start first, before this process has warmed anything.
  if (parts.has('cold')) {
    const realm = realmFor('envelope', 'RS256');
    const cold = await measureColdStart({ samples: settings.samples, log, firstGrant: { env: stack.env, realm, event: grantEvent(routes, realm, BENCH_CLIENT, stack.secret) } });
    report.coldStart = cold.bundles;
    report.firstGrant = cold.firstGrant;
    report.consoleAssets = cold.consoleAssets;
  }
  if (parts.has('handler')) {
    report.handlerCost = await measureHandlerCost({
      ...common,
      warmupMs: Math.min(1000, settings.handlerSeconds * 500),
      durationMs: settings.handlerSeconds * 1000,
      concurrency: settings.concurrency,
      samples: settings.grantSamples,
      cases: values['handler-cases']?.split(',').map((name) => name.trim()),
    });
    report.memory = memoryReport(report.handlerCost, await deployedMemoryMb());
  }
  if (parts.has('bundle')) {
    report.bundleCost = await measureBundleCost({ ...common, durationMs: settings.handlerSeconds * 1000 });
  }
  if (parts.has('sdk')) report.sdkCallCost = await measureSdkCallCost({ env: stack.env, durationMs: settings.handlerSeconds * 4000, log });
  if (parts.has('scale')) {
    // --quick: the base realm only; the full run grows the others (about 5 minutes on 2 loaded cores).
    report.realmScale = await measureRealmScale({ ...common, durationMs: settings.handlerSeconds * 1000, points: values['scale-sizes'], quick });
  }
  if (parts.has('admin')) {
    report.adminScale = await measureAdminScale({ env: stack.env, log, clients: quick ? ADMIN_SCALE_CLIENTS.quick : ADMIN_SCALE_CLIENTS.full });
  }
  if (parts.has('aws')) {
    report.awsCalls = await measureAwsCalls({ ...common, repetitions: settings.repetitions });
    report.frontDoorCost = frontDoorCosts(report.awsCalls, routes.length / 2);
  }
  if (parts.has('http')) {
    report.http = await measureHttp({ ...common, connections: settings.connections, warmupSeconds: settings.httpWarmupSeconds, durationSeconds: settings.httpDurationSeconds });
  }
  if (parts.has('local')) {
    report.localStack = await measureLocalStack({ connections: [1, 20], warmupSeconds: settings.httpWarmupSeconds, durationSeconds: settings.httpDurationSeconds, log });
  }
} finally {
  await stack.stop();
}

report.targets = checkTargets(report);
print(values.json ? `${JSON.stringify(report)}\n` : renderReport(report));
// The in-process handler keeps SDK connections alive; the run is over.
process.exit(0);
