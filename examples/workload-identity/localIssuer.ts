import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * Three token issuers on one loopback port, standing in for what a workload's platform runs:
 * an EKS cluster's service-account issuer, an AWS account's STS outbound-federation issuer and
 * GitHub Actions. Each publishes a discovery document and a JWKS where the real one does, and
 * mints tokens shaped as the real one shapes them. The token service fetches only the public keys;
 * the private keys never leave this process. Plain http on loopback is accepted in the local stage
 * only: deployed, every issuer must be https.
 */

export type Platform = 'eks' | 'sts' | 'github';

interface IssuerSpec {
  /** Path under the loopback origin where the real issuer has its host. */
  path: string;
  /** Where the discovery document points for keys (each platform has its own habit). */
  jwksPath: string;
  alg: 'RS256' | 'ES384';
}

const SPECS: Record<Platform, IssuerSpec> = {
  // Real: https://oidc.eks.<region>.amazonaws.com/id/<ID>; the API server serves keys at /openid/v1/jwks.
  eks: { path: '/id/EXAMPLED539D4633E53DE1B71EXAMPLE', jwksPath: '/keys', alg: 'RS256' },
  // Real: https://<id>.tokens.sts.global.api.aws; STS signs with RS256 or ES384 (SigningAlgorithm).
  sts: { path: `/${'a1b2c3d4-e5f6-4a5b-9c8d-0123456789ab'}.tokens.sts.global.api.aws`, jwksPath: '/.well-known/jwks.json', alg: 'ES384' },
  // Real: https://token.actions.githubusercontent.com.
  github: { path: '/token.actions.githubusercontent.com', jwksPath: '/.well-known/jwks', alg: 'RS256' },
};

export interface LocalIssuers {
  /** The `iss` of each platform's tokens, and what its identity provider's `issuer` is set to. */
  issuer: Record<Platform, string>;
  /** The JWKS URL of each (what `jwksUrl` is for OIDC-type identity providers). */
  jwksUrl: Record<Platform, string>;
  /** Every path the token service fetched, in order: keys are fetched once, not per grant. */
  fetched: string[];
  /** A Kubernetes projected service-account token for `namespace`/`serviceAccount`. */
  kubernetesToken(audience: string, namespace: string, serviceAccount: string): Promise<string>;
  /** What `sts:GetWebIdentityToken` returns to a workload running as `roleArn`. */
  stsWebIdentityToken(audience: string, roleArn: string, context: { account: string; orgId: string; region: string }): Promise<string>;
  /** What `core.getIDToken(audience)` returns in a workflow of `repository` running for `environment`. */
  githubActionsToken(audience: string, repository: string, environment: string): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalIssuers(port = 0): Promise<LocalIssuers> {
  const keys = new Map<Platform, { privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: JWK }>();
  for (const [platform, spec] of Object.entries(SPECS) as [Platform, IssuerSpec][]) {
    const pair = await generateKeyPair(spec.alg, { extractable: true });
    keys.set(platform, { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: `${platform}-1`, alg: spec.alg, use: 'sig' } });
  }
  const fetched: string[] = [];
  const server: Server = createServer((req, res) => {
    fetched.push(req.url ?? '');
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    for (const [platform, spec] of Object.entries(SPECS) as [Platform, IssuerSpec][]) {
      if (req.url === `${spec.path}/.well-known/openid-configuration`) {
        return json({ issuer: issuer[platform], jwks_uri: jwksUrl[platform], id_token_signing_alg_values_supported: [spec.alg], response_types_supported: ['id_token'], subject_types_supported: ['public'] });
      }
      if (req.url === `${spec.path}${spec.jwksPath}`) return json({ keys: [keys.get(platform)!.jwk] });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = Object.fromEntries(Object.entries(SPECS).map(([platform, spec]) => [platform, `${origin}${spec.path}`])) as Record<Platform, string>;
  const jwksUrl = Object.fromEntries(Object.entries(SPECS).map(([platform, spec]) => [platform, `${origin}${spec.path}${spec.jwksPath}`])) as Record<Platform, string>;

  const sign = (platform: Platform, claims: Record<string, unknown>) => {
    const { privateKey, jwk } = keys.get(platform)!;
    return new SignJWT(claims).setProtectedHeader({ alg: SPECS[platform].alg, kid: jwk.kid!, typ: 'JWT' }).sign(privateKey);
  };
  const now = () => Math.floor(Date.now() / 1000);

  return {
    issuer,
    jwksUrl,
    fetched,
    kubernetesToken: (audience, namespace, serviceAccount) => {
      const iat = now();
      // The kubelet asks for expirationSeconds 3600 by default and re-sends the token until 80 % of it.
      return sign('eks', {
        iss: issuer.eks,
        sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
        aud: [audience],
        iat,
        nbf: iat,
        exp: iat + 3600,
        jti: randomUUID(),
        'kubernetes.io': { namespace, serviceaccount: { name: serviceAccount, uid: randomUUID() }, pod: { name: `${serviceAccount}-7d9f8`, uid: randomUUID() } },
      });
    },
    stsWebIdentityToken: (audience, roleArn, context) => {
      const iat = now();
      // GetWebIdentityToken: DurationSeconds 300 by default; AWS's own claims sit under one namespace key.
      return sign('sts', {
        iss: issuer.sts,
        sub: roleArn,
        aud: audience,
        iat,
        exp: iat + 300,
        jti: randomUUID(),
        'https://sts.amazonaws.com/': { aws_account: context.account, source_region: context.region, org_id: context.orgId, ou_path: [`${context.orgId}/r-ab12/ou-ab12-11111111/`] },
      });
    },
    githubActionsToken: (audience, repository, environment) => {
      const iat = now();
      // GitHub's tokens live 6 h and have nbf 5 min before iat; only their first 300 s are usable here (Keycloak's age rule).
      return sign('github', {
        iss: issuer.github,
        sub: `repo:${repository}:environment:${environment}`,
        aud: audience,
        iat,
        nbf: iat - 300,
        exp: iat + 21600,
        jti: randomUUID(),
        repository,
        repository_owner: repository.split('/')[0],
        environment,
        ref: 'refs/heads/main',
        job_workflow_ref: `${repository}/.github/workflows/deploy.yml@refs/heads/main`,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
