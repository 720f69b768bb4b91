/**
 * Where a server process's CPU goes per token, from a V8 CPU profile taken under load (issue 21,
 * target 2: "say how much of our server process is the API Gateway stand-in and how much the
 * handler, measured, not guessed"). Each sample is put in one bucket by its stack, read from the
 * leaf up:
 *
 * - `signature`: anywhere under node's one-shot `crypto.sign` (node:internal/crypto/sig), the
 *   RS256/ES256 signature itself, whoever calls it;
 * - `application`: the nearest frame of our own code is the handler (lib/, functions/) or, for
 *   oidc-provider, its code and its dependencies (anything in node_modules or its bench entry);
 * - `standIn`: the nearest frame of our own code is the API Gateway stand-in
 *   (infra/local/apiGateway.ts: event construction, routing, result writing) and nothing of
 *   node:http lies between;
 * - `nodeHttp`: node's HTTP server, sockets, streams and event loop (node:_http_*, node:net,
 *   node:internal/… with no application code above), including the HTTP work the stand-in or
 *   Koa asks of it (writeHead, end), for both servers alike;
 * - `gc`, `runtime` (V8's `(program)`: native work with no JavaScript on the stack, libuv's socket
 *   I/O among it) and `other`; `(idle)` samples and the profiler's own (node:inspector) are left out.
 *
 * The profile samples the main thread only, so its shares are applied to the main thread's CPU
 * per token as /proc measured it without the profiler; what the process's other threads use
 * (libuv's pool, where WebCrypto signs: oidc-provider's signature; V8's concurrent GC and
 * compiler) is the bucket `otherThreads`, from /proc too.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

export type Bucket = 'signature' | 'application' | 'standIn' | 'nodeHttp' | 'gc' | 'runtime' | 'other' | 'otherThreads';
/** The buckets of the main thread's profile. */
export const BUCKETS: readonly Bucket[] = ['nodeHttp', 'standIn', 'application', 'signature', 'gc', 'runtime', 'other'];

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuSplit {
  /** Busy (non-idle) milliseconds of the main thread in the profile, per bucket. */
  busyMs: Record<Bucket, number>;
  /** Share of the main thread's busy time per bucket (sums to 1). */
  share: Record<Bucket, number>;
  /** Microseconds of server CPU per token per bucket: share × the unprofiled run's main-thread CPU per token, and the other threads'. */
  microsPerToken: Record<Bucket, number>;
  /** Where the profile was written (open it with scripts/bench/profileTop.ts). */
  profileFile: string;
}

/** How the frames of one server are read: which URLs are its application, which the stand-in. */
export interface Attribution {
  application: (url: string) => boolean;
  standIn: (url: string) => boolean;
}

/**
 * This service: the handlers and everything under them (node_modules called from lib/ included),
 * from the source or from the function's bundle (one file: the profile names generated code).
 */
export function serviceAttribution(projectRoot: string, bundle?: string): Attribution {
  const root = `file://${projectRoot.replace(/\/+$/, '')}/`;
  const bundled = bundle === undefined ? undefined : pathToFileURL(bundle).href;
  return {
    application: (url) => url.startsWith(`${root}lib/`) || url.startsWith(`${root}functions/`) || url === bundled,
    standIn: (url) => url === `${root}infra/local/apiGateway.ts`,
  };
}

/** oidc-provider: its code, Koa and every other dependency, and the bench's entry that configures it. */
export function oidcProviderAttribution(): Attribution {
  return {
    application: (url) => url.includes('/node_modules/') || url.endsWith('/scripts/bench/servers/oidcProvider.ts'),
    standIn: () => false,
  };
}

/** node's HTTP server, sockets and streams: what writeHead and end cost, whoever calls them. */
const NODE_HTTP = /^node:(_http_|http$|net$|stream$|internal\/(streams\/|stream_base_commons|http|net|js_stream_socket))/;

const ZERO = (): Record<Bucket, number> => ({ signature: 0, application: 0, standIn: 0, nodeHttp: 0, gc: 0, runtime: 0, other: 0, otherThreads: 0 });

export function splitProfile(profile: CpuProfile, attribution: Attribution): { busyMs: Record<Bucket, number>; share: Record<Bucket, number> } {
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) byId.get(child)!.parent = node.id;

  const bucketOf = new Map<number, Bucket | 'idle'>();
  const classify = (id: number): Bucket | 'idle' => {
    const known = bucketOf.get(id);
    if (known !== undefined) return known;
    let bucket: Bucket | 'idle' | undefined;
    let sawNodeInternal = false;
    let sawNodeHttp = false;
    let appOrStandIn: Bucket | undefined;
    for (let node = byId.get(id); node; node = node.parent === undefined ? undefined : byId.get(node.parent)) {
      const { url, functionName } = node.callFrame;
      // The profiler's own work (Profiler.stop building the profile) is not the server's: left out like idle.
      if (url === 'node:inspector') {
        bucket = 'idle';
        break;
      }
      // crypto.sign (ours), or WebCrypto's subtle.sign (jose's, in oidc-provider): the main thread's part of it.
      if (url === 'node:internal/crypto/sig' || (url === 'node:internal/crypto/webcrypto' && functionName === 'sign')) {
        bucket = 'signature';
        break;
      }
      if (appOrStandIn !== undefined) continue;
      if (attribution.application(url)) appOrStandIn = sawNodeHttp ? 'nodeHttp' : 'application';
      else if (attribution.standIn(url)) appOrStandIn = sawNodeHttp ? 'nodeHttp' : 'standIn';
      else if (NODE_HTTP.test(url)) sawNodeHttp = true;
      else if (url.startsWith('node:')) sawNodeInternal = true;
      else if (node.parent === undefined || byId.get(node.parent)?.parent === undefined) {
        if (functionName === '(idle)') bucket = 'idle';
        else if (functionName === '(garbage collector)') bucket = 'gc';
        else if (functionName === '(program)') bucket = 'runtime';
      }
    }
    bucket ??= appOrStandIn ?? (sawNodeInternal || sawNodeHttp ? 'nodeHttp' : 'other');
    bucketOf.set(id, bucket);
    return bucket;
  };

  const busyMs = ZERO();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const bucket = classify(id);
    if (bucket === 'idle') return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    busyMs[bucket] += ms;
    busy += ms;
  });
  const share = ZERO();
  for (const bucket of BUCKETS) share[bucket] = busy > 0 ? busyMs[bucket] / busy : 0;
  return { busyMs, share };
}

export async function splitProfileFile(
  file: string,
  attribution: Attribution,
  perToken: { mainThreadMicrosPerToken: number; otherThreadsMicrosPerToken: number },
): Promise<CpuSplit> {
  const { busyMs, share } = splitProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile, attribution);
  const microsPerToken = ZERO();
  for (const bucket of BUCKETS) microsPerToken[bucket] = share[bucket] * perToken.mainThreadMicrosPerToken;
  microsPerToken.otherThreads = perToken.otherThreadsMicrosPerToken;
  return { busyMs, share, microsPerToken, profileFile: file };
}
