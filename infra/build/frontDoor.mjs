/**
 * Serverless Framework plugin: the front door, `httpApi` (default) or `alb`, chosen by
 * `--param frontDoor=…` (serverless.yml `custom.frontDoor`).
 *
 * serverless.yml lists every route once, as `httpApi` events. With `alb` this plugin replaces them
 * by the framework's own `alb` events before anything is compiled: per function and method, one
 * listener rule whose path patterns are the routes with each `{parameter}` as `*` (so both
 * `/realms/…` and `/auth/realms/…`), forwarding to the function's one target group (multi-value
 * headers on: lib/http joins repeated headers as API Gateway does). `serverless offline` gets both
 * sets of events, whatever the parameter, so the HTTP API and the ALB are served side by side
 * (`--albPort`). infra/alb.yml holds the load balancer and its HTTPS listener.
 *
 * Listener rule priorities follow the order of functions in serverless.yml (100 per function):
 * add new functions at the end, or an update moves every later rule. A function with a greedy
 * `{proxy+}` route (the Admin API's `/admin/{proxy+}`) has its rules after every other, as API
 * Gateway ranks a greedy path last: the console's `/admin/{realm}/console/…` lies inside it.
 */
/** An ALB rule holds at most five condition values: one method and up to four paths. */
const PATHS_PER_RULE = 4;
const PRIORITY_STEP = 100;
const GREEDY_PRIORITY_BASE = 10_000;

export default class FrontDoor {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { initialize: () => this.apply() };
  }

  apply() {
    const { service } = this.serverless;
    // An unknown value or a missing ALB parameter never gets here: serverless.yml includes
    // infra/${frontDoor}.yml, and the framework names what it cannot resolve.
    const frontDoor = service.custom?.frontDoor ?? 'httpApi';
    const offline = this.serverless.processedInput?.commands?.[0] === 'offline';
    if (frontDoor === 'httpApi' && !offline) return;

    Object.entries(service.functions ?? {}).forEach(([, fn], index) => {
      const events = fn.events ?? [];
      const routes = events.filter((event) => event.httpApi).map((event) => route(event.httpApi));
      const greedy = routes.some(({ path }) => path.includes('+}'));
      const alb = albEvents(routes, (greedy ? GREEDY_PRIORITY_BASE : 0) + index * PRIORITY_STEP + 1);
      fn.events = offline ? [...events, ...alb] : [...events.filter((event) => !event.httpApi), ...alb];
    });
  }
}

/** `{ method, path }` of an httpApi event, written as an object or as `'POST /path'`. */
function route(httpApi) {
  if (typeof httpApi === 'string') {
    const [method, path] = httpApi.split(' ');
    return { method: method.toUpperCase(), path };
  }
  return { method: String(httpApi.method).toUpperCase(), path: httpApi.path };
}

/** ALB path patterns have no parameters: `{realm}` and `{proxy+}` become `*`. */
const albPattern = (path) => path.replace(/\{[^}]+\}/g, '*');

function albEvents(routes, firstPriority) {
  const byMethod = new Map();
  for (const { method, path } of routes) {
    const paths = byMethod.get(method) ?? [];
    if (!paths.includes(albPattern(path))) paths.push(albPattern(path));
    byMethod.set(method, paths);
  }
  const events = [];
  for (const [method, paths] of byMethod) {
    for (let i = 0; i < paths.length; i += PATHS_PER_RULE) {
      events.push({
        alb: {
          listenerArn: { Ref: 'AlbHttpsListener' },
          priority: firstPriority + events.length,
          multiValueHeaders: true,
          conditions: { path: paths.slice(i, i + PATHS_PER_RULE), ...(method === 'ANY' ? {} : { method: [method] }) },
        },
      });
    }
  }
  return events;
}
