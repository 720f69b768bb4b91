import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { LogWriter } from '../../lib/logWriter.js';
import { Observability } from '../../lib/observability.js';

/**
 * The lean writer prints what Powertools Logger printed for the same calls (the audit trail's
 * queries and metric filters read these lines): same keys, same order, same values but the time.
 */
class PowertoolsLines extends Logger {
  readonly lines: string[] = [];
  protected override printLog(_level: number, log: LogItem): void {
    log.prepareForPrint();
    this.lines.push(JSON.stringify(log.getAttributes()));
  }
}

type Lines = Pick<LogWriter, 'info' | 'warn' | 'error'>;
const withoutTime = (line: string) => JSON.stringify({ ...(JSON.parse(line) as object), timestamp: 'T' });

function both(logLevel?: 'INFO' | 'WARN' | 'SILENT', env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const powertools = new PowertoolsLines({ serviceName: 'sa-token-service', ...(logLevel ? { logLevel } : {}) });
  const lines: string[] = [];
  const lean = new LogWriter({ serviceName: 'sa-token-service', ...(logLevel ? { logLevel } : {}), write: (line) => void lines.push(line) });
  return {
    run(calls: (logger: Lines, correlate: (id: string) => void) => void) {
      try {
        const asPowertools: Lines = {
          info: (message, fields) => powertools.info(message, { ...fields }),
          warn: (message, fields) => powertools.warn(message, { ...fields }),
          error: (message, fields) => powertools.error(message, { ...fields }),
        };
        calls(asPowertools, (id) => powertools.appendKeys({ correlation_id: id }));
        calls(lean, (id) => lean.setCorrelationId(id));
      } finally {
        for (const key of Object.keys(env)) delete process.env[key];
        Object.assign(process.env, saved);
      }
      return { powertools: powertools.lines.map(withoutTime), lean: lines.map(withoutTime), raw: lines, rawPowertools: powertools.lines };
    },
  };
}

describe('LogWriter', () => {
  it('writes the audit line Powertools wrote: key order, empty fields left out, correlation and trace ids', () => {
    const { powertools, lean, raw } = both('INFO', { _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1' }).run((log, correlate) => {
      log.info('before any request', { realm: 'demo' });
      correlate('req-1');
      log.info('CLIENT_LOGIN', { event: 'CLIENT_LOGIN', ipAddress: '203.0.113.7', userAgent: '', realm: 'demo', clientId: 'product-sa-client', token_id: undefined, scope: 'profile email' });
      correlate('req-2');
      log.warn('CLIENT_LOGIN_ERROR', { event: 'CLIENT_LOGIN_ERROR', clientId: 'x', error: 'invalid_client', reason: 'Invalid client credentials', count: 0, flag: false, nothing: null });
      log.error('unhandled error', { requestId: 'req-2', errorName: 'TypeError', errorMessage: 'boom' });
    });
    assert.equal(lean.length, 4);
    assert.deepEqual(lean, powertools);
    const line = JSON.parse(raw[1]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(line), ['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id', 'correlation_id', 'event', 'ipAddress', 'realm', 'clientId', 'scope']);
    assert.equal(line.xray_trace_id, '1-5759e988-bd862e3fe1be46a994272793');
    assert.match(String(line.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('keeps the line its own: a field cannot overwrite a reserved name, and no field reaches a prototype', () => {
    const { powertools, lean, raw } = both('INFO').run((log, correlate) => {
      correlate('req-3');
      log.info('REVOKE_GRANT', { level: 'ERROR', message: 'forged', service: 'other', timestamp: 'then', sampling_rate: 1, event: 'REVOKE_GRANT' });
    });
    // Powertools also warns once per reserved name; the line itself is the same.
    assert.deepEqual(lean, powertools.slice(-1));
    const lines: string[] = [];
    new LogWriter({ write: (line) => void lines.push(line) }).info('m', JSON.parse('{"__proto__":{"polluted":true},"constructor":"c"}') as Record<string, unknown>);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(JSON.parse(lines[0]!) as object), ['level', 'message', 'timestamp', 'service', 'sampling_rate', 'constructor']);
    assert.equal(JSON.parse(raw[0]!).level, 'INFO');
  });

  it('writes Powertools\' line for any field: nested, typed, escaped, index-like keys, a field named like a trace or correlation id', () => {
    const { powertools, lean, raw, rawPowertools } = both('INFO', { _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793' }).run((log, correlate) => {
      correlate('req-"4"');
      log.info('quote " and \u2028 and \u0001', { event: 'E', nested: { a: [1, 'two', null], b: { c: true } }, n: 1.5, big: -0, text: 'line\nbreak "q" \\ \u007f é 😀', fn: () => 1, date: new Date(0) });
      log.info('indexed', { event: 'E', 7: 'seven', '01': 'not an index', z: 'last' });
      log.warn('overrides', { event: 'E', correlation_id: 'other', xray_trace_id: '' });
      log.error('', { event: 'E' });
    });
    assert.equal(lean.length, 4);
    assert.deepEqual(lean, powertools);
    // Byte for byte, but the time.
    const untimed = (line: string) => line.replace(/"timestamp":"[^"]*"/, '"timestamp":"T"');
    assert.deepEqual(raw.map(untimed), rawPowertools.map(untimed));
  });

  it('honours the log level as Powertools does: the code, then POWERTOOLS_LOG_LEVEL, overruled by Lambda advanced logging controls', () => {
    const count = (options: ConstructorParameters<typeof LogWriter>[0]) => {
      const lines: string[] = [];
      const writer = new LogWriter({ ...options, write: (line) => void lines.push(line) });
      writer.info('i');
      writer.warn('w');
      writer.error('e');
      return lines.map((line) => (JSON.parse(line) as { level: string }).level);
    };
    assert.deepEqual(count({ env: {} }), ['INFO', 'WARN', 'ERROR']);
    assert.deepEqual(count({ logLevel: 'SILENT', env: {} }), []);
    assert.deepEqual(count({ logLevel: 'WARN', env: {} }), ['WARN', 'ERROR']);
    assert.deepEqual(count({ env: { POWERTOOLS_LOG_LEVEL: 'ERROR' } }), ['ERROR']);
    assert.deepEqual(count({ env: { LOG_LEVEL: 'warn' } }), ['WARN', 'ERROR']);
    assert.deepEqual(count({ logLevel: 'INFO', env: { AWS_LAMBDA_LOG_LEVEL: 'ERROR' } }), ['ERROR']);
    assert.deepEqual(count({ logLevel: 'INFO', env: { POWERTOOLS_LOG_LEVEL: 'nonsense' } }), ['INFO', 'WARN', 'ERROR']);
  });

  it('gives each audit line its own request id when two requests interleave in one process (serverless offline --useInProcess)', async () => {
    const lines: string[] = [];
    const observability = new Observability({ logger: new LogWriter({ write: (line) => void lines.push(line) }), flushIntervalMs: 3_600_000 });
    const source = (requestId: string) => ({ sourceIp: '198.51.100.1', headers: {}, requestId });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    observability.startRequest('first');
    const first = observability.audit('CLIENT_LOGIN', source('first')).around(() => gate);
    observability.startRequest('second');
    await observability.audit('CLIENT_LOGIN', source('second')).around(async () => undefined);
    release();
    await first;
    assert.deepEqual(lines.map((line) => (JSON.parse(line) as { correlation_id: string }).correlation_id), ['second', 'first']);
  });
});
