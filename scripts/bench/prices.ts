/**
 * THE price table of the benchmark: every price it multiplies by, with where it comes from.
 *
 * All prices are public on-demand list prices in us-east-1 (US East, N. Virginia), first tier,
 * without free tiers. The benchmark machine has no internet access, so none was fetched by the
 * benchmark: each was taken from the page named, as published on the date given in `asOf`, and
 * where a price could not be read from a stored copy of AWS's page, from the figure quoted in the
 * project's issue 6 (said so in `note`). Check them before quoting a cost to anyone.
 */

export interface Price {
  /** US dollars per `per` units. */
  usd: number;
  per: number;
  unit: string;
  region: 'us-east-1';
  source: { title: string; url: string };
  /** When this price was published as stated (the latest change we know of). */
  asOf: string;
  note?: string;
}

export const PRICES = {
  apiGatewayHttpRequest: {
    usd: 1.0,
    per: 1_000_000,
    unit: 'HTTP API request (up to 512 KB)',
    region: 'us-east-1',
    source: { title: 'Amazon API Gateway pricing: HTTP APIs', url: 'https://aws.amazon.com/api-gateway/pricing/' },
    asOf: '2020-03 (HTTP APIs GA; unchanged since)',
    note: 'first 300 million requests a month; $0.90 per million above (apiGatewayHttpRequestOver300M)',
  },
  apiGatewayHttpRequestOver300M: {
    usd: 0.9,
    per: 1_000_000,
    unit: 'HTTP API request beyond the first 300 million of a month',
    region: 'us-east-1',
    source: { title: 'Amazon API Gateway pricing: HTTP APIs', url: 'https://aws.amazon.com/api-gateway/pricing/' },
    asOf: '2020-03 (HTTP APIs GA; unchanged since)',
  },
  albHour: {
    usd: 0.0225,
    per: 1,
    unit: 'Application Load Balancer-hour (or partial hour)',
    region: 'us-east-1',
    source: { title: 'Elastic Load Balancing pricing: Application Load Balancer', url: 'https://aws.amazon.com/elasticloadbalancing/pricing/' },
    asOf: '2017-09 (LCU billing; unchanged since)',
    note: "issue 13: '≈ $16/month' = 730 h × $0.0225",
  },
  albLcuHour: {
    usd: 0.008,
    per: 1,
    unit: 'Load Balancer Capacity Unit-hour (LCU-hour): the largest of the dimensions in ALB_LCU',
    region: 'us-east-1',
    source: { title: 'Elastic Load Balancing pricing: Application Load Balancer', url: 'https://aws.amazon.com/elasticloadbalancing/pricing/' },
    asOf: '2017-09 (LCU billing; unchanged since)',
  },
  publicIpv4Hour: {
    usd: 0.005,
    per: 1,
    unit: 'public IPv4 address-hour (an internet-facing ALB holds one per Availability Zone, at least two)',
    region: 'us-east-1',
    source: { title: 'Amazon VPC pricing: public IPv4 addresses', url: 'https://aws.amazon.com/vpc/pricing/' },
    asOf: '2024-02-01 (public IPv4 charge introduced)',
  },
  lambdaRequest: {
    usd: 0.2,
    per: 1_000_000,
    unit: 'Lambda invocation',
    region: 'us-east-1',
    source: { title: 'AWS Lambda pricing', url: 'https://aws.amazon.com/lambda/pricing/' },
    asOf: '2020-12 (1 ms billing)',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 1,
    unit: 'GB-second, arm64 (Graviton2)',
    region: 'us-east-1',
    source: { title: 'AWS Lambda pricing: Arm price', url: 'https://aws.amazon.com/lambda/pricing/' },
    asOf: '2021-09 (arm64 launch)',
    note: 'first 7.5 billion GB-seconds a month; duration billed in 1 ms increments',
  },
  dynamoDbReadRequestUnit: {
    usd: 0.125,
    per: 1_000_000,
    unit: 'on-demand read request unit',
    region: 'us-east-1',
    source: { title: 'Amazon DynamoDB pricing for on-demand capacity', url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
    asOf: '2024-11-01 (on-demand throughput price cut by 50%)',
    note: 'one strongly consistent read of up to 4 KB, or two eventually consistent ones',
  },
  dynamoDbWriteRequestUnit: {
    usd: 0.625,
    per: 1_000_000,
    unit: 'on-demand write request unit',
    region: 'us-east-1',
    source: { title: 'Amazon DynamoDB pricing for on-demand capacity', url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
    asOf: '2024-11-01 (on-demand throughput price cut by 50%)',
    note: 'one standard write of up to 1 KB',
  },
  kmsSymmetricRequest: {
    usd: 0.03,
    per: 10_000,
    unit: 'KMS request, symmetric key (Decrypt, GenerateDataKey…)',
    region: 'us-east-1',
    source: { title: 'AWS Key Management Service pricing: key usage', url: 'https://aws.amazon.com/kms/pricing/' },
    asOf: '2019 (unchanged)',
  },
  kmsSignRsa2048: {
    usd: 0.03,
    per: 10_000,
    unit: 'KMS request with an RSA_2048 key (Sign)',
    region: 'us-east-1',
    source: { title: 'AWS Key Management Service pricing: key usage', url: 'https://aws.amazon.com/kms/pricing/' },
    asOf: '2019-11 (asymmetric keys launch)',
    note: "issue 6: '$3 per million signs with RSA_2048'; the stored copy of AWS's page does not render its table",
  },
  kmsSignEcc: {
    usd: 0.15,
    per: 10_000,
    unit: 'KMS request with an asymmetric key other than RSA_2048 (Sign with ECC_NIST_P256)',
    region: 'us-east-1',
    source: { title: 'AWS Key Management Service pricing: key usage', url: 'https://aws.amazon.com/kms/pricing/' },
    asOf: '2019-11 (asymmetric keys launch)',
    note: "issue 6: '$15 with ECC'",
  },
  cognitoM2mToken: {
    usd: 2.25,
    per: 1_000,
    unit: 'Amazon Cognito machine-to-machine access token request',
    region: 'us-east-1',
    source: { title: 'Amazon Cognito pricing: machine-to-machine (M2M) authorization', url: 'https://aws.amazon.com/cognito/pricing/' },
    asOf: '2024-05',
    note: 'issue 6: $2.25 per 1,000 tokens; client-credential requests capped at 150 per second per account, not adjustable',
  },
} as const satisfies Record<string, Price>;

/**
 * What one ALB Capacity Unit (LCU) covers per hour; an hour is billed for the largest of the four
 * dimensions (same page and date as `albLcuHour`). Processed bytes count requests and responses,
 * headers included; Lambda targets get 0.4 GB per LCU-hour (EC2 targets 1 GB).
 */
export const ALB_LCU = {
  newConnectionsPerSecond: 25,
  activeConnectionsPerMinute: 3000,
  processedGbPerHourLambda: 0.4,
  ruleEvaluationsPerSecond: 1000,
  /** Rule evaluations = request rate × (rules processed − 10 free rules). */
  freeRules: 10,
} as const;

/** AWS prices a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

/**
 * Lambda's CPU share grows in proportion to memory: 1,769 MB is one full vCPU (AWS Lambda
 * developer guide, "Configuring Lambda function memory"). Above it a function gets more than one
 * vCPU, which a single-threaded handler cannot use.
 */
export const LAMBDA_MB_PER_VCPU = 1769;

/** Dollars per single unit. */
export const unitPrice = (price: Price): number => price.usd / price.per;
