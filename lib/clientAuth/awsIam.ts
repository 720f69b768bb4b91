import { createHash } from 'node:crypto';
import { acceptsClientAssertions, AWS_IAM_ASSERTION, awsPartitionOf, clockSkewOf, CREDENTIAL_CLAIMS_ATTRIBUTE, identityProviderType, maxAgeOf } from '../model/identityProvider.js';
import { readCallerIdentityRequest } from './callerIdentityRequest.js';
import { ruleBroken } from './clientAssertion.js';
import { unmetClaimCondition } from './claimConditions.js';
import type { ClientAuthInput, FederatedAssertion } from './method.js';
import { canonicalArn, partitionOfArn, StsRefused, type CallerIdentity, type CallerIdentityLookup } from './stsCallerIdentity.js';

export interface AwsIamDeps {
  useOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
  now(): number;
  /** Asks STS who signed a request (lib/clientAuth/stsCallerIdentity.ts); absent, aws-iam assertions are refused. */
  callerIdentity?: CallerIdentityLookup;
  /** Told why STS could not be asked (a warning in the log; the caller only sees 401). */
  onStsUnavailable?(alias: string, reason: string): void;
}

/**
 * The `aws-iam` strategy (ours, Vault's design; docs/workload-identity.md): the assertion is a
 * presigned `sts:GetCallerIdentity` request bound to this realm; STS says whose it is; the
 * canonical ARN is the external subject, bound to a client by `jwt.credential.sub` like a JWT's.
 *
 * Order: the request's form (no network), the IdP of its partition, its age, its single use, the
 * STS call, then, once the client is chosen, the claim conditions. The signature is spent before
 * STS is asked, so a replay never reaches STS; only the signer, or whoever saw the request, knows
 * a signature, so no one can spend another's in advance.
 */
export async function awsIamAssertion(deps: AwsIamDeps, input: ClientAuthInput): Promise<FederatedAssertion> {
  const fail = (reason: string) => ruleBroken(input, reason);
  const request = readCallerIdentityRequest(input.form.get('client_assertion') ?? '', input.issuer, fail);
  // The audit event names the request by a digest of its signature: the request itself works at STS for 15 minutes.
  const details = { client_assertion_id: createHash('sha256').update(request.signature).digest('hex').slice(0, 32), client_assertion_issuer: request.host };
  input.onAssertion?.(details);

  const idp = (input.federation?.identityProviders ?? []).find(
    (candidate) => identityProviderType(candidate)?.assertionType === AWS_IAM_ASSERTION && acceptsClientAssertions(candidate) && awsPartitionOf(candidate.config) === request.partition,
  );
  if (!idp) throw fail('No identity provider for the client assertion');

  // Keycloak's time rules for an assertion with `iat` (§3.2), X-Amz-Date playing `iat`.
  const now = deps.now();
  const maxAge = maxAgeOf(idp);
  if (request.signedAt - clockSkewOf(idp) > now) throw fail('Request was signed in the future');
  if (now > request.signedAt + maxAge) throw fail('Request was signed too far in the past to be used now');
  const key = `JTI#${input.realm}#aws-iam#${idp.alias}#${request.signature}`;
  if (!(await deps.useOnce(key, request.signedAt + maxAge + 1, now))) throw fail('Token reuse detected');

  const identity = await askSts(deps, idp.alias, request, fail);
  if (partitionOfArn(identity.arn) !== request.partition) throw fail('STS answered an identity of another partition');
  const sub = canonicalArn(identity.arn);
  input.onAssertion?.({ ...details, client_assertion_sub: sub });
  // What claim conditions (`jwt.credential.claims`) may name: e.g. {"account": "…"}, {"arn": "arn:aws:sts::…:assumed-role/…/i-*"}.
  const claims = { sub, arn: identity.arn, account: identity.account, user_id: identity.userId, region: request.region };
  return {
    idp,
    sub,
    async verify(client) {
      const unmet = unmetClaimCondition(claims, client.attributes[CREDENTIAL_CLAIMS_ATTRIBUTE]);
      if (unmet !== undefined) throw fail(`Claim condition not met: ${unmet}`);
    },
  };
}

async function askSts(deps: AwsIamDeps, alias: string, request: Parameters<CallerIdentityLookup>[0], fail: (reason: string) => Error): Promise<CallerIdentity> {
  if (!deps.callerIdentity) throw fail('aws-iam assertions are not accepted here');
  try {
    return await deps.callerIdentity(request);
  } catch (err) {
    if (err instanceof StsRefused) throw fail(err.message);
    // Down, slow, or an answer that is not STS's: never a 5xx, and the operator hears of it.
    deps.onStsUnavailable?.(alias, (err as Error).message);
    throw fail('Unable to ask STS who signed the request');
  }
}
