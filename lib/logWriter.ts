/**
 * The service's JSON log lines, in the shape AWS Lambda Powertools Logger (2.x, its default
 * PowertoolsLogFormatter) prints them, so that log queries, metric filters and alarms written
 * against those lines keep working:
 *
 *   {"level":"INFO","message":"CLIENT_LOGIN","timestamp":"…Z","service":"sa-token-service",
 *    "sampling_rate":0,"xray_trace_id":"1-…","correlation_id":"<request id>", …fields}
 *
 * Top-level fields that are undefined, null or '' are left out, as Powertools leaves them out
 * (LogItem.removeEmptyKeys); the reserved names cannot be overwritten by a field. Written with one
 * `process.stdout.write` per line, which Lambda sends to CloudWatch Logs as Powertools' own
 * Console on stdout does.
 *
 * Why not Powertools itself: every line there deep-merges its attribute stores, reads several
 * environment variables and goes through a Console; `npm run bench` profiled that at 20–30 µs of
 * CPU per audit line, the largest item of a warm grant after the signature, for the same JSON.
 * What this writer does not do: Powertools' debug sampling, log buffering, POWERTOOLS_DEV's
 * indentation, and a timestamp in a TZ other than UTC (Lambda's TZ is `:UTC`).
 */
import { BoundedMap } from './cache.js';

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

/** Powertools' LogLevelThreshold. */
const THRESHOLDS: ReadonlyMap<string, number> = new Map([
  ['TRACE', 6],
  ['DEBUG', 8],
  ['INFO', 12],
  ['WARN', 16],
  ['ERROR', 20],
  ['CRITICAL', 24],
  ['SILENT', 28],
]);

/** Names a field may not take: Powertools' ReservedKeys, the line's own, and `__proto__`. */
const RESERVED = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp', '__proto__']);

export interface LogWriterOptions {
  /** `service`; default POWERTOOLS_SERVICE_NAME, else Powertools' `service_undefined`. */
  serviceName?: string;
  /** Lines below this level are not written; default POWERTOOLS_LOG_LEVEL, LOG_LEVEL, else INFO. */
  logLevel?: LogLevel;
  /** Where a line goes (without its newline); default stdout. */
  write?: (line: string) => void;
  env?: Readonly<Record<string, string | undefined>>;
}

export class LogWriter {
  private readonly threshold: number;
  private readonly service: string;
  private readonly serviceJson: string;
  private readonly samplingRate: number;
  private readonly write: (line: string) => void;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private correlationId: string | undefined;

  constructor(options: LogWriterOptions = {}) {
    const env = (this.env = options.env ?? process.env);
    // As Powertools decides it: Lambda's advanced logging controls first, then the code, then the environment.
    const alc = env.AWS_LAMBDA_LOG_LEVEL === 'FATAL' ? 'CRITICAL' : env.AWS_LAMBDA_LOG_LEVEL;
    const level = [alc, options.logLevel, env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL].find((name) => name !== undefined && THRESHOLDS.has(name.toUpperCase()));
    this.threshold = THRESHOLDS.get(level?.toUpperCase() ?? 'INFO')!;
    this.service = options.serviceName || env.POWERTOOLS_SERVICE_NAME || 'service_undefined';
    this.serviceJson = JSON.stringify(this.service);
    const rate = Number(env.POWERTOOLS_LOGGER_SAMPLE_RATE ?? 0);
    this.samplingRate = rate >= 0 && rate <= 1 ? rate : 0;
    this.write = options.write ?? ((line) => void process.stdout.write(`${line}\n`));
  }

  /** The request id every following line carries as `correlation_id`, until the next request's. */
  setCorrelationId(requestId: string): void {
    this.correlationId = requestId;
  }

  info(message: string, fields?: Readonly<Record<string, unknown>>, correlationId?: string): void {
    if (this.threshold <= 12) this.print('INFO', message, fields, correlationId);
  }

  warn(message: string, fields?: Readonly<Record<string, unknown>>, correlationId?: string): void {
    if (this.threshold <= 16) this.print('WARN', message, fields, correlationId);
  }

  error(message: string, fields?: Readonly<Record<string, unknown>>, correlationId?: string): void {
    if (this.threshold <= 20) this.print('ERROR', message, fields, correlationId);
  }

  /** `correlationId`: the request's own, when the caller knows it (two requests may interleave in one process, as under `serverless offline --useInProcess`). */
  private print(level: string, message: string, fields: Readonly<Record<string, unknown>> | undefined, correlationId = this.correlationId): void {
    const traceId = xrayTraceId(this.env);
    // The line is written as text, key by key in Powertools' order, without the object Powertools
    // (and an earlier form of this writer) built and serialised: per audit line that object cost
    // more than the JSON itself. A field named like one of the line's own optional keys, or like an
    // array index (which an object would have moved to the front), takes the object path below.
    let text = `{"level":"${level}"`;
    if (message !== '') text += `,"message":${JSON.stringify(message)}`;
    text += `,"timestamp":"${new Date().toISOString()}","service":${this.serviceJson},"sampling_rate":${this.samplingRate}`;
    if (traceId) text += `,"xray_trace_id":${JSON.stringify(traceId)}`;
    if (correlationId) text += `,"correlation_id":${JSON.stringify(correlationId)}`;
    if (fields) {
      for (const key of Object.keys(fields)) {
        const member = memberPrefix(key);
        if (member === RESERVED_MEMBER) continue;
        if (member === OBJECT_PATH) return this.printObject(level, message, fields, traceId, correlationId);
        const value = fields[key];
        if (value === undefined || value === null || value === '') continue;
        // What JSON.stringify of the whole line would write for this member (nothing for a function or symbol).
        const json = typeof value === 'number' && Number.isFinite(value) ? String(value) : JSON.stringify(value);
        if (json !== undefined) text += member + json;
      }
    }
    this.write(`${text}}`);
  }

  /** The same line built as an object: the general case, for the fields the text path leaves to it. */
  private printObject(level: string, message: string, fields: Readonly<Record<string, unknown>>, traceId: string | undefined, correlationId: string | undefined): void {
    // Powertools' key order. `__proto__` is refused (RESERVED), so that no name can reach
    // Object.prototype. (An ordinary object, not a null-prototype one: V8 serialises those from
    // dictionary mode, at twice the cost.)
    const line: Record<string, unknown> = { level, message, timestamp: new Date().toISOString(), service: this.service, sampling_rate: this.samplingRate };
    if (message === '') delete line.message;
    if (traceId) line.xray_trace_id = traceId;
    if (correlationId) line.correlation_id = correlationId;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (RESERVED.has(key)) continue;
      if (value === undefined || value === null || value === '') delete line[key];
      else line[key] = value;
    }
    this.write(JSON.stringify(line));
  }
}

/** A key an object orders before every other (an array index, ECMA-262 §6.1.7). */
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

const RESERVED_MEMBER = '';
const OBJECT_PATH = '\u0000';
/**
 * `,"key":` for a field name, or what the line does with it: left out (a reserved name) or the
 * object path (a name the line itself uses, or an array index). Field names are the service's
 * own, a few dozen: each is worked out once per container, not once per line.
 */
function memberPrefix(key: string): string {
  let member = members.get(key);
  if (member === undefined) {
    member = RESERVED.has(key) ? RESERVED_MEMBER : key === 'xray_trace_id' || key === 'correlation_id' || ARRAY_INDEX.test(key) ? OBJECT_PATH : `,${JSON.stringify(key)}:`;
    members.set(key, member);
  }
  return member;
}
const members = new BoundedMap<string, string>(1000);

/**
 * The X-Ray trace id Lambda gives the current invocation: from the runtime's invoke store when
 * there is one, else `_X_AMZN_TRACE_ID` (`Root=1-…;Parent=…;Sampled=…`), as Powertools reads it.
 */
function xrayTraceId(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId(): string | undefined } } }).awslambda?.InvokeStore;
  const header = store?.getXRayTraceId() ?? env._X_AMZN_TRACE_ID;
  if (!header) return undefined;
  if (!header.includes('=')) return header;
  for (const part of header.split(';')) {
    if (part.startsWith('Root=')) return part.slice('Root='.length);
  }
  return undefined;
}
