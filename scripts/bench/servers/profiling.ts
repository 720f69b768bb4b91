/**
 * Lets the HTTP benchmark CPU-profile a server child during a window it chooses (warm, under load),
 * not over its whole life (module load, tsx compilation, warm-up): the parent sends
 * `{ profile: 'start' }` and later `{ profile: 'stop', file }` over the IPC channel; the child
 * writes the V8 profile (the format of `node --cpu-prof`) to `file` and answers `{ profiled: file }`.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** 1 ms, V8's default: ~1,000 samples per busy second, a few per cent of overhead. */
const SAMPLING_INTERVAL_MICROS = 1000;

export function answerProfileRequests(): void {
  if (!process.send) return;
  const session = new Session();
  session.connect();
  process.on('message', (message: { profile?: 'start' | 'stop'; file?: string }) => {
    void (async () => {
      if (message.profile === 'start') {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_MICROS });
        await session.post('Profiler.start');
        process.send!({ profiling: true });
      } else if (message.profile === 'stop' && message.file) {
        const { profile } = await session.post('Profiler.stop');
        await writeFile(message.file, JSON.stringify(profile));
        process.send!({ profiled: message.file });
      }
    })();
  });
  // The IPC channel must not keep the child alive on its own, nor stop SIGTERM's clean exit.
  process.channel?.unref();
}
