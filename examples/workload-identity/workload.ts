import KcAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt } from 'jose';
import { startLocalIssuers, type LocalIssuers, type Platform } from './localIssuer.js';

/**
 * Secretless service accounts, end to end: three workloads (an EKS pod, a Lambda function with
 * IAM outbound identity federation, a GitHub Actions job) each get a token from the realm with the
 * token their platform issued, and no client secret exists anywhere. The identity providers and
 * clients are made through the Admin REST API as Terraform or @keycloak/keycloak-admin-client make
 * them (docs/workload-identity.md shows the same with `sa-admin`), and removed again at the end.
 */

export interface ExampleOptions {
  /** Where the token service answers, e.g. http://localhost:3000. */
  base: string;
  realm: string;
  /** A master-realm admin client (npm start makes temp-admin / temp-admin-secret). */
  admin: { clientId: string; clientSecret: string };
  /** Where the local issuers listen (0: a free port). */
  issuerPort?: number;
  log?: (line: string) => void;
}

export interface WorkloadResult {
  platform: Platform;
  clientId: string;
  status: number;
  /** The access token's `azp`: the client the token service resolved from the platform's token. */
  azp?: string;
  error?: string;
}

export interface ExampleResult {
  workloads: WorkloadResult[];
  /** The same Kubernetes token sent twice (the kubelet re-sends it): 200 both times. */
  kubernetesReuse: number;
  /** The same STS token sent twice: single use, so the second is the uniform 401. */
  stsReplay: number;
  /** A GitHub token of another repository: no client trusts its subject, so the uniform 401. */
  githubOtherRepository: number;
  /** Key fetches the token service made at the local issuers. */
  keyFetches: number;
}

const BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/billing-lambda';

/** What each workload is, and how the realm knows it: one identity provider and one client per platform. */
function workloads(issuers: LocalIssuers) {
  return [
    {
      platform: 'eks' as const,
      // A Kubernetes-type IdP: keys through <issuer>/.well-known/openid-configuration, tokens may be re-sent.
      idp: { alias: 'example-eks', providerId: 'kubernetes', config: { issuer: issuers.issuer.eks } },
      client: { clientId: 'example-billing-worker', subject: 'system:serviceaccount:billing:worker' },
    },
    {
      platform: 'sts' as const,
      // STS outbound federation: an OIDC-type IdP per AWS account, keys at <issuer>/.well-known/jwks.json.
      idp: { alias: 'example-aws-123456789012', providerId: 'oidc', config: { issuer: issuers.issuer.sts, supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: issuers.jwksUrl.sts } },
      // Ours, beyond Keycloak: the token must also come from this AWS organization.
      client: { clientId: 'example-billing-lambda', subject: ROLE_ARN, claims: { 'https://sts.amazonaws.com/': { org_id: 'o-exampleorg' } } },
    },
    {
      platform: 'github' as const,
      idp: { alias: 'example-github', providerId: 'oidc', config: { issuer: issuers.issuer.github, supportsClientAssertions: 'true', useJwksUrl: 'true', jwksUrl: issuers.jwksUrl.github } },
      client: { clientId: 'example-deployer', subject: 'repo:example-org/app:environment:prod', claims: { repository_owner: 'example-org' } },
    },
  ];
}

export async function runWorkloadIdentityExample(options: ExampleOptions): Promise<ExampleResult> {
  const log = options.log ?? console.log;
  const realmIssuer = `${options.base}/realms/${options.realm}`;
  const issuers = await startLocalIssuers(options.issuerPort);
  const kc = new KcAdminClient({ baseUrl: options.base, realmName: 'master' });
  await kc.auth({ grantType: 'client_credentials', clientId: options.admin.clientId, clientSecret: options.admin.clientSecret });
  kc.setConfig({ realmName: options.realm });
  const plan = workloads(issuers);

  const removeAll = async () => {
    for (const { idp, client } of plan) {
      for (const found of await kc.clients.find({ clientId: client.clientId })) await kc.clients.del({ id: found.id! });
      if (await kc.identityProviders.findOne({ alias: idp.alias })) await kc.identityProviders.del({ alias: idp.alias });
    }
  };

  const post = async (assertion: string) => {
    const res = await fetch(`${realmIssuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      // No client_id and no secret: the service finds the client from the token's issuer and subject.
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: BEARER, client_assertion: assertion }),
    });
    return { status: res.status, body: (await res.json()) as { access_token?: string; error?: string } };
  };

  try {
    await removeAll();
    for (const { idp, client } of plan) {
      await kc.identityProviders.create(idp);
      await kc.clients.create({
        clientId: client.clientId,
        clientAuthenticatorType: 'federated-jwt',
        serviceAccountsEnabled: true,
        publicClient: false,
        attributes: {
          'jwt.credential.issuer': idp.alias,
          'jwt.credential.sub': client.subject,
          ...('claims' in client ? { 'jwt.credential.claims': JSON.stringify(client.claims) } : {}),
        },
      });
      log(`identity provider ${idp.alias} (${idp.providerId}, issuer ${idp.config.issuer}) → client ${client.clientId} for sub ${client.subject}`);
    }

    // Each platform's token, requested with exactly one audience: the realm's issuer.
    const tokens: Record<Platform, string> = {
      eks: await issuers.kubernetesToken(realmIssuer, 'billing', 'worker'),
      sts: await issuers.stsWebIdentityToken(realmIssuer, ROLE_ARN, { account: '123456789012', orgId: 'o-exampleorg', region: 'eu-west-1' }),
      github: await issuers.githubActionsToken(realmIssuer, 'example-org/app', 'prod'),
    };
    const results: WorkloadResult[] = [];
    for (const { platform, client } of plan) {
      const res = await post(tokens[platform]);
      const azp = res.body.access_token ? (decodeJwt(res.body.access_token).azp as string) : undefined;
      results.push({ platform, clientId: client.clientId, status: res.status, azp, error: res.body.error });
      log(`${platform}: ${res.status}${azp ? `, access token for ${azp}` : ` ${res.body.error}`}`);
    }

    const kubernetesReuse = (await post(tokens.eks)).status;
    log(`eks: the same service-account token again → ${kubernetesReuse} (Kubernetes tokens are re-sent by design)`);
    const stsReplay = (await post(tokens.sts)).status;
    log(`sts: the same web identity token again → ${stsReplay} (single use: it carries a jti)`);
    const githubOtherRepository = (await post(await issuers.githubActionsToken(realmIssuer, 'someone-else/app', 'prod'))).status;
    log(`github: a token of another repository → ${githubOtherRepository}`);
    const keyFetches = issuers.fetched.length;
    log(`the token service fetched ${keyFetches} documents from the issuers (discovery and keys, once each)`);
    return { workloads: results, kubernetesReuse, stsReplay, githubOtherRepository, keyFetches };
  } finally {
    await removeAll().catch((err: Error) => log(`cleanup failed: ${err.message}`));
    await issuers.close();
  }
}
