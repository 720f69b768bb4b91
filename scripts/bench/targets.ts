/** The targets of issue 13 (and what it says to keep), checked against one run's measurements. */
import type { OperationResult } from './awsCalls.js';
import type { ColdStartResult, FirstGrantResult } from './coldStart.js';
import { TARGET_RATE, type FrontDoorCostReport } from './frontDoorCost.js';
import type { BundleCostResult } from './bundleCost.js';
import type { HandlerCostResult } from './handlerCost.js';
import type { RealmScaleResult } from './realmScale.js';
import type { HttpComparison } from './http.js';
import type { MemoryReport } from './memoryReport.js';

export interface TargetCheck {
  target: string;
  measured: string;
  /** 'not measured': the bench has no part for it yet; `measured` says why and where the figure is. */
  met: boolean | 'not measured';
}

/**
 * Issue 21's targets this bench has no part for yet, printed so a run shows them rather than
 * leaving them out; each says what stands in for a measurement.
 */
const NOT_MEASURED: TargetCheck[] = [
  {
    target: '21.3 flat in the realm\'s size (warm-grant CPU, realm load, pages and read units per load, 10 → 20,000 clients)',
    measured: 'part `scale` not run (npm run bench -- --parts=scale)',
    met: 'not measured',
  },
  { target: '21.4 admin paths at 20,000 clients (listing, export, import ≤ 60 s)', measured: 'no part in the bench yet', met: 'not measured' },
  {
    target: '21.5 local stack: ≤ 10 ms at 1 connection, ≥ 200 tokens/s at 20 (npm start)',
    measured:
      'measured by hand through npm start (serverless offline --useInProcess), not by the bench, load average 18–20: envelope keys 9 ms p50 at 1 connection, 112 tokens/s at 20 (no non-200); the demo\'s kms keys 48 ms, 23 tokens/s (docs/performance.md, "The local stack")',
    met: 'not measured',
  },
  { target: '21.6 console assets; console and admin cold start', measured: 'no part in the bench yet', met: 'not measured' },
];

export const TARGETS = {
  overheadMicros: 50,
  /** Issue 19 / 21.6: a federated grant's overhead beyond the signature, as a multiple of private_key_jwt's. */
  federatedOverheadRatio: 1.2,
  httpCpuRatio: 1.5,
  firstGrantMs: 150,
  albUsdPerMillionAt1000: 0.3,
  bundleKb: 400,
  realmLoadMs: 500,
  /** Noise allowance between two sizes' warm-grant CPU on a shared machine. */
  realmGrantRatio: 1.25,
} as const;

export interface Measurements {
  handlerCost?: HandlerCostResult[];
  bundleCost?: BundleCostResult[];
  realmScale?: RealmScaleResult[];
  http?: HttpComparison[];
  awsCalls?: OperationResult[];
  coldStart?: ColdStartResult[];
  firstGrant?: FirstGrantResult[];
  memory?: MemoryReport;
  frontDoorCost?: FrontDoorCostReport;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function checkTargets(m: Measurements): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const r of (m.handlerCost ?? []).filter((r) => r.mode === 'envelope' && !r.auth)) {
    checks.push({
      target: `1. overhead beyond the signature ≤ ${TARGETS.overheadMicros} µs per warm grant, envelope ${r.alg}, ${r.client ?? 'product-sa-client'}`,
      measured: `${fmt(r.cpuMicrosPerGrant)} µs per grant − ${fmt(1e6 / r.bareSignsPerCpuSecond)} µs per bare signature = ${fmt(r.overheadMicros)} µs`,
      met: r.overheadMicros <= TARGETS.overheadMicros,
    });
  }
  for (const r of m.bundleCost ?? []) {
    checks.push({
      target: `1. overhead beyond the signature ≤ ${TARGETS.overheadMicros} µs per warm grant, deployed bundle, envelope ${r.alg}, ${r.client}`,
      measured: `${fmt(r.cpuMicrosPerGrant)} µs per grant − ${fmt(r.bareSignMicros)} µs per bare signature = ${fmt(r.overheadMicros)} µs`,
      met: r.overheadMicros <= TARGETS.overheadMicros,
    });
  }
  const privateKeyJwt = m.handlerCost?.find((r) => r.auth === 'private_key_jwt');
  const federated = m.handlerCost?.find((r) => r.auth === 'federated-jwt');
  if (privateKeyJwt && federated) {
    const ratio = federated.overheadMicros / privateKeyJwt.overheadMicros;
    checks.push({
      target: `21.6 federated-jwt's overhead beyond the signature ≤ ${TARGETS.federatedOverheadRatio}× private_key_jwt's, same run, envelope ${federated.alg}`,
      measured: `${fmt(federated.overheadMicros)} µs vs ${fmt(privateKeyJwt.overheadMicros)} µs = ${fmt(ratio, 2)}×`,
      met: ratio <= TARGETS.federatedOverheadRatio,
    });
  }
  const scale = m.realmScale ?? [];
  const largest = scale.find((r) => r.clients >= 20_000 && r.roles >= 5_000 && r.groups >= 1_000);
  if (largest) {
    checks.push({
      target: `21.3 a 20,000-client, 5,000-role, 1,000-group realm loads in ≤ ${TARGETS.realmLoadMs} ms locally and reads no client item`,
      measured: `${fmt(largest.loadMs)} ms median wall (CPU ${fmt(largest.loadCpuMs)} ms ours + ${largest.tableCpuMs === undefined ? '?' : fmt(largest.tableCpuMs)} ms DynamoDB Local's), ${fmt(largest.pages)} Query pages, ${fmt(largest.itemsRead)} items (${fmt(largest.clientItemsRead)} clients), ${fmt(largest.readUnits, 1)} read units`,
      met: largest.loadMs <= TARGETS.realmLoadMs && largest.clientItemsRead === 0,
    });
  }
  if (scale.length > 1) {
    // Each point's grant against the base realm's, timed in alternating blocks of the same window.
    const ratios = scale.map((r) => ({ r, ratio: r.grantCpuMicros / r.baseGrantCpuMicros }));
    const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    checks.push({
      target: `21.3 warm-grant CPU independent of the clients, roles, groups, scopes and mappers the client does not use (every point ÷ the base realm, same window, ≤ ${TARGETS.realmGrantRatio})`,
      measured: `${ratios.map(({ r, ratio }) => `${r.varies} ${fmt(r.clients)}/${fmt(r.roles)}/${fmt(r.scopes)}/${fmt(r.groups)}/${fmt(r.mappers)}: ${fmt(ratio, 2)}×`).join(', ')}; worst ${fmt(worst.r.grantCpuMicros)} µs vs ${fmt(worst.r.baseGrantCpuMicros)} µs`,
      met: worst.ratio <= TARGETS.realmGrantRatio,
    });
    const reload = scale.map((r) => `${r.varies} ${fmt(r.clients)}/${fmt(r.roles)}/${fmt(r.groups)}: ${fmt(r.perHour.total, 1)} (every TTL: ${fmt(r.perHour.reloadEveryTtl)})`);
    checks.push({
      target: `21.3 the reload every REALM_CACHE_TTL_SECONDS (${scale[0]!.perHour.ttlSeconds} s) stated in read units per container-hour: version checks + backstop reloads (every ${scale[0]!.perHour.backstopSeconds} s)`,
      measured: reload.join(', '),
      met: scale.every((r) => r.perHour.total <= r.perHour.reloadEveryTtl),
    });
  }
  for (const c of m.http ?? []) {
    const ratio = c.service.tokensPerServerCpuSecond / c.oidcProvider.tokensPerServerCpuSecond;
    checks.push({
      target: `2. tokens per server CPU-second ≥ ${TARGETS.httpCpuRatio}× oidc-provider's, ${c.alg} over HTTP`,
      measured: `${fmt(c.service.tokensPerServerCpuSecond)} vs ${fmt(c.oidcProvider.tokensPerServerCpuSecond)} = ${fmt(ratio, 2)}×`,
      met: ratio >= TARGETS.httpCpuRatio && c.service.failed === 0 && c.oidcProvider.failed === 0,
    });
  }
  const preloaded = m.firstGrant?.find((r) => r.preload);
  const lazy = m.firstGrant?.find((r) => !r.preload);
  if (preloaded) {
    checks.push({
      target: `3. cold start (module load + init + first grant) ≤ ${TARGETS.firstGrantMs} ms with PRELOAD_REALMS, median of ${preloaded.samples}`,
      measured: `${fmt(preloaded.totalMs)} ms with preload (init ${fmt(preloaded.initMs)} + grant ${fmt(preloaded.firstGrantMs, 1)}); without: ${lazy ? `${fmt(lazy.totalMs)} ms (init ${fmt(lazy.initMs)} + grant ${fmt(lazy.firstGrantMs, 1)})` : '–'}`,
      met: preloaded.totalMs <= TARGETS.firstGrantMs,
    });
  }
  if (m.frontDoorCost) {
    const alb = m.frontDoorCost.rows.find((row) => row.frontDoor === 'alb' && row.tokensPerSecond === TARGET_RATE)!;
    const reuse = m.frontDoorCost.albAtTargetByRequestsPerConnection.filter((row) => row.requestsPerConnection > 1);
    checks.push({
      target: `4. ≤ $${fmt(TARGETS.albUsdPerMillionAt1000, 2)} per million tokens at ${fmt(TARGET_RATE)} tokens/s with the ALB (envelope, no refresh tokens)`,
      measured: `$${fmt(alb.total, 3)} with a new connection per token (${reuse.map((row) => `$${fmt(row.total, 3)} with ${row.requestsPerConnection} per connection`).join(', ')}); crossover ${m.frontDoorCost.crossoverTokensPerSecond ? `${fmt(m.frontDoorCost.crossoverTokensPerSecond, 1)} tokens/s` : 'none'}`,
      met: alb.total <= TARGETS.albUsdPerMillionAt1000,
    });
  }
  if (m.memory) {
    const chosen = m.memory.chosenMb;
    checks.push({
      target: '5. default memory = the cheapest size whose modelled p99 stays under 10 ms of handler time',
      measured: `model chooses ${chosen ?? 'none'} MB; serverless.yml has ${m.memory.configuredMb} MB`,
      met: chosen !== undefined && chosen === m.memory.configuredMb,
    });
  }
  const grant = m.awsCalls?.find((op) => op.operation === 'grant' && op.mode === 'envelope' && op.alg === 'RS256');
  if (grant) {
    const calls = Object.keys(grant.calls);
    checks.push({ target: 'keep: a warm envelope grant of a cached client makes no AWS call', measured: calls.length === 0 ? 'none' : calls.join(', '), met: calls.length === 0 });
  }
  if (m.coldStart && m.coldStart.length > 0) {
    const biggest = m.coldStart.reduce((a, b) => (b.bundleKb > a.bundleKb ? b : a));
    checks.push({ target: `keep: every bundle ≤ ${TARGETS.bundleKb} KB minified`, measured: `largest ${biggest.function} ${fmt(biggest.bundleKb)} KB`, met: biggest.bundleKb <= TARGETS.bundleKb });
  }
  // A part that ran replaces its placeholder.
  return [...checks, ...NOT_MEASURED.filter((entry) => !(m.realmScale && entry.target.startsWith('21.3')))];
}
