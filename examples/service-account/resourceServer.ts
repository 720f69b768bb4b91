import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/**
 * An example resource server (the "product-api"): it accepts a request only with a bearer token
 * that verifies against the realm's published JWKS, comes from the realm's issuer, is meant for
 * `product-api`, and carries the `product-api` role `read`.
 */
export async function startResourceServer(issuer: string, jwksUri: string): Promise<{ url: string; close(): Promise<void> }> {
  const jwks = createRemoteJWKSet(new URL(jwksUri));
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return send(401, { error: 'missing bearer token' });
    let payload: JWTPayload & { resource_access?: Record<string, { roles: string[] }> };
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer, audience: 'product-api' }));
    } catch {
      return send(401, { error: 'invalid token' });
    }
    if (!payload.resource_access?.['product-api']?.roles.includes('read')) return send(403, { error: 'role product-api/read required' });
    send(200, { products: ['anvil', 'rocket skates'], caller: payload.azp });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/products`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
