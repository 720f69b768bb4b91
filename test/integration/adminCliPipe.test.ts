/**
 * `sa-admin … | head -1`: when the reader closes the pipe early, the CLI ends quietly (no EPIPE
 * stack trace, exit 0), as Unix filters do.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ROOT } from '../support/adminCli.js';

function run(command: string, args: string[], closeStdoutAtOnce: boolean): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // The reader goes away before the CLI has written anything: every write meets a closed pipe.
    if (closeStdoutAtOnce) child.stdout.destroy();
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('sa-admin with a reader that stops early', () => {
  it('ends quietly when stdout is closed before it writes', async () => {
    for (const args of [['--help'], ['realm', '--help']]) {
      const result = await run(process.execPath, ['bin/sa-admin.js', ...args], true);
      assert.equal(result.stderr, '', args.join(' '));
      assert.equal(result.code, 0, args.join(' '));
    }
  });

  it('`sa-admin --help | head -1` prints the first line and nothing on stderr', async () => {
    const result = await run('sh', ['-c', `"${process.execPath}" bin/sa-admin.js --help | head -1`], false);
    assert.equal(result.stdout, 'Usage: sa-admin [options] [command]\n');
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
  });
});
