/** What one operation costs on AWS, from what it used and the price table (prices.ts). */
import { ALB_LCU, HOURS_PER_MONTH, LAMBDA_MB_PER_VCPU, PRICES, unitPrice } from './prices.js';

/** The AWS usage of one operation (one API Gateway request, one Lambda invocation). */
export interface OperationUsage {
  /** Measured warm duration of the handler; Lambda bills it rounded up to the next millisecond. */
  durationMs: number;
  memoryMb: number;
  readRequestUnits: number;
  writeRequestUnits: number;
  kmsSymmetricRequests: number;
  kmsRsa2048Signs: number;
  kmsEccSigns: number;
}

export interface CostBreakdown {
  apiGateway: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoDb: number;
  kms: number;
  total: number;
}

/** US dollars per million operations. */
export function costPerMillion(usage: OperationUsage): CostBreakdown {
  const million = 1_000_000;
  const billedSeconds = Math.ceil(usage.durationMs) / 1000;
  const apiGateway = unitPrice(PRICES.apiGatewayHttpRequest) * million;
  const lambdaRequests = unitPrice(PRICES.lambdaRequest) * million;
  const lambdaDuration = (usage.memoryMb / 1024) * billedSeconds * unitPrice(PRICES.lambdaArmGbSecond) * million;
  const dynamoDb =
    (usage.readRequestUnits * unitPrice(PRICES.dynamoDbReadRequestUnit) + usage.writeRequestUnits * unitPrice(PRICES.dynamoDbWriteRequestUnit)) * million;
  const kms =
    (usage.kmsSymmetricRequests * unitPrice(PRICES.kmsSymmetricRequest) +
      usage.kmsRsa2048Signs * unitPrice(PRICES.kmsSignRsa2048) +
      usage.kmsEccSigns * unitPrice(PRICES.kmsSignEcc)) *
    million;
  return { apiGateway, lambdaRequests, lambdaDuration, dynamoDb, kms, total: apiGateway + lambdaRequests + lambdaDuration + dynamoDb + kms };
}

/** Amazon Cognito's price for a million client-credential tokens. */
export const cognitoPerMillion = (): number => unitPrice(PRICES.cognitoM2mToken) * 1_000_000;


export type FrontDoor = 'httpApi' | 'alb';
export const FRONT_DOORS: readonly FrontDoor[] = ['httpApi', 'alb'];

/** Steady traffic: what the front door's price depends on besides the request count. */
export interface Traffic {
  tokensPerSecond: number;
  /** One request and its response on the wire, headers included (TLS records not counted). */
  bytesPerRequest: number;
  /**
   * Token requests per client connection. 1 is the client-credentials pattern: a client fetches
   * a token when the last one expires (minutes later), long after any keep-alive has closed.
   */
  requestsPerConnection: number;
  /** Listener rules the ALB evaluates for a request (in priority order until one matches). */
  rulesEvaluated: number;
}

export interface SustainedCost {
  frontDoor: FrontDoor;
  tokensPerSecond: number;
  /** HTTP API requests (tiered), or the ALB's hours, public IPv4 addresses and capacity units. */
  frontDoorPerMillion: number;
  /** ALB only: LCUs billed per hour at this rate, and which dimension sets them. */
  lcu?: { units: number; dimension: 'new connections' | 'active connections' | 'processed bytes' | 'rule evaluations' };
  lambdaPerMillion: number;
  /** DynamoDB and KMS, as for one operation (envelope grant without refresh tokens: nothing). */
  dataPerMillion: number;
  total: number;
}

const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** An internet-facing ALB spans at least two Availability Zones, with a public IPv4 address in each. */
export const ALB_PUBLIC_IPV4_ADDRESSES = 2;

/** US dollars per million tokens at a steady rate, behind one front door. */
export function sustainedCostPerMillion(usage: OperationUsage, frontDoor: FrontDoor, traffic: Traffic): SustainedCost {
  const perOperation = costPerMillion(usage);
  const lambdaPerMillion = perOperation.lambdaRequests + perOperation.lambdaDuration;
  const dataPerMillion = perOperation.dynamoDb + perOperation.kms;
  const r = traffic.tokensPerSecond;
  let frontDoorPerMillion: number;
  let lcu: SustainedCost['lcu'];
  if (frontDoor === 'httpApi') {
    const monthly = r * SECONDS_PER_MONTH;
    const firstTier = Math.min(monthly, 300_000_000);
    const cost = firstTier * unitPrice(PRICES.apiGatewayHttpRequest) + (monthly - firstTier) * unitPrice(PRICES.apiGatewayHttpRequestOver300M);
    frontDoorPerMillion = (cost / monthly) * 1_000_000;
  } else {
    const connectionsPerSecond = r / traffic.requestsPerConnection;
    const dimensions = [
      ['new connections', connectionsPerSecond / ALB_LCU.newConnectionsPerSecond],
      // Each connection carries its requests and closes within the minute it opened.
      ['active connections', (connectionsPerSecond * 60) / ALB_LCU.activeConnectionsPerMinute],
      ['processed bytes', (r * 3600 * traffic.bytesPerRequest) / 1e9 / ALB_LCU.processedGbPerHourLambda],
      ['rule evaluations', (r * Math.max(0, traffic.rulesEvaluated - ALB_LCU.freeRules)) / ALB_LCU.ruleEvaluationsPerSecond],
    ] as const;
    const [dimension, units] = dimensions.reduce((a, b) => (b[1] > a[1] ? b : a));
    lcu = { units, dimension };
    const perHour = PRICES.albHour.usd + ALB_PUBLIC_IPV4_ADDRESSES * PRICES.publicIpv4Hour.usd + units * PRICES.albLcuHour.usd;
    frontDoorPerMillion = (perHour / (r * 3600)) * 1_000_000;
  }
  return { frontDoor, tokensPerSecond: r, frontDoorPerMillion, lcu, lambdaPerMillion, dataPerMillion, total: frontDoorPerMillion + lambdaPerMillion + dataPerMillion };
}

/**
 * The steady rate above which the ALB costs less per token than the HTTP API (bisection on a log
 * scale; the ALB's fixed hours fall per token as the rate grows, the HTTP API's price does not).
 * Undefined when one is cheaper over the whole range.
 */
export function crossoverTokensPerSecond(usage: OperationUsage, traffic: Omit<Traffic, 'tokensPerSecond'>, range: [number, number] = [0.001, 1e6]): number | undefined {
  const albMinusHttpApi = (r: number) =>
    sustainedCostPerMillion(usage, 'alb', { ...traffic, tokensPerSecond: r }).total - sustainedCostPerMillion(usage, 'httpApi', { ...traffic, tokensPerSecond: r }).total;
  let [low, high] = range;
  if (albMinusHttpApi(low) <= 0 || albMinusHttpApi(high) >= 0) return undefined;
  for (let i = 0; i < 100; i++) {
    const mid = Math.sqrt(low * high);
    if (albMinusHttpApi(mid) > 0) low = mid;
    else high = mid;
  }
  return Math.sqrt(low * high);
}

/** A Lambda function's share of one vCPU at a memory size (1,769 MB = 1 vCPU; more is unused by one thread). */
export const vcpuShare = (memoryMb: number): number => Math.min(1, memoryMb / LAMBDA_MB_PER_VCPU);
