import { createHash, timingSafeEqual } from 'node:crypto';
import { invalidClient, invalidRequest, OAuthError } from '../http/errors.js';
import type { ClientRecord } from '../model/stored.js';
import type { AuthenticatedClient, ClientAuthInput, ClientAuthMethod } from './method.js';

/** Keycloak limits client ids to 255 characters; anything longer cannot exist, so no read is spent on it. */
const MAX_CLIENT_ID_LENGTH = 255;

export interface ClientAuthDeps {
  methods: ClientAuthMethod[];
  /** Reads the client (the request's one DynamoDB read); refuses with 429 when this client, from this source, is over its failure limit. */
  lookup(realm: string, clientId: string, sourceIp: string): Promise<ClientRecord | undefined>;
  /** Counts a failed authentication against the brute-force limits (lib/clientAuth/throttle.ts); throws 429 once a limit is passed. */
  recordFailure(realm: string, clientId: string, sourceIp: string): Promise<void>;
}

/**
 * Finds the one method the request uses, reads the client it names (the grant's one DynamoDB
 * read, or a cache hit) and lets the method verify the proof. Mirrors Keycloak's client
 * authentication flow, with differences on purpose: until a secret or an assertion signature has
 * verified, every failure is the same 401 invalid_client as for an unknown client, after the same
 * work (so neither the answer nor its time tells which client ids exist; a rule an assertion
 * broke goes to the audit log only), and failures are counted against the brute-force limits.
 */
export async function authenticateClient(deps: ClientAuthDeps, input: ClientAuthInput): Promise<AuthenticatedClient> {
  let claimedId = '';
  try {
    return await authenticate(deps, input, (clientId) => (claimedId = clientId));
  } catch (err) {
    if (err instanceof OAuthError && err.error === 'invalid_client' && err.status === 401) {
      // Counting may turn this answer into 429; failing to count must not turn it into a 5xx.
      await deps.recordFailure(input.realm, claimedId.slice(0, MAX_CLIENT_ID_LENGTH), input.request.sourceIp).catch((countErr) => {
        if (countErr instanceof OAuthError) throw countErr;
      });
    }
    throw err;
  }
}

async function authenticate(deps: ClientAuthDeps, input: ClientAuthInput, noteClaim: (clientId: string) => void): Promise<AuthenticatedClient> {
  const usedBasic = input.request.headers.authorization !== undefined;
  const present = deps.methods.filter((method) => method.present(input));
  // The bare client_id method is only a fallback: a client_id beside real credentials is normal.
  const withCredentials = present.filter((method) => method.name !== 'none');
  // Only two methods at once can be one said twice (oneSecret); one method needs no await.
  const credentialed = withCredentials.length === 2 ? await oneSecret(withCredentials, input) : withCredentials;
  if (credentialed.length > 1) {
    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    throw invalidRequest('Multiple client authentication methods used');
  }
  const method = credentialed[0] ?? present[0];
  if (!method) throw invalidClient(input.realm, usedBasic, 'Missing client_id parameter');

  const claimed = await method.claim(input);
  noteClaim(claimed.clientId);
  const formClientId = input.form.get('client_id');
  const fail = () => invalidClient(input.realm, usedBasic);
  if (claimed.clientId === '' || claimed.clientId.length > MAX_CLIENT_ID_LENGTH) throw fail();
  // Keycloak accepts a client_id field beside the credentials, but it must name the same client.
  if (formClientId !== undefined && formClientId !== claimed.clientId) throw fail();

  const client = await deps.lookup(input.realm, claimed.clientId, input.request.sourceIp);
  // Only an id that names a real client goes into the audit trail: an unknown one is whatever the
  // caller typed, which may be a secret pasted into the wrong field.
  input.onClaim?.(client ? client.clientId : '(unknown)', method.name);
  const usable = client && client.enabled && matchesAuthenticator(client, method) ? client : undefined;
  const verified = await method.verify(usable, claimed, input);
  if (!usable || !verified) throw fail();

  if (usable.bearerOnly) throw new OAuthError(400, 'invalid_client', 'Bearer-only not allowed');
  return { client: usable, method: method.name };
}

/**
 * Keycloak's admin client refreshes with its secret twice, in the Basic header and as
 * `client_secret` in the form (@keycloak/keycloak-admin-client getToken), and Keycloak reads both
 * (ClientIdAndSecretAuthenticator). The same client and secret twice is one method said twice:
 * it counts as Basic. Anything else beside Basic is still two methods.
 */
async function oneSecret(methods: ClientAuthMethod[], input: ClientAuthInput): Promise<ClientAuthMethod[]> {
  const basic = methods.find((method) => method.name === 'client_secret_basic');
  const post = methods.find((method) => method.name === 'client_secret_post');
  if (methods.length !== 2 || !basic || !post) return methods;
  const [header, form] = await Promise.all([basic.claim(input), post.claim(input)]);
  const sameClient = form.clientId === '' || form.clientId === header.clientId;
  return sameClient && sameText(header.proof, form.proof) ? [basic] : methods;
}

/** Constant-time equality of two strings of any length (compared as SHA-256 digests). */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** A client proves itself only with the method its `clientAuthenticatorType` names (public clients with none). */
function matchesAuthenticator(client: ClientRecord, method: ClientAuthMethod): boolean {
  if (method.name === 'none') return client.publicClient;
  return !client.publicClient && method.authenticatorType === client.clientAuthenticatorType;
}
