/**
 * What every command module is given: the program, the run's I/O, and the few things each
 * command does the same way — reach the stage (`context`), print human or JSON output, show
 * progress, fail with a usage error, read an input file.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createAdminContext, type AdminContext } from '../../lib/admin/context.js';
import { AdminError } from '../../lib/admin/errors.js';
import { isLoopbackUrl } from '../../lib/clientAuth/jwksUrl.js';
import { stageNames, tableNames } from '../../lib/deployment/stageNames.js';
import { jsonDepthProblem } from '../../lib/http/json.js';
import type { CliIo } from './io.js';

/**
 * A failure with several problems (a realm file's): one summary line, then one line each, so a
 * long list reads as a list. `problems` is what --json prints.
 */
export class CliProblems extends Error {
  constructor(
    readonly summary: string,
    readonly lines: string[],
    readonly problems: unknown[],
  ) {
    super(summary);
    this.name = 'CliProblems';
  }
}

export interface GlobalOptions {
  stage: string;
  local?: boolean;
  json?: boolean;
}

/**
 * The local stack's endpoints: the `export AWS_ENDPOINT_URL_*` lines `npm start` prints, else the
 * ports it was started with (DYNAMODB_PORT, KMS_PORT), else its defaults.
 */
export function localEndpoints(env: CliIo['env']): { dynamodb: string; kms: string } {
  return {
    dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL || `http://127.0.0.1:${env.DYNAMODB_PORT || 8000}`,
    kms: env.AWS_ENDPOINT_URL_KMS || env.AWS_ENDPOINT_URL || `http://127.0.0.1:${env.KMS_PORT || 4599}`,
  };
}

export interface Progress {
  (done: number, total: number): void;
  end(): void;
}

export interface Session {
  program: Command;
  io: CliIo;
  /** The stage (or the local stack) this run administers. */
  context(cmd: Command): AdminContext;
  /** `--json`: the value as JSON; otherwise the human lines. */
  print(cmd: Command, json: unknown, text: () => string[]): void;
  /** A progress line on a terminal, nothing otherwise (pipes and CI logs stay clean). */
  progress(label: string): Progress;
  /** A usage error: one line, exit 2. */
  usage(message: string): never;
  /** A file's text, or stdin's for `-`. */
  readInput(file: string): Promise<string>;
  readJson(file: string): Promise<unknown>;
  /**
   * A command group (`realm`, `client`, …), or a group within one (`client scope`): a missing or
   * unknown subcommand is a one-line usage error.
   */
  group(name: string, description: string, parent?: string): Command;
}

export function createSession(program: Command, io: CliIo): Session {
  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();

  function usage(message: string): never {
    return program.error(message, { exitCode: 2, code: 'sa-admin.usage' });
  }

  /**
   * `--local`: the stack `npm start` runs (stage `local`, its ports). Otherwise the stage's tables
   * and keys through the standard AWS SDK configuration. SA_ADMIN_CLIENTS_TABLE overrides the table
   * name (tests use it for their throw-away tables).
   */
  function context(cmd: Command): AdminContext {
    const options = globals(cmd);
    const stageGiven = program.getOptionValueSource('stage') === 'cli';
    if (options.local && stageGiven) usage('give --local or --stage, not both');
    const env = io.env;
    const stage = options.local ? 'local' : stageGiven ? options.stage : env.SA_ADMIN_STAGE || options.stage;
    return createAdminContext({
      names: stageNames(stage, env.SA_ADMIN_CLIENTS_TABLE || tableNames(stage).clients),
      ...(options.local ? { local: localEndpoints(env) } : {}),
      // Tables reached on this machine (DynamoDB Local through AWS_ENDPOINT_URL_DYNAMODB) are a local stage.
      localStage: isLoopbackUrl(env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL),
    });
  }

  function print(cmd: Command, json: unknown, text: () => string[]): void {
    const out = globals(cmd).json ? [JSON.stringify(json, null, 2)] : text();
    if (out.length > 0) io.stdout(`${out.join('\n')}\n`);
  }

  function progress(label: string): Progress {
    let shown = false;
    const update = (done: number, total: number) => {
      if (!io.stderrIsTTY) return;
      shown = true;
      io.stderr(`\r${label}: ${done}/${total}`);
    };
    return Object.assign(update, {
      end: () => {
        if (shown) io.stderr('\n');
        shown = false;
      },
    });
  }

  async function readInput(file: string): Promise<string> {
    try {
      if (file !== '-') return await readFile(file, 'utf8');
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks).toString('utf8');
    } catch (err) {
      throw new AdminError(`cannot read ${file}: ${(err as Error).message}`);
    }
  }

  async function readJson(file: string): Promise<unknown> {
    const text = await readInput(file);
    const tooDeep = jsonDepthProblem(text);
    if (tooDeep !== undefined) throw new AdminError(`${file} ${tooDeep}`);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new AdminError(`${file} is not JSON: ${(err as Error).message}`);
    }
  }

  function group(name: string, description: string, parent?: string): Command {
    const under = parent === undefined ? program : program.commands.find((c) => c.name() === parent);
    if (!under) throw new Error(`command group ${parent} is registered after its subgroup ${name}`);
    const cmd = under.command(name).description(description).usage('<command> [options]');
    const path = parent === undefined ? name : `${parent} ${name}`;
    cmd.argument('[command...]').action(([sub]: string[]) => {
      const names = cmd.commands.map((c) => c.name()).join(', ');
      usage(sub === undefined ? `${path}: missing command (one of ${names})` : `${path}: unknown command '${sub}' (one of ${names})`);
    });
    return cmd;
  }

  return { program, io, context, print, progress, usage, readInput, readJson, group };
}
