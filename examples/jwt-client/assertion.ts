/**
 * Prints a client assertion (RFC 7523) for the demo realm's `jwt-client`, signed with the demo
 * private key beside this file, for `private_key_jwt` by hand:
 *
 *   JWT=$(npx tsx examples/jwt-client/assertion.ts http://localhost:3000/realms/demo)
 *
 * The key is a demo key, public in this repository: the demo realm is for the local stack only.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { importJWK, SignJWT } from 'jose';

export const DEMO_KEY_FILE = new URL('./demo-private-key.jwk.json', import.meta.url);

/** An assertion for `clientId` with the realm issuer as its one audience, valid for 30 s. */
export async function demoAssertion(issuer: string, clientId = 'jwt-client'): Promise<string> {
  const jwk = JSON.parse(await readFile(DEMO_KEY_FILE, 'utf8'));
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: clientId, sub: clientId, aud: issuer, jti: randomUUID(), iat: now, exp: now + 30 })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })
    .sign(await importJWK(jwk, 'RS256'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const issuer = process.argv[2] ?? `http://localhost:${process.env.PORT ?? 3000}/realms/demo`;
  console.log(await demoAssertion(issuer));
}
