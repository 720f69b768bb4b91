import type { SignedCallerIdentityRequest } from './callerIdentityRequest.js';
import { guardedRequest, type FetchLimits } from './guardedRequest.js';

/** Who STS says signed a GetCallerIdentity request (GetCallerIdentityResult). */
export interface CallerIdentity {
  /** As STS returns it: `arn:aws:sts::<account>:assumed-role/<role>/<session>`, `arn:aws:iam::<account>:user/<path>/<name>`, … */
  arn: string;
  account: string;
  userId: string;
}

/** STS could not be asked (down, slow, too large, not STS's answer): the caller gets 401, the log a warning. */
export class StsUnavailable extends Error {}

/** STS answered that the request is not valid (`SignatureDoesNotMatch`, `InvalidClientTokenId`, `ExpiredToken`, …). */
export class StsRefused extends Error {
  constructor(readonly code: string) {
    super(`STS refused the request: ${code}`);
  }
}

export interface StsCallerOptions extends FetchLimits {
  /**
   * The local stage only (config `localStsEndpoint`): every STS host's requests go to this loopback
   * URL instead, with their Host header unchanged, where a test double answers.
   */
  endpointOverride?: string;
}

export const DEFAULT_STS_CALLER_OPTIONS: StsCallerOptions = { timeoutMs: 3000, maxBytes: 16 * 1024, allowLoopbackHttp: false };

export type CallerIdentityLookup = (request: SignedCallerIdentityRequest) => Promise<CallerIdentity>;

/**
 * Sends a checked GetCallerIdentity request to its STS host (never to a host the caller chose:
 * `request.host` is one of the partition's, lib/clientAuth/callerIdentityRequest.ts), with no
 * redirect followed and time and size capped, and reads STS's answer.
 */
export function stsCallerIdentity(options: StsCallerOptions = DEFAULT_STS_CALLER_OPTIONS): CallerIdentityLookup & { calls: () => number } {
  let calls = 0;
  const lookup = async (request: SignedCallerIdentityRequest): Promise<CallerIdentity> => {
    calls++;
    const url = options.endpointOverride ?? `https://${request.host}/`;
    let answer;
    try {
      answer = await guardedRequest(url, options, { method: 'POST', headers: request.headers, body: request.body });
    } catch (err) {
      throw new StsUnavailable(`STS ${request.host} could not be reached: ${(err as Error).message}`);
    }
    if (answer.status === 200) return parseCallerIdentity(answer.text);
    const code = answer.status >= 400 && answer.status < 500 ? errorCode(answer.text) : undefined;
    if (code !== undefined) throw new StsRefused(code);
    throw new StsUnavailable(`STS ${request.host} answered status ${answer.status}`);
  };
  return Object.assign(lookup, { calls: () => calls });
}

const ARN = /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::(\d{12}):([A-Za-z0-9+=,.@_/-]{1,1000})$/;

/**
 * STS's GetCallerIdentityResponse (query protocol XML). No XML library: the answer comes from a
 * fixed AWS host, is capped in size, and we need three text elements, each of which must occur
 * exactly once inside GetCallerIdentityResult and match the shape AWS documents.
 */
export function parseCallerIdentity(xml: string): CallerIdentity {
  const result = /<GetCallerIdentityResult>([\s\S]*)<\/GetCallerIdentityResult>/.exec(xml)?.[1];
  if (result === undefined) throw new StsUnavailable('STS answered without a GetCallerIdentityResult');
  const arn = element(result, 'Arn');
  const account = element(result, 'Account');
  const userId = element(result, 'UserId');
  const parsed = arn === undefined ? null : ARN.exec(arn);
  if (!parsed || account === undefined || parsed[3] !== account || userId === undefined || !/^[A-Za-z0-9:+=,.@_-]{1,256}$/.test(userId)) {
    throw new StsUnavailable('STS answered a GetCallerIdentityResult of an unexpected shape');
  }
  return { arn: arn!, account, userId };
}

function element(xml: string, name: string): string | undefined {
  const found = [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))];
  return found.length === 1 ? unescapeXml(found[0]![1]!) : undefined;
}

/** The `<Code>` of STS's ErrorResponse. */
function errorCode(xml: string): string | undefined {
  const at = xml.indexOf('<Error>');
  return at < 0 ? undefined : /<Code>([A-Za-z0-9.]{1,100})<\/Code>/.exec(xml.slice(at))?.[1];
}

const XML_ENTITIES = new Map([['&amp;', '&'], ['&lt;', '<'], ['&gt;', '>'], ['&quot;', '"'], ['&apos;', "'"]]);
const unescapeXml = (text: string) => text.replace(/&(amp|lt|gt|quot|apos);/g, (entity) => XML_ENTITIES.get(entity)!);

/**
 * The identity a client is bound to (`jwt.credential.sub`): an assumed role's session ARN becomes
 * its role's ARN, `arn:<p>:sts::<acct>:assumed-role/<role>/<session>` → `arn:<p>:iam::<acct>:role/<role>`
 * (Vault's canonical ARN). STS does not return the role's path, so the bound ARN is written
 * without it. Any other ARN (an IAM user, a federated user) is bound as STS returns it.
 */
export function canonicalArn(arn: string): string {
  const assumed = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : arn;
}

/** The partition an ARN belongs to. */
export const partitionOfArn = (arn: string) => /^arn:([a-z-]+):/.exec(arn)?.[1];
