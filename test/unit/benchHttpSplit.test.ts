import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { oidcProviderAttribution, serviceAttribution, splitProfile, type CpuProfile } from '../../scripts/bench/httpSplit.js';

const ROOT = '/srv/project/';

/** A profile from stacks written root first; each stack is sampled `count` times, 1 ms apart. */
function profile(stacks: { frames: [string, string][]; count: number }[]): CpuProfile {
  const nodes: CpuProfile['nodes'] = [{ id: 1, callFrame: { functionName: '(root)', url: '' }, children: [] }];
  const samples: number[] = [];
  for (const { frames, count } of stacks) {
    let parent = nodes[0]!;
    for (const [functionName, url] of frames) {
      let node = parent.children!.map((id) => nodes.find((n) => n.id === id)!).find((n) => n.callFrame.functionName === functionName && n.callFrame.url === url);
      if (!node) {
        node = { id: nodes.length + 1, callFrame: { functionName, url }, children: [] };
        nodes.push(node);
        parent.children!.push(node.id);
      }
      parent = node;
    }
    for (let i = 0; i < count; i++) samples.push(parent.id);
  }
  return { nodes, samples, timeDeltas: samples.map(() => 1000) };
}

const file = (path: string): string => `file://${ROOT}${path}`;

describe('bench HTTP split: each profile sample in one bucket by its stack', () => {
  it('puts the stand-in, the handler, the signature, node:http, GC and idle where they belong', () => {
    const serve: [string, string] = ['serve', file('infra/local/apiGateway.ts')];
    const handler: [string, string] = ['handler', file('lib/http/handler.ts')];
    const { busyMs, share } = splitProfile(
      profile([
        { frames: [['processTicksAndRejections', 'node:internal/process/task_queues'], serve, ['buildEvent', file('infra/local/apiGateway.ts')]], count: 3 },
        // randomUUID under the stand-in is the stand-in's cost; writeHead under it is node:http's.
        { frames: [serve, ['randomUUID', 'node:internal/crypto/random']], count: 1 },
        { frames: [serve, ['writeResult', file('infra/local/apiGateway.ts')], ['end', 'node:_http_outgoing'], ['writev', '']], count: 4 },
        // A dependency called from lib/ is the handler's.
        { frames: [serve, handler, ['stringify', file('node_modules/some-lib/index.js')]], count: 5 },
        { frames: [serve, handler, ['sign', file('lib/signing/envelopeSigner.ts')], ['signOneShot', 'node:internal/crypto/sig'], ['run', '']], count: 6 },
        { frames: [['parserOnHeadersComplete', 'node:_http_common']], count: 2 },
        { frames: [['(garbage collector)', '']], count: 7 },
        { frames: [['(program)', '']], count: 1 },
        { frames: [['(idle)', '']], count: 100 },
        // The profiler building its profile on Profiler.stop is not the server's work.
        { frames: [['fn', 'node:internal/util'], ['post', 'node:inspector'], ['dispatch', '']], count: 9 },
      ]),
      serviceAttribution(ROOT),
    );
    assert.deepEqual(busyMs, { standIn: 4, nodeHttp: 6, application: 5, signature: 6, gc: 7, runtime: 1, other: 0, otherThreads: 0 });
    assert.equal(share.standIn, 4 / 29);
  });

  it("counts the token function's bundle as the handler", () => {
    const { busyMs } = splitProfile(
      profile([{ frames: [['serve', file('infra/local/apiGateway.ts')], ['handler', 'file:///tmp/bench/token.mjs']], count: 2 }]),
      serviceAttribution(ROOT, '/tmp/bench/token.mjs'),
    );
    assert.equal(busyMs.application, 2);
  });

  it('counts oidc-provider, Koa and their dependencies as the provider, and WebCrypto signing as the signature', () => {
    const koa: [string, string] = ['handleRequest', file('node_modules/koa/lib/application.js')];
    const { busyMs } = splitProfile(
      profile([
        { frames: [koa, ['token', file('node_modules/oidc-provider/lib/actions/token.js')]], count: 2 },
        { frames: [koa, ['sign', 'node:internal/crypto/webcrypto'], ['run', '']], count: 3 },
        { frames: [koa, ['respond', file('node_modules/koa/lib/application.js')], ['end', 'node:_http_outgoing']], count: 1 },
      ]),
      oidcProviderAttribution(),
    );
    assert.deepEqual(busyMs, { standIn: 0, nodeHttp: 1, application: 2, signature: 3, gc: 0, runtime: 0, other: 0, otherThreads: 0 });
  });
});
