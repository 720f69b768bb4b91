/**
 * The top entries of a V8 CPU profile (`node --cpu-prof`), by self time, for a closing note:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench/main.ts --parts=handler --handler-seconds=10
 *   npx tsx scripts/bench/profileTop.ts /tmp/prof/CPU.*.cpuprofile [count]
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { PROJECT_ROOT } from '../../infra/local/stack.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function topEntries(profile: Profile, count: number): { name: string; selfMs: number; share: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)!.callFrame;
    const where = frame.url ? `${relative(PROJECT_ROOT, frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(name, (self.get(name) ?? 0) + delta);
    total += delta;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / total }));
}

if (process.argv[1]?.endsWith('profileTop.ts')) {
  const [file, count] = process.argv.slice(2);
  const profile = JSON.parse(await readFile(file!, 'utf8')) as Profile;
  for (const entry of topEntries(profile, Number(count ?? 25))) {
    console.log(`${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(6)} ms  ${entry.name}`);
  }
}
