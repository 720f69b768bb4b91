import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../bin/cli/program.js';

/** The project root: where `bin/sa-admin.ts` runs from. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Extra environment, over the stage and table that `adminCli` sets. */
  env?: Record<string, string>;
  /** What the process reads on stdin (`import-realm -`); stdin is closed either way. */
  input?: string;
}

type Runner = (args: string[], options: CliOptions) => Promise<Run>;

/** The environment a run sees: the test stage and table over the test process's own. */
const runEnv = (tableName: () => string, env: Record<string, string>) => ({ ...process.env, SA_ADMIN_STAGE: 'test', SA_ADMIN_CLIENTS_TABLE: tableName(), ...env });

/**
 * `bin/sa-admin.ts` as a child process (`node --import tsx`, from the project root) against a
 * test file's tables: stage `test` keys and SA_ADMIN_CLIENTS_TABLE = `tableName()`, read at each run
 * (the table exists only once the file's `before` has made its stack). For what only the real
 * binary shows: exit status, EPIPE, the process's own environment.
 */
export function adminCli(tableName: () => string) {
  return cliAssertions((args, { env = {}, input }) => {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bin/sa-admin.ts', ...args], { cwd: ROOT, env: runEnv(tableName, env) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  });
}

/**
 * The same program run in this process (bin/cli/program.ts `runCli`), its output captured: the
 * same contract as `adminCli` without starting node and tsx for every command.
 */
export function adminCliInProcess(tableName: () => string) {
  return cliAssertions(async (args, { env = {}, input }) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      stderrIsTTY: false,
      stdin: Readable.from([Buffer.from(input ?? '')]),
      env: runEnv(tableName, env),
    });
    return { code, stdout, stderr };
  });
}

function cliAssertions(run: Runner) {
  const cli = (args: string[], options: CliOptions = {}) => run(args, options);

  /** A success: exit 0, and nothing on stderr (no progress without a terminal). */
  async function ok(args: string[], options: CliOptions = {}): Promise<Run> {
    const run = await cli(args, options);
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stderr, '', 'nothing on stderr on success (no progress without a terminal)');
    return run;
  }

  /** The stdout of a success. */
  const output = async (args: string[], options: CliOptions = {}): Promise<string> => (await ok(args, options)).stdout;

  /** The `--json` output of a success, parsed. */
  const json = async (args: string[], options: CliOptions = {}) => JSON.parse(await output(['--json', ...args], options));

  /**
   * A failure: the exit status, and one line on stderr, `sa-admin: …` (a list of problems: one
   * indented line each after it), never a stack trace.
   */
  async function fails(args: string[], code: number, message: RegExp, options: CliOptions = {}): Promise<Run> {
    const run = await cli(args, options);
    assert.equal(run.code, code, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, /^sa-admin: [^\n]+\n(?: {2}[^\n]+\n)*$/, run.stderr);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    return run;
  }

  /** `sa-admin …` as an operator types it (human output): its stdout; rejects on a non-zero exit. */
  async function saAdmin(...args: string[]): Promise<string> {
    const run = await cli(args);
    if (run.code !== 0) throw new Error(`sa-admin ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return run.stdout;
  }

  return { cli, ok, output, json, fails, saAdmin };
}
