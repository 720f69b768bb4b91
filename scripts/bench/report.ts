/** The benchmark's tables, as Markdown (readable in a terminal, pasted as is into the README). */
import type { OperationResult } from './awsCalls.js';
import type { ColdStartResult, FirstGrantResult } from './coldStart.js';
import type { ConsoleAssetsResult } from './consoleAssets.js';
import { cognitoPerMillion } from './cost.js';
import type { FrontDoorCostReport } from './frontDoorCost.js';
import type { BundleCostResult } from './bundleCost.js';
import type { HandlerCostResult } from './handlerCost.js';
import type { RealmScaleResult } from './realmScale.js';
import type { AdminScaleResult, Timed } from './adminScale.js';
import { renderSdkCallCost, type SdkCallCostResult } from './sdkCallCost.js';
import type { HttpComparison } from './http.js';
import type { LocalStackResult } from './localStack.js';
import { P99_BUDGET_MS } from './memory.js';
import type { MemoryReport } from './memoryReport.js';
import type { TargetCheck } from './targets.js';

export interface BenchReport {
  date: string;
  machine: { cpus: number; model: string; memoryGiB: number; node: string; platform: string; loadAverage: number };
  command: string;
  settings: Record<string, number | boolean>;
  handlerCost?: HandlerCostResult[];
  bundleCost?: BundleCostResult[];
  realmScale?: RealmScaleResult[];
  adminScale?: AdminScaleResult;
  sdkCallCost?: SdkCallCostResult;
  http?: HttpComparison[];
  localStack?: LocalStackResult;
  awsCalls?: OperationResult[];
  coldStart?: ColdStartResult[];
  firstGrant?: FirstGrantResult[];
  consoleAssets?: ConsoleAssetsResult;
  memory?: MemoryReport;
  frontDoorCost?: FrontDoorCostReport;
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
  out.push(`${report.date} · ${m.cpus} × ${m.model} · ${n(m.memoryGiB, 1)} GiB · Node ${m.node} · load average ${n(m.loadAverage, 1)} at start · \`${report.command}\``);

  if (report.handlerCost) {
    out.push(
      '### 1. Handler cost (warm `client_credentials`, in-process, per CPU-second of the handler\'s process)',
      table(
        ['signing', 'client', 'grants / CPU-s', 'CPU per grant', 'bare `crypto.sign`', 'overhead beyond the signature', 'handler ÷ bare sign', 'grants measured'],
        report.handlerCost.map((r) => [
          `${r.mode} ${r.alg}`,
          r.auth ? `${r.client} (${r.auth})` : (r.client ?? 'product-sa-client'),
          n(r.grantsPerCpuSecond),
          `${n(r.cpuMicrosPerGrant)} µs`,
          `${n(1e6 / r.bareSignsPerCpuSecond)} µs`,
          `**${n(r.overheadMicros)} µs**`,
          n(r.ratio, 2),
          n(r.grants),
        ]),
      ),
    );
  }

  if (report.bundleCost) {
    const first = report.bundleCost[0];
    out.push(
      `### 1b. Handler cost of the deployed bundle (token.zip from \`serverless package\`, ${n(first?.bundleKb ?? 0)} KB, in a fresh \`node\` with the template's environment, NODE_OPTIONS=\`${first?.nodeOptions ?? ''}\`)`,
      table(
        ['alg', 'client', 'CPU per grant', 'bare `crypto.sign`', 'overhead beyond the signature', 'grants measured'],
        report.bundleCost.map((r) => [r.alg, r.client, `${n(r.cpuMicrosPerGrant)} µs`, `${n(r.bareSignMicros)} µs`, `**${n(r.overheadMicros)} µs**`, n(r.grants)]),
      ),
    );
  }

  if (report.sdkCallCost) out.push(renderSdkCallCost(report.sdkCallCost, table));

  if (report.realmScale) {
    const ttl = report.realmScale[0]?.perHour.ttlSeconds ?? 60;
    out.push(
      '### 1c. Realm size (generated realms in DynamoDB Local, one dimension at a time from the base, then the issue’s large realm; a warm grant of a stateless copy of product-sa-client, which uses none of the generated items, interleaved with the same grant on the base realm)',
      table(
        ['varies', 'clients', 'roles (½ composite)', 'client scopes', 'groups', 'mappers', 'items written', 'realm load (median)', 'load CPU: ours + DynamoDB Local', 'Query pages', 'items read', 'client items read', 'read units per load', `read units per container-hour (TTL ${ttl} s: checks + backstop; reload every TTL instead)`, 'heap held per realm context', 'warm grant CPU (base realm, same window)', 'grants'],
        report.realmScale.map((r) => [
          r.varies, n(r.clients), n(r.roles), n(r.scopes), n(r.groups), n(r.mappers),
          `${n(r.itemsWritten)} in ${n(r.writeSeconds, 1)} s`, `${n(r.loadMs)} ms`, `${n(r.loadCpuMs)} + ${r.tableCpuMs === undefined ? '?' : n(r.tableCpuMs)} ms`,
          n(r.pages), n(r.itemsRead), n(r.clientItemsRead), n(r.readUnits, 1),
          `${n(r.perHour.total, 1)} (${n(r.perHour.checks)} + ${n(r.perHour.backstopReloads, 1)}); ${n(r.perHour.reloadEveryTtl)}`,
          `${n(r.heapBytes / 1024)} KB`, `${n(r.grantCpuMicros)} µs (${n(r.baseGrantCpuMicros)} µs, ${n(r.grantCpuMicros / r.baseGrantCpuMicros, 2)}×)`, n(r.grants),
        ]),
      ),
    );
  }

  if (report.adminScale) {
    const a = report.adminScale;
    const cpu = (t: Timed) => [`${n(t.seconds, 1)} s`, `${n(t.cpuSeconds, 1)} s`, `${n(t.dynamodbCpuSeconds, 1)} s`];
    out.push(
      `### 1e. Admin paths at ${n(a.clients)} clients (sa-admin as child processes; the Admin REST API over HTTP through the API Gateway stand-in; load ${n(a.load[0], 1)} → ${n(a.load[1], 1)})`,
      table(
        ['path', 'wall', 'CPU (sa-admin, or gateway + handler)', 'DynamoDB Local CPU', 'detail'],
        [
          ['sa-admin import-realm', ...cpu(a.importRealm), `${n(a.fileBytes / 1e6, 1)} MB export`],
          [
            `Admin API, every client by first/max`,
            ...cpu(a.api),
            `${n(a.api.pages)} pages of ${n(a.api.pageSize)} (${n(a.api.listed)} clients); page 1 ${n(a.api.firstPageMs)} ms (${n(a.api.firstPageCpuMs)} ms CPU), median ${n(a.api.medianPageMs)} ms, last ${n(a.api.lastPageMs)} ms (${n(a.api.lastPageCpuMs)} ms CPU); ` +
              `items read: page 1 ${n(a.api.firstPageItemsRead)}, most ${n(a.api.maxPageItemsRead)}, last ${n(a.api.lastPageItemsRead)}, last in a fresh container ${n(a.api.coldLastPageItemsRead)} (keys only; ${a.api.coldLastPageStatus}, ${n(a.api.coldLastPageMs)} ms)`,
          ],
          ['sa-admin client list', ...cpu(a.cliList), `${n(a.cliList.listed)} clients`],
          ['sa-admin export-realm', ...cpu(a.cliExport), `${n(a.cliExport.bytes / 1e6, 1)} MB`],
        ],
      ),
    );
  }

  if (report.http) {
    out.push(
      `### 2. Over HTTP (${report.settings.connections} connections, ${report.settings.httpDurationSeconds} s each after ${report.settings.httpWarmupSeconds} s warm-up, autocannon; envelope signing)`,
      table(
        ['alg', 'server', 'tokens/s', 'p50', 'p99', 'non-200', 'server CPU-s', 'tokens / server CPU-s', 'DynamoDB Local CPU-s', 'autocannon CPU-s', 'per server CPU-s, ratio'],
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
            r === c.service ? `${n(c.service.tokensPerServerCpuSecond / c.oidcProvider.tokensPerServerCpuSecond, 2)}×` : '',
          ]),
        ),
      ),
    );
    out.push(
      `#### 2b. Where each server's CPU goes, µs per token (V8 profile of the warm child under the same load, its shares applied to the run's main-thread CPU per token; other threads from /proc)`,
      table(
        ['alg', 'server', 'CPU per token', 'floor: bare node:http, same response', 'node:http, sockets, event loop', 'API Gateway stand-in', 'handler / provider beyond the signature', 'signature (main thread)', 'GC', '(program)', 'other threads', 'profiled run'],
        report.http.flatMap((c) =>
          [c.service, c.oidcProvider].map((r) => {
            const us = r.split.microsPerToken;
            return [
              c.alg, r.server, `${n(1e6 / r.tokensPerServerCpuSecond)} µs`, `${n(c.floor.cpuMicrosPerRequest)} µs`, n(us.nodeHttp), r === c.service ? n(us.standIn) : '–', n(us.application),
              n(us.signature), n(us.gc), n(us.runtime + us.other), n(us.otherThreads), `${n(r.profiledCpuMicrosPerToken)} µs`,
            ];
          }),
        ),
      ),
    );
  }

  if (report.localStack) {
    const local = report.localStack;
    out.push(
      `### Local stack (\`npm start\`: serverless offline --useInProcess, DynamoDB Local, local KMS; full-scope-client, client_secret_basic; demo keys ${local.demoKeyProviders.join(', ')}; ${report.settings.httpDurationSeconds} s each after ${report.settings.httpWarmupSeconds} s warm-up)`,
      table(
        ['connections', 'tokens/s', 'p50', 'p97.5', 'p99', 'non-200', 'offline CPU per token', 'DynamoDB Local CPU per token'],
        local.runs.map((r) => [n(r.connections), n(r.tokensPerSecond), `${n(r.p50Ms)} ms`, `${n(r.p975Ms)} ms`, `${n(r.p99Ms)} ms`, n(r.failed), `${n(r.offlineCpuMsPerToken, 2)} ms`, `${n(r.dynamoDbCpuMsPerToken, 2)} ms`]),
      ),
      table(
        ['admin change (sa-admin --local)', 'the very next request', 'shown', '20 other connections meanwhile'],
        local.exactness.map((c) => [c.change, c.expected, c.shown ? 'yes' : '**no**', c.underLoad ? 'yes' : 'no']),
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
      `Amazon Cognito: $${n(cognito)} per million client-credential tokens. API Gateway HTTP API front door (first price tier); Lambda at ${report.awsCalls[0]?.usage.memoryMb ?? '–'} MB arm64; duration = measured in-process warm time per operation against the local stack, billed rounded up to 1 ms.`,
    );
  }

  if (report.frontDoorCost) {
    const f = report.frontDoorCost;
    const rates = [...new Set(f.rows.map((row) => row.tokensPerSecond))];
    const cell = (rate: number, door: string) => f.rows.find((row) => row.tokensPerSecond === rate && row.frontDoor === door)!;
    out.push(
      `### 3b. Front door at a steady rate: $ per million tokens (envelope ${f.alg}, no refresh tokens)`,
      table(
        ['tokens / s', 'HTTP API: front door', 'HTTP API: total', 'ALB: hours + IPv4 + LCU', 'ALB: LCUs (binding dimension)', 'ALB: total', 'cheaper'],
        rates.map((rate) => {
          const api = cell(rate, 'httpApi');
          const alb = cell(rate, 'alb');
          return [
            n(rate),
            `$${n(api.frontDoorPerMillion, 3)}`,
            `**$${n(api.total, 3)}**`,
            `$${n(alb.frontDoorPerMillion, 3)}`,
            `${n(alb.lcu!.units, 2)} (${alb.lcu!.dimension})`,
            `**$${n(alb.total, 3)}**`,
            alb.total < api.total ? 'ALB' : 'HTTP API',
          ];
        }),
      ),
      `Crossover: the ALB is cheaper above **${f.crossoverTokensPerSecond ? n(f.crossoverTokensPerSecond, 1) : '–'} tokens per second** sustained. ` +
        `Model: 730 h a month; ALB $0.0225/h + 2 public IPv4 addresses at $0.005/h + $0.008 per LCU-hour; one new connection per token ` +
        `(a client-credentials client fetches a token minutes after the last, past any keep-alive), ${n(f.traffic.bytesPerRequest)} bytes per request and response (measured), ` +
        `at most ${f.traffic.rulesEvaluated} listener rules evaluated (10 are free); HTTP API $1.00 per million up to 300 million a month, $0.90 above; Lambda and data as in part 3. ` +
        `At 1,000 tokens/s with the ALB: ${f.albAtTargetByRequestsPerConnection.map((row) => `$${n(row.total, 3)} with ${row.requestsPerConnection} token request${row.requestsPerConnection > 1 ? 's' : ''} per connection`).join(', ')}.`,
    );
  }

  // `--handler-cases` without a plain envelope case leaves the memory model without input.
  if (report.memory && report.memory.byAlg.length > 0) {
    const mem = report.memory;
    out.push(
      '### 5. Memory size (a model: measured CPU per warm grant ÷ the vCPU share of each size)',
      table(
        ['memory', 'vCPU share', ...mem.byAlg.flatMap((entry) => [`${entry.alg} p50`, `${entry.alg} p99`, `${entry.alg} billed`, `${entry.alg} Lambda $ / million`])],
        mem.byAlg[0]!.rows.map((row, i) => [
          `${n(row.memoryMb)} MB${row.memoryMb === mem.chosenMb ? ' (chosen)' : ''}`,
          n(row.vcpuShare, 3),
          ...mem.byAlg.flatMap((entry) => {
            const r = entry.rows[i]!;
            return [`${n(r.p50Ms, 2)} ms`, `${r.withinBudget ? '' : '**'}${n(r.p99Ms, 2)} ms${r.withinBudget ? '' : '**'}`, `${n(r.billedMs, 2)} ms`, `$${n(r.lambdaPerMillion, 4)}`];
          }),
        ]),
      ),
      `Handler time per grant = CPU time of single warm envelope grants measured in this process at a full core (${report.handlerCost?.find((r) => r.samples)?.samples?.count ?? '–'} grants per algorithm) ÷ (memory ÷ 1,769 MB). ` +
        `Budget: p99 under ${P99_BUDGET_MS} ms. Lambda $ = $0.20 per million requests + GB-seconds (arm64) of the billed milliseconds. serverless.yml: ${mem.configuredMb} MB.`,
    );
  }

  if (report.firstGrant) {
    out.push(
      '### 4b. Cold start as a client sees it (token bundle in a fresh `node`: import = module load + init, then the first grant, against the bench stack)',
      table(
        ['PRELOAD_REALMS', 'init (import)', 'first grant', 'total, median'],
        report.firstGrant.map((r) => [r.preload ? 'the realm asked for' : 'unset', `${n(r.initMs)} ms`, `${n(r.firstGrantMs, 1)} ms`, `**${n(r.totalMs)} ms**`]),
      ),
    );
  }

  if (report.coldStart) {
    out.push(
      '### 4. Cold start (bundled as serverless.yml configures serverless-esbuild; import in a fresh `node`)',
      table(
        ['function', 'bundle (minified)', 'source map', 'load, median', 'load CPU, median', 'load without --enable-source-maps'],
        report.coldStart.map((r) => [r.function, `${n(r.bundleKb)} KB`, `${n(r.sourceMapKb)} KB`, `${n(r.loadMs)} ms`, `${n(r.loadCpuMs)} ms`, `${n(r.loadMsWithoutSourceMaps)} ms`]),
      ),
    );
  }

  if (report.consoleAssets) {
    const c = report.consoleAssets;
    out.push(
      '### 4c. Console assets (console/build.mjs, as the console function serves them: uncompressed; gzip at zlib\'s default level)',
      table(['file', 'raw', 'gzip'], [...c.files.map((f) => [f.name, `${n(f.rawBytes / 1024, 1)} KB`, `${n(f.gzipBytes / 1024, 1)} KB`]), ['**total**', `**${n(c.rawBytes / 1024, 1)} KB**`, `**${n(c.gzipBytes / 1024, 1)} KB**`]]),
    );
  }

  const met = (t: TargetCheck) => (t.met === 'not measured' || t.met === 'reported' ? t.met : t.met ? 'yes' : '**no**');
  const sections: [TargetCheck['section'], string][] = [
    ['issue 21', '### Targets (issue 21)'],
    ['keep', '### Keep (issue 21)'],
    ['earlier', '### Earlier targets (issue 13), still measured'],
  ];
  for (const [section, heading] of sections) {
    const rows = report.targets.filter((t) => t.section === section);
    if (rows.length > 0) out.push(heading, table(['target', 'measured', 'met'], rows.map((t) => [t.target, t.measured, met(t)])));
  }
  return out.join('\n\n') + '\n';
}
