/**
 * Serverless Framework plugin: builds the admin console (console/build.mjs) before anything is
 * bundled, so `serverless package` ships it in the console function's package (its
 * `package.patterns`) and `serverless offline` (npm start, npm test) serves the current sources.
 */
import { buildConsole } from '../../console/build.mjs';

const BUILDS_FOR = new Set(['package', 'deploy', 'offline']);

export default class ConsoleBuild {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      initialize: async () => {
        const command = this.serverless.processedInput?.commands?.[0];
        if (BUILDS_FOR.has(command)) await buildConsole();
      },
    };
  }
}
