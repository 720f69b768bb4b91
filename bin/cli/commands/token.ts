/** `token preview`: what a client's tokens would contain, unsigned (Keycloak's Evaluate tab). */
import type { Command } from 'commander';
import { previewToken } from '../../../lib/admin/tokenPreview.js';
import type { Session } from '../session.js';

export function registerTokenCommands(cli: Session): void {
  const { context, print } = cli;
  cli.group('token', "show what a client's tokens would contain")
    .command('preview')
    .description("print the claims a client's client-credentials grant would get, without signing anything (Keycloak's Evaluate tab)")
    .argument('<realm>')
    .argument('<clientId>')
    .option('--scope <scope>', "the scope parameter, e.g. 'openid phone'")
    .option('--issuer <url>', 'the issuer to show (default: the local stack, ISSUER_BASE_URL or http://localhost:PORT, PORT 3000)')
    .action(async (realmName: string, clientId: string, opts: { scope?: string; issuer?: string }, cmd: Command) => {
      // The local stack's issuer as `npm start` sets it (ISSUER_BASE_URL, else http://localhost:PORT).
      const env = cli.io.env;
      const issuer = opts.issuer ?? `${(env.ISSUER_BASE_URL || `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, '')}/realms/${encodeURIComponent(realmName)}`;
      const preview = await previewToken(context(cmd), realmName, clientId, { ...(opts.scope === undefined ? {} : { scope: opts.scope }), issuer });
      print(cmd, preview, () => [
        `access token of ${clientId} (scope "${preview.scope}"; not signed, jti/iat/exp illustrative):`,
        JSON.stringify(preview.accessToken, null, 2),
        ...(preview.idToken ? ['ID token:', JSON.stringify(preview.idToken, null, 2)] : []),
        ...(Object.keys(preview.tokenResponse).length > 0 ? ['token response adds:', JSON.stringify(preview.tokenResponse, null, 2)] : []),
      ]);
    });
}
