/**
 * Builds the admin console (console/src) into console/dist: `index.html` and content-hashed
 * assets under `assets/`, and `manifest.json` holding all of them, which the console function's
 * bundle embeds (serverless.yml aliases `sa-console-manifest` to it) and functions/console.ts
 * serves, the assets with immutable caching. Run by the
 * Serverless plugin infra/build/console.mjs before `serverless package` and `serverless offline`
 * (so by `npm start` and `npm test`), and by hand with `node console/build.mjs`.
 *
 * The page holds no inline script or style (the Content-Security-Policy forbids both): one
 * stylesheet and one module script, both same-origin, named by their hash.
 */
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
export const CONSOLE_DIST = join(root, 'dist');

export async function buildConsole({ minify = true } = {}) {
  await rm(CONSOLE_DIST, { recursive: true, force: true });
  const assets = join(CONSOLE_DIST, 'assets');
  await mkdir(assets, { recursive: true });
  const result = await build({
    entryPoints: { console: join(root, 'src/main.ts') },
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    platform: 'browser',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const script = outputs.find((file) => file.endsWith('.js'));
  const style = outputs.find((file) => file.endsWith('.css'));
  if (!script || !style) throw new Error(`console build: expected one script and one stylesheet, got ${outputs.join(', ')}`);
  const html = page(script, style);
  await writeFile(join(CONSOLE_DIST, 'index.html'), html);
  const manifest = {
    page: html,
    assets: [
      { name: script, contentType: 'text/javascript; charset=utf-8', body: await readFile(join(assets, script), 'utf8') },
      { name: style, contentType: 'text/css; charset=utf-8', body: await readFile(join(assets, style), 'utf8') },
    ],
  };
  await writeFile(join(CONSOLE_DIST, 'manifest.json'), JSON.stringify(manifest));
  return { script, style };
}

/**
 * Asset URLs start with a placeholder the server replaces by the request's own console path
 * (console/serve.ts): the same page serves `/admin/{realm}/console/` and `/auth/admin/{realm}/console/`,
 * with or without the trailing slash (serverless offline strips it, so a relative URL cannot be used).
 */
export const ASSET_BASE_PLACEHOLDER = '__CONSOLE_BASE__';
const page = (script, style) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Administration Console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_BASE_PLACEHOLDER}assets/${style}">
<script type="module" src="${ASSET_BASE_PLACEHOLDER}assets/${script}"></script>
</head>
<body>
<div id="app"><div class="loading" role="progressbar" aria-label="Loading the Administration Console">Loading the Administration Console</div></div>
</body>
</html>
`;

// No top-level await: the Serverless Framework require()s its plugins, and this module with them.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildConsole().then(({ script, style }) => console.log(`console built: ${script}, ${style}`));
}
