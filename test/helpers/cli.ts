// Runs the CLI in-process with captured output.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../../cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await main(args, {
    stdout: out.stream,
    stderr: err.stream,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.stdin === undefined ? {} : { stdin: Readable.from([options.stdin]) }),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

/**
 * Runs the CLI from source in a child process and kills it with SIGKILL once `until` holds
 * (checked every 5 ms, for at most `timeoutMs`); resolves with the signal that ended it.
 */
export async function killCliWhen(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, until: () => boolean, timeoutMs = 60_000): Promise<NodeJS.Signals | null> {
  const entry = join(__dirname, 'cli-entry.ts');
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), entry, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + timeoutMs;
  while (!until() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  return exited;
}
