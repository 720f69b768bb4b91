/** The benchmark's tables, as Markdown (readable in a terminal, pasted as is into the README). */
import type { OperationResult } from './awsCalls.js';
import type { ColdStartResult } from './coldStart.js';
import { cognitoPerMillion } from './cost.js';
import type { HandlerCostResult } from './handlerCost.js';
import type { HttpComparison } from './http.js';
import type { TargetCheck } from './targets.js';

export interface BenchReport {
  date: string;
  machine: { cpus: number; model: string; memoryGiB: number; node: string; platform: string };
  command: string;
  settings: Record<string, number | boolean>;
  handlerCost?: HandlerCostResult[];
  http?: HttpComparison[];
  awsCalls?: OperationResult[];
  coldStart?: ColdStartResult[];
  targets: TargetCheck[];
}

const n = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export function renderReport(report: BenchReport): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(`${report.date} · ${m.cpus} × ${m.model} · ${n(m.memoryGiB, 1)} GiB · Node ${m.node} · \`${report.command}\``);

  if (report.handlerCost) {
    out.push(
      '### 1. Handler cost (warm `client_credentials`, in-process, per CPU-second of the handler\'s process)',
      table(
        ['signing', 'grants / CPU-s', 'CPU per grant', 'bare `crypto.sign` / CPU-s', 'handler ÷ bare sign', 'grants measured'],
        report.handlerCost.map((r) => [`${r.mode} ${r.alg}`, n(r.grantsPerCpuSecond), `${n(r.cpuMicrosPerGrant)} µs`, n(r.bareSignsPerCpuSecond), n(r.ratio, 2), n(r.grants)]),
      ),
    );
  }

  if (report.http) {
    out.push(
      `### 2. Over HTTP (${report.settings.connections} connections, ${report.settings.httpDurationSeconds} s each after ${report.settings.httpWarmupSeconds} s warm-up, autocannon; envelope signing)`,
      table(
        ['alg', 'server', 'tokens/s', 'p50', 'p99', 'non-200', 'server CPU-s', 'tokens / server CPU-s', 'DynamoDB Local CPU-s', 'autocannon CPU-s', 'ratio'],
        report.http.flatMap((c) =>
          [c.service, c.oidcProvider].map((r) => [
            c.alg,
            r.server,
            n(r.tokensPerSecond),
            `${n(r.p50Ms)} ms`,
            `${n(r.p99Ms)} ms`,
            n(r.failed),
            n(r.serverCpuSeconds, 1),
            n(r.tokensPerServerCpuSecond),
            n(r.dynamoDbLocalCpuSeconds, 1),
            n(r.loadGeneratorCpuSeconds, 1),
            r === c.service ? `${n(c.ratio, 2)}×` : '',
          ]),
        ),
      ),
    );
  }

  if (report.awsCalls) {
    const cognito = cognitoPerMillion();
    out.push(
      '### 3. AWS calls per operation (warm) and cost per million',
      table(
        ['operation', 'signing', 'calls', 'RRU', 'WRU', 'duration (billed)', 'API GW', 'Lambda', 'DynamoDB', 'KMS', '$ / million', 'vs Cognito'],
        report.awsCalls.map((op) => {
          const c = op.costPerMillion;
          const calls = Object.entries(op.calls)
            .map(([name, count]) => `${n(count, Number.isInteger(count) ? 0 : 2)} ${name.replace(/Command$/, '')}`)
            .join(', ');
          return [
            op.operation,
            `${op.mode} ${op.alg}`,
            calls,
            n(op.usage.readRequestUnits, 2),
            n(op.usage.writeRequestUnits, 2),
            `${n(op.usage.durationMs, 1)} ms (${Math.ceil(op.usage.durationMs)})`,
            `$${n(c.apiGateway, 2)}`,
            `$${n(c.lambdaRequests + c.lambdaDuration, 2)}`,
            `$${n(c.dynamoDb, 2)}`,
            `$${n(c.kms, 2)}`,
            `**$${n(c.total, 2)}**`,
            op.issuesToken ? `${n(cognito / c.total)}× cheaper` : '',
          ];
        }),
      ),
      `Amazon Cognito: $${n(cognito)} per million client-credential tokens. Lambda at 512 MB arm64; duration = measured in-process warm time per operation against the local stack, billed rounded up to 1 ms.`,
    );
  }

  if (report.coldStart) {
    out.push(
      '### 4. Cold start (bundled as serverless.yml configures serverless-esbuild; import in a fresh `node`)',
      table(
        ['function', 'bundle (minified)', 'source map', 'load, median', 'load without --enable-source-maps'],
        report.coldStart.map((r) => [r.function, `${n(r.bundleKb)} KB`, `${n(r.sourceMapKb)} KB`, `${n(r.loadMs)} ms`, `${n(r.loadMsWithoutSourceMaps)} ms`]),
      ),
    );
  }

  out.push('### Targets', table(['target', 'measured', 'met'], report.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : '**no**'])));
  return out.join('\n\n') + '\n';
}
