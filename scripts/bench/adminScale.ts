/**
 * Admin paths at scale (issue 21, target 4): a realm of 20,000 generated clients (realmScale.ts's
 * generator, written to a file), then, as an operator and a Terraform run reach it:
 *   - `sa-admin import-realm` of the file: the real CLI (bin/sa-admin.ts) as a child process
 *     against the bench stack's DynamoDB Local and local KMS;
 *   - every client page by page through the Admin REST API over HTTP (GET
 *     /admin/realms/{realm}/clients?first=&max=, as keycloak-admin-client and Terraform page):
 *     functions/admin.ts behind the API Gateway stand-in (infra/local/apiGateway.ts), with a real
 *     bearer token of a bootstrap admin from the token function behind the same stand-in;
 *   - `sa-admin client list` and `sa-admin export-realm` of that realm, children as well.
 * Each page's wall time is reported, and so is what page N costs next to page 1 in DynamoDB items
 * read (counted on a second admin handler of the same modules, so the timed one is untouched).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { buildEvent, matchRoute, routesFromServerlessYml, startApiGateway } from '../../infra/local/apiGateway.js';
import { DEMO_REALM_FILE, PROJECT_ROOT } from '../../infra/local/stack.js';
import { bootstrapAdminService } from '../../lib/admin/bootstrap.js';
import { createAdminContext } from '../../lib/admin/context.js';
import { ADMIN_ROUTES } from '../../lib/adminApi/allFamilies.js';
import { AdminRouter } from '../../lib/adminApi/router.js';
import { ADMIN_BUDGET_MS, createAdminRuntime } from '../../lib/adminRuntime.js';
import { secretsKeyAlias, signingKeyAliases } from '../../lib/deployment/stageNames.js';
import { httpHandler } from '../../lib/http/handler.js';
import { childPidsNamed, processCpuSeconds } from './http.js';
import { generatedExport } from './realmScale.js';
import { STAGE } from './setup.js';

/** Wall seconds (DynamoDB Local on a shared machine: read with `load`), the CPU of the process that did the work and of DynamoDB Local. */
export interface Timed {
  seconds: number;
  cpuSeconds: number;
  dynamodbCpuSeconds: number;
}

export interface AdminScaleResult {
  clients: number;
  /** The generated export, bytes of JSON. */
  fileBytes: number;
  /** Load average (1 min) when the part started and ended. */
  load: [number, number];
  importRealm: Timed;
  api: Timed & {
    pageSize: number;
    pages: number;
    listed: number;
    /** Wall milliseconds: the first page, the median page, the last full page. */
    firstPageMs: number;
    medianPageMs: number;
    lastPageMs: number;
    /** CPU milliseconds of this process (gateway, handler, fetch) for the first page and the last full page. */
    firstPageCpuMs: number;
    lastPageCpuMs: number;
    /**
     * Items DynamoDB returned per page on a second walk through a handler of the same modules with
     * a counting client: page 1, the most any page took, the last full page; and that last page
     * asked of a fresh container (no remembered position: keys read up to it).
     */
    firstPageItemsRead: number;
    maxPageItemsRead: number;
    lastPageItemsRead: number;
    coldLastPageItemsRead: number;
    coldLastPageMs: number;
    coldLastPageStatus: number;
  };
  cliList: Timed & { listed: number };
  cliExport: Timed & { bytes: number };
}

export const ADMIN_SCALE_CLIENTS = { full: 20_000, quick: 1_000 };
const PAGE_SIZE = 100;

export async function measureAdminScale(options: { env: Record<string, string>; clients: number; log: (line: string) => void }): Promise<AdminScaleResult> {
  const { env, log } = options;
  const loadBefore = loadavg()[0]!;
  const realm = `admin-scale-${options.clients}`;
  const dir = await mkdtemp(join(tmpdir(), 'sa-token-admin-scale-'));
  // The functions build their runtime from the environment when first imported (as a container's init).
  Object.assign(process.env, env, { STAGE });
  const gateway = await startApiGateway({ projectRoot: PROJECT_ROOT, port: 0, log });
  try {
    const demo = JSON.parse(await readFile(DEMO_REALM_FILE, 'utf8')) as Record<string, unknown>;
    const file = join(dir, `${realm}.json`);
    await writeFile(file, JSON.stringify(generatedExport(demo, realm, { clients: options.clients, roles: 10, scopes: 10, groups: 0, mappers: 0 })));
    const fileBytes = (await stat(file)).size;

    log(`admin scale: sa-admin import-realm of ${options.clients} clients (${(fileBytes / 1e6).toFixed(1)} MB)`);
    const imported = await saAdmin(env, ['--stage', STAGE, 'import-realm', file]);
    log(`admin scale: import ${describe(imported)}`);

    const token = await adminToken(env, gateway.url);
    const api = await listThroughApi(gateway.url, realm, token, options.clients);
    log(`admin scale: Admin API ${api.pages} pages of ${PAGE_SIZE}, ${describe(api)} (page 1 ${api.firstPageMs.toFixed(0)} ms, last ${api.lastPageMs.toFixed(0)} ms)`);
    const counted = await countedPages(env, new URL(gateway.url).host, realm, token, api.pages);
    log(`admin scale: items read per page: first ${counted.firstPageItemsRead}, most ${counted.maxPageItemsRead}, last ${counted.lastPageItemsRead}, last in a fresh container ${counted.coldLastPageItemsRead} (${counted.coldLastPageStatus}, ${counted.coldLastPageMs.toFixed(0)} ms)`);

    const list = await saAdmin(env, ['--stage', STAGE, '--json', 'client', 'list', realm]);
    const listed = (JSON.parse(list.stdout) as unknown[]).length;
    log(`admin scale: sa-admin client list ${listed} clients, ${describe(list)}`);
    const out = join(dir, 'export.json');
    const exported = await saAdmin(env, ['--stage', STAGE, 'export-realm', realm, '--out', out]);
    const bytes = (await stat(out)).size;
    log(`admin scale: sa-admin export-realm ${(bytes / 1e6).toFixed(1)} MB, ${describe(exported)}`);

    return {
      clients: options.clients,
      fileBytes,
      load: [loadBefore, loadavg()[0]!],
      importRealm: timed(imported),
      api: { ...api, ...counted },
      cliList: { ...timed(list), listed },
      cliExport: { ...timed(exported), bytes },
    };
  } finally {
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const timed = ({ seconds, cpuSeconds, dynamodbCpuSeconds }: Timed): Timed => ({ seconds, cpuSeconds, dynamodbCpuSeconds });
const describe = (t: Timed) => `${t.seconds.toFixed(1)} s wall, ${t.cpuSeconds.toFixed(1)} s CPU, DynamoDB Local ${t.dynamodbCpuSeconds.toFixed(1)} s CPU`;

/** CPU seconds of DynamoDB Local (the bench stack's java child) so far. */
const dynamodbCpu = () => childPidsNamed('java').reduce((sum, pid) => sum + processCpuSeconds(pid).total, 0);

/** utime + stime of this process's waited-for children (and theirs), seconds: fields 16 and 17 of /proc/self/stat. */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Runs bin/sa-admin.ts as an operator would (a node process of its own); throws on a non-zero exit. */
async function saAdmin(env: Record<string, string>, args: string[]): Promise<Timed & { stdout: string }> {
  const [started, cpu, dynamodb] = [performance.now(), childrenCpuSeconds(), dynamodbCpu()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/sa-admin.ts', ...args], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const [stdout, stderr] = [[] as Buffer[], [] as Buffer[]];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`sa-admin ${args.join(' ')} exited ${code}: ${Buffer.concat(stderr).toString().slice(-500)}`);
  return { seconds, cpuSeconds: childrenCpuSeconds() - cpu, dynamodbCpuSeconds: dynamodbCpu() - dynamodb, stdout: Buffer.concat(stdout).toString() };
}

/** A bootstrap admin of `master` (kc.sh bootstrap-admin service) and its access token from the token endpoint. */
async function adminToken(env: Record<string, string>, base: string): Promise<string> {
  const ctx = createAdminContext({
    names: { stage: STAGE, service: 'sa-token-service', clientsTable: env.CLIENTS_TABLE!, signingKeyAliases: signingKeyAliases(STAGE), secretsKeyId: secretsKeyAlias(STAGE) },
  });
  const [clientId, secret] = [`bench-admin-${randomUUID().slice(0, 8)}`, randomUUID()];
  await bootstrapAdminService(ctx, clientId, secret);
  const res = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`admin token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Every client, `first` advancing by PAGE_SIZE until a short page, as keycloak-admin-client's callers page. */
async function listThroughApi(base: string, realm: string, token: string, expected: number) {
  const pages: { ms: number; cpuMs: number }[] = [];
  let listed = 0;
  const [started, cpu, dynamodb] = [performance.now(), process.cpuUsage(), dynamodbCpu()];
  for (let first = 0; ; first += PAGE_SIZE) {
    const [t, c] = [performance.now(), process.cpuUsage()];
    const res = await fetch(`${base}/admin/realms/${realm}/clients?first=${first}&max=${PAGE_SIZE}`, { headers: { authorization: `Bearer ${token}` } });
    const page = (await res.json()) as unknown[];
    const used = process.cpuUsage(c);
    pages.push({ ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 });
    if (res.status !== 200) throw new Error(`page first=${first}: ${res.status} ${JSON.stringify(page).slice(0, 300)}`);
    listed += page.length;
    if (page.length < PAGE_SIZE) break;
  }
  const used = process.cpuUsage(cpu);
  // The generated clients and the demo's own (and realm-management).
  if (listed < expected) throw new Error(`the Admin API listed ${listed} clients, expected at least ${expected}`);
  const lastFull = pages.length > 1 ? pages.at(-2)! : pages[0]!;
  return {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    dynamodbCpuSeconds: dynamodbCpu() - dynamodb,
    pageSize: PAGE_SIZE,
    pages: pages.length,
    listed,
    firstPageMs: pages[0]!.ms,
    medianPageMs: pages.map((p) => p.ms).sort((a, b) => a - b)[Math.floor(pages.length / 2)]!,
    lastPageMs: lastFull.ms,
    firstPageCpuMs: pages[0]!.cpuMs,
    lastPageCpuMs: lastFull.cpuMs,
  };
}

/**
 * Items DynamoDB returned for each page of a second walk, on an admin handler built as
 * functions/admin.ts builds its own but with a counting DynamoDB client; then the last full page
 * on another such handler that has answered nothing before it (a fresh container).
 */
async function countedPages(env: Record<string, string>, host: string, realm: string, token: string, pages: number) {
  const tally = { items: 0 };
  const routes = await routesFromServerlessYml(PROJECT_ROOT);
  const container = () => {
    const dynamodb = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    dynamodb.middlewareStack.add(countItems(tally) as never, { step: 'initialize', name: 'benchAdminItems' });
    const runtime = createAdminRuntime({ env: { ...env, STAGE }, dynamodb });
    const router = new AdminRouter(ADMIN_ROUTES);
    const handler = httpHandler((request) => router.handle(runtime.deps, request), { log: () => undefined, budgetMs: ADMIN_BUDGET_MS }) as (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
    const get = async (first: number) => {
      const path = `/admin/realms/${realm}/clients`;
      const matched = matchRoute(routes, 'GET', path)!;
      const event = buildEvent(
        { method: 'GET', url: `${path}?first=${first}&max=${PAGE_SIZE}`, rawHeaders: ['Host', host, 'Authorization', `Bearer ${token}`], body: Buffer.alloc(0), sourceIp: '127.0.0.1', localPort: 80 },
        matched.route,
        matched.pathParameters,
      );
      tally.items = 0;
      const started = performance.now();
      const result = await handler(event);
      return { items: tally.items, ms: performance.now() - started, status: result.statusCode ?? 0 };
    };
    return { get, destroy: () => dynamodb.destroy() };
  };
  const lastFull = Math.max(pages - 2, 0) * PAGE_SIZE;
  const walk = container();
  await walk.get(0); // the bearer's realm and keys, once per container
  const counts: number[] = [];
  for (let first = 0; first <= lastFull; first += PAGE_SIZE) {
    const page = await walk.get(first);
    if (page.status !== 200) throw new Error(`counted page first=${first}: ${page.status}`);
    counts.push(page.items);
  }
  walk.destroy();
  // A fresh container: the page is found by reading keys (within the admin function's 25 s budget, else 503).
  const fresh = container();
  await fresh.get(0);
  const cold = await fresh.get(lastFull);
  fresh.destroy();
  return {
    firstPageItemsRead: counts[0]!,
    maxPageItemsRead: Math.max(...counts),
    lastPageItemsRead: counts.at(-1)!,
    coldLastPageItemsRead: cold.items,
    coldLastPageMs: cold.ms,
    coldLastPageStatus: cold.status,
  };
}

/** Counts the items Query, GetItem and Scan answers carried (what a page cost DynamoDB, near enough). */
function countItems(tally: { items: number }): InitializeMiddleware<object, MetadataBearer> {
  return (next) => async (args) => {
    const result = await next(args);
    const output = result.output as { Items?: unknown[]; Item?: unknown };
    tally.items += output.Items?.length ?? (output.Item ? 1 : 0);
    return result;
  };
}
