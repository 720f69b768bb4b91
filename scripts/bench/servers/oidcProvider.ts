/**
 * Child process for the HTTP benchmark: panva's oidc-provider (the OpenID-certified Node.js
 * server) issuing client-credentials tokens as JWTs with the same algorithm, for one confidential
 * client with the same id and secret as the bench clients (`client_secret_basic`), on its default
 * in-memory adapter. Configured by BENCH_ALG, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET; prints
 * `listening <token endpoint url>`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { sinkStdout } from '../logSink.js';
import { answerProfileRequests } from './profiling.js';

const alg = process.env.BENCH_ALG === 'ES256' ? 'ES256' : 'RS256';
const clientId = process.env.BENCH_CLIENT_ID!;
const clientSecret = process.env.BENCH_CLIENT_SECRET!;
const RESOURCE = 'urn:sa-token-service:bench';

const privateJwk = (type: 'rsa' | 'ec', jwkAlg: string) => {
  const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), alg: jwkAlg, use: 'sig', kid: `bench-${jwkAlg.toLowerCase()}` };
};

const server = createServer();
await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'profile email',
    },
  ],
  jwks: { keys: [privateJwk('rsa', 'RS256'), privateJwk('ec', 'ES256')] },
  scopes: ['openid', 'profile', 'email'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Every client-credentials token is for this one resource server, as a JWT signed with `alg`.
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'profile email', audience: 'product-api', accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg } } }),
    },
  },
});
server.on('request', provider.callback());
// Treated as the service's server is: anything it logs goes to /dev/null.
sinkStdout()(`listening ${issuer}/token\n`);
answerProfileRequests();
process.once('SIGTERM', () => server.close(() => process.exit(0)));
