/**
 * The real `scannable` command as a child process (bin/scannable.js on the
 * bundle in dist/bundle, which `npm ci` and `npm run build` make): for exit codes, signals and what a
 * person sees on stderr. Asynchronous, so a proxy in the test process keeps
 * serving while the child runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared.js';

export const BIN = path.join(repoRoot, 'bin', 'scannable.js');

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process exits. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when stderr has matched `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    for (const w of [...watchers]) {
      if (w.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
  return {
    child,
    done,
    waitForStderr(pattern, timeoutMs = 120_000) {
      if (pattern.test(stderr)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`stderr never matched ${pattern} within ${timeoutMs} ms:\n${stderr}`)),
          timeoutMs,
        );
        watchers.push({
          pattern,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
        void done.then(() => {
          clearTimeout(t);
          if (!pattern.test(stderr))
            reject(new Error(`the command exited before stderr matched ${pattern}:\n${stderr}`));
        });
      });
    },
  };
}

export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return startCli(args, options).done;
}

/** Lines that look like a JavaScript stack frame: never shown to a person. */
export const STACK_FRAME = /^\s+at (?:.+ \()?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+\)?$/m;
