/**
 * Child process for the HTTP benchmark: this service's handlers behind the local API Gateway
 * stand-in (infra/local/apiGateway.ts). The token function is the deployed bundle when the parent
 * built one (BENCH_TOKEN_BUNDLE, tokenBundle.ts): the code a request runs in Lambda. The
 * environment (tables, endpoints, keys) comes from the parent; prints `listening <url>` once it
 * accepts connections.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startApiGateway } from '../../../infra/local/apiGateway.js';
import { PROJECT_ROOT } from '../../../infra/local/stack.js';
import { sinkStdout } from '../logSink.js';
import { answerProfileRequests } from './profiling.js';
import { TOKEN_FUNCTION } from './tokenBundle.js';

const bundle = process.env.BENCH_TOKEN_BUNDLE;
const load = (file: string) =>
  import(pathToFileURL(bundle && file === TOKEN_FUNCTION ? bundle : join(PROJECT_ROOT, `${file}.ts`)).href) as Promise<Record<string, unknown>>;

const gateway = await startApiGateway({ projectRoot: PROJECT_ROOT, port: Number(process.env.PORT ?? 0), load, log: (line) => console.error(line) });
sinkStdout()(`listening ${gateway.url}\n`);
answerProfileRequests();
process.once('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
