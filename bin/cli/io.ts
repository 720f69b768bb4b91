/**
 * What one run of the CLI reads and writes. The binary passes the process's own streams and
 * environment; tests pass buffers, so a command runs in-process and its output can be checked.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress lines go to stderr only on a terminal: pipes and CI logs stay clean. */
  stderrIsTTY: boolean;
  stdin: AsyncIterable<Buffer | string>;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    stdin: process.stdin,
    env: process.env,
  };
}
