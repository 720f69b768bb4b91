/**
 * The KMS key policy of a realm's own signing key (sa-admin keys rotate in kms mode): a
 * deployment concern, written as infra/kms.yml and infra/iam.yml write the stage's.
 */

/**
 * What the account (and through it, IAM) may do with a key: administer it, never use it to sign
 * or decrypt. AWS requires a key policy to keep the key manageable by the account; without
 * kms:Sign and kms:Decrypt here, no IAM policy in the account can grant them, and only the
 * principals a key policy names (the stage's function roles) can mint tokens or unwrap keys.
 * infra/kms.yml grants the account the same actions (a test compares them).
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  // Not kms:Create*: that includes kms:CreateGrant, with which a principal could grant itself kms:Sign.
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/** The roles of a stage's functions, as infra/iam.yml names them. */
export const stageRoleArn = (target: KeyPolicyTarget, fn: string) =>
  `arn:${target.partition}:iam::${target.account}:role/${target.service}-${target.stage}-${target.region}-${fn}`;

export interface KeyPolicyTarget {
  partition: string;
  account: string;
  region: string;
  stage: string;
  service: string;
}

/**
 * The key policy of a realm's KMS signing key: the account administers it, and the stage's token
 * and refresh functions, the only ones that sign, may call kms:Sign. A key policy that names a
 * principal of the same account grants it access on its own, so no IAM policy needs to name the key.
 */
export function signingKeyPolicy(target: KeyPolicyTarget): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `${target.service}-${target.stage}-signing`,
    Statement: [
      {
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:${target.partition}:iam::${target.account}:root` },
        Action: [...KEY_ADMINISTRATION_ACTIONS],
        Resource: '*',
      },
      {
        Sid: 'TokenFunctionsSign',
        Effect: 'Allow',
        Principal: { AWS: [stageRoleArn(target, 'token'), stageRoleArn(target, 'refresh')] },
        Action: 'kms:Sign',
        Resource: '*',
      },
    ],
  });
}
