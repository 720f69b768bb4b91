/**
 * Child process for the HTTP benchmark: this service's handlers behind the local API Gateway
 * adapter (infra/local/apiGateway.ts). The environment (tables, endpoints, keys) comes from the
 * parent; prints `listening <url>` once it accepts connections.
 */
import { startApiGateway } from '../../../infra/local/apiGateway.js';
import { PROJECT_ROOT } from '../../../infra/local/stack.js';
import { sinkStdout } from '../logSink.js';
import { answerProfileRequests } from './profiling.js';

const gateway = await startApiGateway({ projectRoot: PROJECT_ROOT, port: Number(process.env.PORT ?? 0), log: (line) => console.error(line) });
sinkStdout()(`listening ${gateway.url}\n`);
answerProfileRequests();
process.once('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
