import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Sends everything later written to stdout (the handlers' structured logs and EMF metrics, one
 * line per grant) to /dev/null, still one write(2) per line, as to Lambda's log pipe, so logging
 * costs what it costs without flooding the report. Returns a writer for the real stdout.
 */
export function sinkStdout(): (text: string) => void {
  const original = process.stdout.write.bind(process.stdout);
  const devNull = openSync('/dev/null', 'w');
  process.stdout.write = ((chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown) => {
    if (typeof chunk === 'string') writeSync(devNull, chunk);
    else writeSync(devNull, chunk);
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof process.stdout.write;
  process.once('exit', () => closeSync(devNull));
  return (text) => void original(text);
}
