import { type IdentityProvider } from './identityProvider.js';

/**
 * Ready-made identity providers for the issuers AWS teams use (ours, beyond Keycloak; the facts are
 * in docs/workload-identity.md). A preset fills the type and config from the one thing that
 * differs per account or cluster, the issuer; the CLI (`sa-admin idp create --preset`) and the
 * docs read this list.
 */
export interface IdentityProviderPreset {
  name: string;
  description: string;
  /** The issuer when it is the same for everyone (GitHub); else the caller gives it. */
  issuer?: string;
  /** What the caller's issuer must look like, for a helpful refusal. */
  issuerHint: string;
  build(issuer: string): Pick<IdentityProvider, 'providerId' | 'config'>;
}

const trimmed = (issuer: string) => issuer.replace(/\/+$/, '');

export const IDENTITY_PROVIDER_PRESETS: readonly IdentityProviderPreset[] = [
  {
    name: 'aws-sts',
    description: 'AWS IAM outbound identity federation (sts:GetWebIdentityToken): sub = the IAM role ARN',
    issuerHint: 'https://<id>.tokens.sts.global.api.aws (aws iam get-outbound-web-identity-federation-info)',
    // The account issuer publishes its keys at <issuer>/.well-known/jwks.json; tokens carry a jti, so reuse stays off.
    build: (issuer) => ({
      providerId: 'oidc',
      config: { issuer: trimmed(issuer), supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: `${trimmed(issuer)}/.well-known/jwks.json` },
    }),
  },
  {
    name: 'eks',
    description: 'EKS (or any Kubernetes) service-account tokens: sub = system:serviceaccount:<namespace>:<name>',
    issuerHint: 'https://oidc.eks.<region>.amazonaws.com/id/<ID> (aws eks describe-cluster --query cluster.identity.oidc.issuer)',
    // Kubernetes type: keys through the issuer's public discovery document, max age 3600 s, reuse allowed (kubelet caches tokens).
    build: (issuer) => ({ providerId: 'kubernetes', config: { issuer: trimmed(issuer) } }),
  },
  {
    name: 'github',
    description: 'GitHub Actions OIDC tokens: sub = repo:<owner>/<repo>:ref:… or …:environment:<name>',
    issuer: 'https://token.actions.githubusercontent.com',
    issuerHint: 'https://token.actions.githubusercontent.com (GitHub Enterprise Cloud: https://token.actions.githubusercontent.com/<enterprise>)',
    build: (issuer) => ({
      providerId: 'oidc',
      config: { issuer: trimmed(issuer), supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: `${trimmed(issuer)}/.well-known/jwks` },
    }),
  },
  {
    name: 'gitlab',
    description: 'GitLab CI id_tokens: sub = project_path:<group>/<project>:ref_type:<type>:ref:<ref>',
    issuer: 'https://gitlab.com',
    issuerHint: 'https://gitlab.com or your GitLab instance URL',
    build: (issuer) => ({
      providerId: 'oidc',
      config: { issuer: trimmed(issuer), supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: `${trimmed(issuer)}/oauth/discovery/keys` },
    }),
  },
];

export const identityProviderPreset = (name: string) => IDENTITY_PROVIDER_PRESETS.find((preset) => preset.name === name);
