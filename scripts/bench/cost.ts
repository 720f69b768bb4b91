/** What one operation costs on AWS, from what it used and the price table (prices.ts). */
import { PRICES, unitPrice } from './prices.js';

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

