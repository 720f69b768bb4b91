/** The targets of issue 6, checked against one run's measurements. */
import type { OperationResult } from './awsCalls.js';
import type { ColdStartResult } from './coldStart.js';
import type { HandlerCostResult } from './handlerCost.js';
import type { HttpComparison } from './http.js';

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export const TARGETS = {
  envelopeRs256RatioToBareSign: 0.8,
  envelopeEs256GrantsPerCpuSecond: 5000,
  httpRatioRs256: 1.2,
  httpRatioEs256: 1.5,
  envelopeUsdPerMillion: 2,
  kmsRsaUsdPerMillion: 5,
  bundleKb: 400,
  loadMs: 150,
} as const;

export interface Measurements {
  handlerCost?: HandlerCostResult[];
  http?: HttpComparison[];
  awsCalls?: OperationResult[];
  coldStart?: ColdStartResult[];
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function checkTargets(m: Measurements): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const cost = (mode: string, alg: string) => m.handlerCost?.find((r) => r.mode === mode && r.alg === alg);
  const rs = cost('envelope', 'RS256');
  if (rs) {
    checks.push({
      target: `envelope RS256 handler ≥ ${TARGETS.envelopeRs256RatioToBareSign} × bare crypto.sign`,
      measured: `${fmt(rs.grantsPerCpuSecond)} vs ${fmt(rs.bareSignsPerCpuSecond)} per CPU-s = ${fmt(rs.ratio, 2)}`,
      met: rs.ratio >= TARGETS.envelopeRs256RatioToBareSign,
    });
  }
  const es = cost('envelope', 'ES256');
  if (es) {
    checks.push({
      target: `envelope ES256 handler ≥ ${fmt(TARGETS.envelopeEs256GrantsPerCpuSecond)} grants per CPU-s`,
      measured: `${fmt(es.grantsPerCpuSecond)} grants per CPU-s`,
      met: es.grantsPerCpuSecond >= TARGETS.envelopeEs256GrantsPerCpuSecond,
    });
  }
  for (const comparison of m.http ?? []) {
    const wanted = comparison.alg === 'RS256' ? TARGETS.httpRatioRs256 : TARGETS.httpRatioEs256;
    const { service, oidcProvider } = comparison;
    checks.push({
      target: `HTTP ${comparison.alg} ≥ ${wanted}× oidc-provider's tokens/s, p99 no worse`,
      measured: `${fmt(service.tokensPerSecond)} vs ${fmt(oidcProvider.tokensPerSecond)} tokens/s = ${fmt(comparison.ratio, 2)}×; p99 ${fmt(service.p99Ms)} vs ${fmt(oidcProvider.p99Ms)} ms`,
      met: comparison.ratio >= wanted && service.p99Ms <= oidcProvider.p99Ms && service.failed === 0 && oidcProvider.failed === 0,
    });
  }
  const grants = (m.awsCalls ?? []).filter((op) => op.operation === 'grant');
  const envelope = grants.filter((op) => op.mode === 'envelope');
  if (envelope.length > 0) {
    const worst = Math.max(...envelope.map((op) => op.costPerMillion.total));
    checks.push({
      target: `envelope mode, no refresh tokens ≤ $${TARGETS.envelopeUsdPerMillion} per million tokens`,
      measured: envelope.map((op) => `${op.alg} $${fmt(op.costPerMillion.total, 2)}`).join(', '),
      met: worst <= TARGETS.envelopeUsdPerMillion,
    });
  }
  const kmsRsa = grants.find((op) => op.mode === 'kms' && op.alg === 'RS256');
  if (kmsRsa) {
    checks.push({
      target: `kms mode RSA_2048 ≤ $${TARGETS.kmsRsaUsdPerMillion} per million tokens`,
      measured: `$${fmt(kmsRsa.costPerMillion.total, 2)}`,
      met: kmsRsa.costPerMillion.total <= TARGETS.kmsRsaUsdPerMillion,
    });
  }
  if (m.coldStart && m.coldStart.length > 0) {
    const biggest = m.coldStart.reduce((a, b) => (b.bundleKb > a.bundleKb ? b : a));
    const slowest = m.coldStart.reduce((a, b) => (b.loadMs > a.loadMs ? b : a));
    checks.push({
      target: `every bundle ≤ ${TARGETS.bundleKb} KB minified`,
      measured: `largest ${biggest.function} ${fmt(biggest.bundleKb)} KB`,
      met: biggest.bundleKb <= TARGETS.bundleKb,
    });
    checks.push({
      target: `every load ≤ ${TARGETS.loadMs} ms`,
      measured: `slowest ${slowest.function} ${fmt(slowest.loadMs)} ms (median)`,
      met: slowest.loadMs <= TARGETS.loadMs,
    });
  }
  return checks;
}
