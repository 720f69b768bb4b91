import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain JavaScript Serverless plugin, without types
import FrontDoor from '../../infra/build/frontDoor.mjs';
import { consoleAssets, CONTENT_SECURITY_POLICY, serveConsole } from '../../console/serve.js';
import type { HttpRequest } from '../../lib/http/request.js';

const assets = consoleAssets({
  page: '<!doctype html><script type="module" src="__CONSOLE_BASE__assets/console-ABCDEFGH.js"></script>',
  assets: [{ name: 'console-ABCDEFGH.js', contentType: 'text/javascript; charset=utf-8', body: 'console.log(1)' }],
});
const get = (path: string, method = 'GET') => serveConsole(assets, { method, path } as HttpRequest);

describe('serving the console (console/serve.ts)', () => {
  it('answers the page no-store and an asset immutable, both with the security headers', () => {
    for (const path of ['/admin/master/console/', '/auth/admin/my%20realm/console/']) {
      const page = get(path);
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['Cache-Control'], 'no-store');
      assert.equal(page.headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
    }
    const asset = get('/admin/master/console/assets/console-ABCDEFGH.js');
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.body, 'console.log(1)');
    assert.equal(asset.headers['Cache-Control'], 'public, max-age=31536000, immutable');
    assert.equal(asset.headers['X-Content-Type-Options'], 'nosniff');
    assert.equal(asset.headers['Referrer-Policy'], 'no-referrer');
  });

  it('names the assets under the console path of the request, its realm encoded, and finds only built files by their exact name', () => {
    assert.match(get('/admin/demo/console').body!, /src="\/admin\/demo\/console\/assets\/console-ABCDEFGH\.js"/);
    assert.match(get('/auth/admin/my%20realm/console/').body!, /src="\/auth\/admin\/my%20realm\/console\/assets\//);
    assert.match(get('/admin/a%22%3E%3Cscript%3E/console/').body!, /src="\/admin\/a%22%3E%3Cscript%3E\/console\/assets\//);
    for (const path of ['/admin/demo/console/assets/../../serverless.yml', '/admin/demo/console/assets/__proto__', '/admin/demo/console/assets/constructor', '/admin/demo/console/x', '/admin/console/', '/other']) {
      assert.equal(get(path).statusCode, 404, path);
    }
    assert.equal(get('/admin/demo/console/', 'POST').statusCode, 405);
  });

  it('forbids inline code, framing and connections to anywhere but the origin', () => {
    const directives = CONTENT_SECURITY_POLICY.split('; ');
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) assert.ok(directives.includes(directive), directive);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe/);
  });
});

describe('the console behind the ALB (infra/build/frontDoor.mjs)', () => {
  const apply = (command: string) => {
    const functions = {
      admin: { events: [{ httpApi: { method: 'ANY', path: '/admin/{proxy+}' } }] },
      console: {
        events: [
          { httpApi: { method: 'GET', path: '/admin/{realm}/console/' } },
          { httpApi: { method: 'GET', path: '/admin/{realm}/console/assets/{file}' } },
        ],
      },
    };
    new FrontDoor({ service: { custom: { frontDoor: 'alb' }, functions }, processedInput: { commands: [command] } }).apply();
    return functions as unknown as Record<string, { events: { httpApi?: { path: string }; alb?: { priority: number; conditions: { path: string[] } } }[] }>;
  };

  it("ranks the admin API's greedy rule after the console's, whatever their order in serverless.yml", () => {
    const functions = apply('package');
    const priority = (fn: string) => functions[fn]!.events.find((event) => event.alb)!.alb!.priority;
    assert.ok(priority('console') < priority('admin'));
    assert.deepEqual(functions.console!.events.find((event) => event.alb)!.alb!.conditions.path, ['/admin/*/console/', '/admin/*/console/assets/*']);
  });
});
