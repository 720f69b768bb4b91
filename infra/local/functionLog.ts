import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * serverless offline's output, the functions' logs and audit events included, kept in a file so
 * a local operator can read the trail (`jq` on it). JSON lines: a line the functions wrote as a
 * JSON object (Powertools' logger, the audit events) is kept as written; any other line (serverless
 * offline's own) is wrapped as `{"time","source","message"}`. When the file would pass `maxBytes`
 * it becomes `<file>.1`, `<file>.1` becomes `<file>.2`, …, and the oldest past `keep` is deleted.
 */
export interface FunctionLogLimits {
  maxBytes: number;
  keep: number;
}

export const DEFAULT_FUNCTION_LOG_LIMITS: FunctionLogLimits = { maxBytes: 10 * 1024 * 1024, keep: 5 };

/** Every file a FunctionLog at `path` may have written, oldest first. */
export function functionLogFiles(path: string, limits: FunctionLogLimits = DEFAULT_FUNCTION_LOG_LIMITS): string[] {
  const rotated = Array.from({ length: limits.keep }, (_, i) => `${path}.${limits.keep - i}`);
  return [...rotated, path].filter((file) => existsSync(file));
}

export class FunctionLog {
  private size: number;
  /** A line's start that arrived without its end, per stream. */
  private readonly partial = { stdout: '', stderr: '' };
  private closed = false;
  /** Kept open: a line is one write(2), not an open, a write and a close (appendFileSync), under load. */
  private fd: number;

  constructor(
    readonly path: string,
    private readonly limits: FunctionLogLimits = DEFAULT_FUNCTION_LOG_LIMITS,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    this.fd = openSync(path, 'a');
  }

  write(source: 'stdout' | 'stderr', chunk: Buffer | string): void {
    // The child's pipes can still deliver output after it exited and the log was closed.
    if (this.closed) return;
    const lines = (this.partial[source] + chunk.toString()).split('\n');
    this.partial[source] = lines.pop() ?? '';
    for (const line of lines) this.append(source, line);
  }

  close(): void {
    if (this.closed) return;
    for (const source of ['stdout', 'stderr'] as const) this.append(source, this.partial[source]);
    this.closed = true;
    closeSync(this.fd);
  }

  private append(source: 'stdout' | 'stderr', raw: string): void {
    // serverless offline colours its own lines; a log line is read with jq, not a terminal.
    const line = raw.replace(/\r$/, '').replace(/\u001b\[[0-9;]*m/g, '');
    if (line.trim() === '') return;
    const entry = isJsonObject(line) ? line : JSON.stringify({ time: this.now().toISOString(), source: `serverless-offline ${source}`, message: line });
    const bytes = Buffer.byteLength(entry) + 1;
    if (this.size > 0 && this.size + bytes > this.limits.maxBytes) this.rotate();
    writeSync(this.fd, `${entry}\n`);
    this.size += bytes;
  }

  private rotate(): void {
    rmSync(`${this.path}.${this.limits.keep}`, { force: true });
    for (let i = this.limits.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    closeSync(this.fd);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
