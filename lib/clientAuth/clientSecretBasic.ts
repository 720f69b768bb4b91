import { decodeComponent } from '../http/form.js';
import type { ClientAuthMethod, ClientAuthInput } from './method.js';
import type { SecretVerifier } from './secretVerifier.js';

/**
 * HTTP Basic with the client id and secret, each form-urlencoded before being joined
 * (RFC 6749 §2.3.1), so `+` decodes to a space and `%3A` to a colon; Keycloak decodes the same way.
 */
export function clientSecretBasic(secrets: SecretVerifier): ClientAuthMethod {
  return {
    name: 'client_secret_basic',
    authenticatorType: 'client-secret',
    present: (input) => input.request.headers.authorization !== undefined,
    claim(input: ClientAuthInput) {
      const credentials = parseBasic(input.request.headers.authorization ?? '');
      return credentials ?? { clientId: '', proof: '' };
    },
    verify: (client, claimed, input) => secrets.verify(input.realm, claimed.clientId, client, claimed.proof, input.pepperCiphertext),
  };
}

/** undefined when the header is not well-formed Basic credentials; the caller answers invalid_client. */
export function parseBasic(header: string): { clientId: string; proof: string } | undefined {
  const match = /^basic +([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return { clientId: decodeComponent(decoded.slice(0, colon)), proof: decodeComponent(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}
