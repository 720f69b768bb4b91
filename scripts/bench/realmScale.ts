/**
 * Flat in the realm's size (issue 21, target 3): realms of growing size written into DynamoDB
 * Local (a generated Keycloak export, imported with the CLI's batch writes), and for each: the
 * import's time, the realm load (ClientsTable.loadRealm: wall time, Query pages, items read, read
 * units), the bytes a container holds for the loaded realm context, and the CPU of a warm grant of
 * one demo client that uses none of the generated clients, roles, scopes, groups or mappers.
 */
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { routesFromServerlessYml } from '../../infra/local/apiGateway.js';
import { DEMO_REALM_FILE, PROJECT_ROOT } from '../../infra/local/stack.js';
import { importRealm, parseRealmExport } from '../../lib/admin/realmImport.js';
import { loadConfig } from '../../lib/config.js';
import { tokenEndpoint, tokenGrants } from '../../lib/grants/tokenEndpoint.js';
import { httpHandler } from '../../lib/http/handler.js';
import { createRuntime } from '../../lib/runtime.js';
import { createSigningKey } from '../../lib/signing/keys.js';
import { ClientsTable } from '../../lib/store/clientsTable.js';
import type { ClientRecord } from '../../lib/model/stored.js';
import { tokenRealm } from '../../lib/tokens/tokenContext.js';
import { LogWriter } from '../../lib/logWriter.js';
import { Observability } from '../../lib/observability.js';
import { secretsKeyAlias } from '../../lib/deployment/stageNames.js';
import { BENCH_CLIENT, benchClient, grantEvent, STAGE } from './setup.js';

export interface RealmSize {
  clients: number;
  roles: number;
  scopes: number;
  groups: number;
  mappers: number;
}

/** The three sizes: each dimension at its smallest, middle and largest value. */
export const REALM_SIZES: readonly RealmSize[] = [
  { clients: 10, roles: 10, scopes: 10, groups: 0, mappers: 0 },
  { clients: 1_000, roles: 1_000, scopes: 200, groups: 1_000, mappers: 500 },
  { clients: 20_000, roles: 5_000, scopes: 200, groups: 1_000, mappers: 500 },
];

export interface RealmScaleResult extends RealmSize {
  realm: string;
  importSeconds: number;
  /** Median of the loads, milliseconds of wall time (DynamoDB Local on this machine). */
  loadMs: number;
  pages: number;
  itemsRead: number;
  /** Items of the realm that are clients: a load must read none of them. */
  clientItemsRead: number;
  readUnits: number;
  /** Heap held by the loaded realm context (after a full GC), bytes. */
  heapBytes: number;
  grantCpuMicros: number;
  grants: number;
}

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export { generatedExport };

export async function measureRealmScale(options: { env: Record<string, string>; secret: string; durationMs: number; log: (line: string) => void; sizes?: readonly RealmSize[] }): Promise<RealmScaleResult[]> {
  const demo = JSON.parse(await readFile(DEMO_REALM_FILE, 'utf8')) as Record<string, unknown>;
  const tally = { pages: 0, items: 0, clientItems: 0, readUnits: 0 };
  const clientConfig = { region: options.env.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: options.env.AWS_ENDPOINT_URL_DYNAMODB });
  dynamodb.middlewareStack.add(countQueries(tally) as never, { step: 'initialize', name: 'benchRealmLoad' });
  const kms = new KMSClient({ ...clientConfig, endpoint: options.env.AWS_ENDPOINT_URL_KMS });
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const table = new ClientsTable(doc, options.env.CLIENTS_TABLE!);
  const routes = await routesFromServerlessYml(PROJECT_ROOT);
  const gc = exposeGc();
  const results: RealmScaleResult[] = [];

  for (const size of options.sizes ?? REALM_SIZES) {
    const realm = `scale-${size.clients}-${size.roles}`;
    options.log(`realm scale: importing ${realm} (${JSON.stringify(size)})`);
    const started = performance.now();
    const parsed = await parseRealmExport(generatedExport(demo, realm, size));
    await importRealm(table, parsed);
    const importSeconds = (performance.now() - started) / 1000;
    await createSigningKey(kms, table, realm, { alg: 'ES256', mode: 'envelope', wrappingKeyId: secretsKeyAlias(STAGE), retainPreviousFor: 0, now: Math.floor(Date.now() / 1000) });
    const template = parsed.items.find((item) => item.kind === 'client' && item.clientId === 'product-sa-client') as ClientRecord | undefined;
    if (!template) throw new Error('the generated realm has no product-sa-client');
    await table.putClient(benchClient(template, realm, { clientId: BENCH_CLIENT, refresh: false, extraMappers: 0 }, options.secret));

    // Realm loads, as a container's realm cache makes them.
    const times: number[] = [];
    let perLoad = { pages: 0, items: 0, clientItems: 0, readUnits: 0 };
    for (let i = 0; i < 5; i++) {
      Object.assign(tally, { pages: 0, items: 0, clientItems: 0, readUnits: 0 });
      const t = performance.now();
      await table.loadRealm(realm);
      times.push(performance.now() - t);
      perLoad = { ...tally };
    }

    // Bytes held: the realm context as the token path indexes it.
    gc();
    const before = process.memoryUsage().heapUsed;
    const held = tokenRealm((await table.loadRealm(realm))!);
    gc();
    const heapBytes = process.memoryUsage().heapUsed - before;
    void held.settings;

    // Warm grants of the demo client's stateless copy, on a runtime as the token function builds it.
    const runtime = createRuntime({
      config: loadConfig({ ...options.env, REALM_CACHE_TTL_SECONDS: '60', CLIENT_CACHE_TTL_SECONDS: '30' }),
      // Clients of their own: the grants' reads are not the realm load's.
      dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: options.env.AWS_ENDPOINT_URL_DYNAMODB }),
      kms: new KMSClient({ ...clientConfig, endpoint: options.env.AWS_ENDPOINT_URL_KMS }),
      signsTokens: true,
      // Audit lines off (INFO); a warning or an unhandled error goes to stderr with the progress.
      observability: new Observability({ logger: new LogWriter({ logLevel: 'WARN', write: (line) => void process.stderr.write(`${line}\n`) }) }),
    });
    const handler: Handler = httpHandler((request) => tokenEndpoint(runtime, request, tokenGrants), { noStore: true, observe: runtime.observability }) as Handler;
    const eventJson = JSON.stringify(grantEvent(routes, realm, BENCH_CLIENT, options.secret));
    const invoke = async () => {
      const result = await handler(JSON.parse(eventJson) as APIGatewayProxyEventV2);
      if (result.statusCode !== 200) throw new Error(`${realm}: grant answered ${result.statusCode}: ${result.body}`);
    };
    for (let i = 0; i < 200; i++) await invoke();
    const cpu = process.cpuUsage();
    const end = performance.now() + options.durationMs;
    let grants = 0;
    while (performance.now() < end) {
      await invoke();
      grants++;
    }
    const used = process.cpuUsage(cpu);
    results.push({
      ...size,
      realm,
      importSeconds,
      loadMs: [...times].sort((a, b) => a - b)[2]!,
      pages: perLoad.pages,
      itemsRead: perLoad.items,
      clientItemsRead: perLoad.clientItems,
      readUnits: perLoad.readUnits,
      heapBytes,
      grantCpuMicros: (used.user + used.system) / grants,
      grants,
    });
    options.log(`realm scale: ${realm} load ${results.at(-1)!.loadMs.toFixed(0)} ms, ${perLoad.pages} pages, ${perLoad.readUnits} RRU`);
  }
  dynamodb.destroy();
  kms.destroy();
  return results;
}

/** Counts Query pages, the items they returned (clients among them) and the read units DynamoDB charged. */
function countQueries(tally: { pages: number; items: number; clientItems: number; readUnits: number }): InitializeMiddleware<object, MetadataBearer> {
  return (next, context) => async (args) => {
    if (context.commandName !== 'QueryCommand') return next(args);
    (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const output = result.output as { Items?: Record<string, { S?: string }>[]; ConsumedCapacity?: { CapacityUnits?: number } };
    tally.pages++;
    tally.items += output.Items?.length ?? 0;
    tally.clientItems += (output.Items ?? []).filter((item) => item.kind?.S === 'client').length;
    tally.readUnits += output.ConsumedCapacity?.CapacityUnits ?? 0;
    return result;
  };
}

/** `global.gc` without starting node with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * The demo realm with generated clients, roles (every other one composite of its predecessor),
 * client scopes carrying the mappers, and groups — none of them used by the demo's own clients.
 */
function generatedExport(demo: Record<string, unknown>, realm: string, size: RealmSize): Record<string, unknown> {
  const roles = demo.roles as { realm: Record<string, unknown>[]; client?: Record<string, unknown> };
  const generatedRoles = Array.from({ length: size.roles }, (_, i) => ({
    name: `gen-role-${i}`,
    description: `generated role ${i}`,
    composite: i % 2 === 1,
    ...(i % 2 === 1 ? { composites: { realm: [`gen-role-${i - 1}`] } } : {}),
    clientRole: false,
    attributes: {},
  }));
  const mappersPerScope = size.scopes > 0 ? Math.ceil(size.mappers / size.scopes) : 0;
  let mappersLeft = size.mappers;
  const generatedScopes = Array.from({ length: size.scopes }, (_, i) => {
    const count = Math.min(mappersPerScope, mappersLeft);
    mappersLeft -= count;
    return {
      name: `gen-scope-${i}`,
      description: `generated scope ${i}`,
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'true' },
      protocolMappers: Array.from({ length: count }, (_, j) => ({
        name: `gen claim ${i}.${j}`,
        protocol: 'openid-connect',
        protocolMapper: 'oidc-hardcoded-claim-mapper',
        config: { 'claim.name': `gen.claim${i}_${j}`, 'claim.value': String(j), 'jsonType.label': 'String', 'access.token.claim': 'true' },
      })),
    };
  });
  const generatedGroups = Array.from({ length: size.groups }, (_, i) => ({
    name: `gen-group-${i}`,
    path: `/gen-group-${i}`,
    attributes: { team: [`team-${i}`] },
    realmRoles: size.roles > 0 ? [`gen-role-${i % size.roles}`] : [],
    subGroups: [],
  }));
  const generatedClients = Array.from({ length: size.clients }, (_, i) => ({
    clientId: `gen-client-${i}`,
    name: `generated client ${i}`,
    enabled: true,
    // private_key_jwt, without keys: no secret to hash, so the import's time is the writes', not a KDF's per client.
    clientAuthenticatorType: 'client-jwt',
    serviceAccountsEnabled: true,
    publicClient: false,
    protocol: 'openid-connect',
    fullScopeAllowed: false,
    attributes: {},
    defaultClientScopes: ['roles', 'basic'],
    optionalClientScopes: [],
  }));
  return {
    ...demo,
    id: undefined,
    realm,
    // The bench gives the realm an ES256 key only: a grant's signature is then the small part.
    defaultSignatureAlgorithm: 'ES256',
    roles: { ...roles, realm: [...roles.realm, ...generatedRoles] },
    groups: [...((demo.groups as unknown[]) ?? []), ...generatedGroups],
    clientScopes: [...(demo.clientScopes as unknown[]), ...generatedScopes],
    clients: [...(demo.clients as unknown[]), ...generatedClients],
  };
}
