// The processes a benchmark measures (bench/serve-app.ts, bench/baseline.ts): forked with their own
// Node flags and environment, ready when they say so, stopped as npm start's would be (SIGTERM).
import { fork, type ChildProcess } from 'node:child_process';

export interface ChildOptions {
  env: Record<string, string>;
  /** Node flags, e.g. npm start's (bench/npm-start.ts). */
  flags?: string[];
  /** The checkout it runs in (side-by-side runs two). */
  cwd?: string;
}

/** Forks `file` and resolves once it has sent its first message (serve-app's "ready"). */
export function forkReady(file: string, opts: ChildOptions): Promise<ChildProcess> {
  const child = fork(file, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, execArgv: [...process.execArgv, ...(opts.flags ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before it was ready`)));
  });
}

/** SIGTERM to each, then waits until all have exited. */
export async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
}
