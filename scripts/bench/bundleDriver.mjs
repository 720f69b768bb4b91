/**
 * Runs in a fresh `node` with the deployed function's environment (NODE_OPTIONS included): imports
 * the token bundle unzipped from `serverless package`, then for each case measures warm grants and
 * bare `crypto.sign` in alternating half-second slices, as scripts/bench/handlerCost.ts does for
 * the source. Plain JavaScript: nothing here may differ from what Lambda's runtime loads.
 *
 * argv: <bundle .mjs> <cases JSON: [{ name, alg, event }]> <milliseconds per case>
 * Prints one line `BENCH <json>` on stdout; the handler's own log lines go to /dev/null.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

const [bundle, casesJson, msText] = process.argv.slice(2);
const cases = JSON.parse(casesJson);
const durationMs = Number(msText);

const realWrite = process.stdout.write.bind(process.stdout);
const devNull = openSync('/dev/null', 'w');
// One write(2) per line, as to Lambda's log pipe.
process.stdout.write = (chunk, encodingOrCallback, callback) => {
  writeSync(devNull, chunk);
  const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
  if (typeof done === 'function') process.nextTick(done);
  return true;
};

const { handler } = await import(bundle);
const cpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

const results = [];
for (const { name, alg, event } of cases) {
  const eventJson = JSON.stringify(event);
  const invoke = async () => {
    const result = await handler(JSON.parse(eventJson));
    JSON.stringify(result);
    if (result.statusCode !== 200) throw new Error(`${name}: grant answered ${result.statusCode}: ${result.body}`);
    return result;
  };
  const first = await invoke();
  const token = JSON.parse(first.body).access_token;
  const input = Buffer.from(token.slice(0, token.lastIndexOf('.')), 'utf8');
  const key = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const signOnce = alg === 'ES256' ? () => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' }) : () => sign('sha256', input, key);
  const warmEnd = performance.now() + Math.min(1000, durationMs / 2);
  while (performance.now() < warmEnd) await invoke();
  for (let i = 0; i < 50; i++) signOnce();

  let grants = 0;
  let grantCpu = 0;
  let signs = 0;
  let signCpu = 0;
  const slices = Math.max(1, Math.round(durationMs / 500));
  for (let s = 0; s < slices; s++) {
    let start = cpu();
    let end = performance.now() + durationMs / slices;
    while (performance.now() < end) {
      await invoke();
      grants++;
    }
    grantCpu += cpu() - start;
    start = cpu();
    end = performance.now() + durationMs / slices / 2;
    while (performance.now() < end) {
      for (let i = 0; i < 10; i++) signOnce();
      signs += 10;
    }
    signCpu += cpu() - start;
  }
  const perGrant = (grantCpu / grants) * 1e6;
  const perSign = (signCpu / signs) * 1e6;
  results.push({ name, alg, grants, cpuMicrosPerGrant: perGrant, bareSignMicros: perSign, overheadMicros: perGrant - perSign });
}
realWrite(`\nBENCH ${JSON.stringify(results)}\n`);
closeSync(devNull);
process.exit(0);
