/**
 * sa-admin: the operator's command line (GitHub issue 5), shaped like Keycloak's kcadm.sh and the
 * AWS CLI. This entry only ties the process to the program (bin/cli/program.ts); each command
 * group lives in bin/cli/commands/, and every rule in lib/admin.
 */
import { processIo } from './cli/io.js';
import { runCli } from './cli/program.js';

// The SDK's notice that its 2027 releases need Node 22 is for the maintainers (package.json
// engines), not an operator's terminal, where it would bury the one-line result or error.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `sa-admin --help | head -1`: once the reader has gone, the rest of the output has nowhere to go.
// End quietly, as Unix filters do, rather than die on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await runCli(process.argv.slice(2), processIo());
