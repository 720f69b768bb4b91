import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { ClientRecord } from '../model/stored.js';
import { ASYMMETRIC_ALGORITHMS, assertionMethod, ruleBroken, type JwtMethodDeps, type ParsedAssertion } from './clientAssertion.js';
import { JwksUnavailable, type JwksFetcher } from './jwksFetcher.js';
import type { ClientAuthInput, ClientAuthMethod } from './method.js';

/**
 * `private_key_jwt` (OIDC Core §9; Keycloak's `client-jwt` authenticator): an assertion signed
 * with the client's private key, verified with the public keys the client registered, either
 * stored (`use.jwks.string` + `jwks.string`) or published (`use.jwks.url` + `jwks.url`).
 * Only asymmetric algorithms: a client's public key can never become an HMAC key.
 */
export function privateKeyJwt(deps: JwtMethodDeps, jwksFetcher: JwksFetcher): ClientAuthMethod {
  return assertionMethod({
    name: 'private_key_jwt',
    authenticatorType: 'client-jwt',
    algorithms: ASYMMETRIC_ALGORITHMS,
    deps,
    async verifySignature(client, parsed, input) {
      const jwks = await clientKeys(client, parsed, input, jwksFetcher);
      try {
        await compactVerify(parsed.assertion, createLocalJWKSet(jwks), { algorithms: [parsed.header.alg!] });
      } catch {
        throw ruleBroken(input, 'Client assertion signature is invalid or signed with an unregistered key');
      }
    },
  });
}

async function clientKeys(client: ClientRecord, parsed: ParsedAssertion, input: ClientAuthInput, fetcher: JwksFetcher): Promise<JSONWebKeySet> {
  const { attributes } = client;
  if (attributes['use.jwks.url'] === 'true' && attributes['jwks.url']) {
    try {
      return await fetcher.get(attributes['jwks.url'], parsed.header.kid);
    } catch (err) {
      if (err instanceof JwksUnavailable) throw ruleBroken(input, 'Unable to load the client keys from its JWKS URL');
      throw err;
    }
  }
  try {
    const jwks = JSON.parse(attributes['jwks.string'] ?? '') as JSONWebKeySet;
    if (Array.isArray(jwks.keys)) return jwks;
  } catch {
    // fall through: no usable keys
  }
  throw ruleBroken(input, 'Client has no registered keys');
}
