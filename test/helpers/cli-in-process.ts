/**
 * The CLI run in this process (no child, no compiled dist/): what it printed
 * and its exit code. For exit codes under signals, use helpers/cli.ts.
 */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(...args: string[]): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    const code = await main(['node', 'scannable', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    // The action sets process.exitCode; it must not leak into the test run's own status.
    process.exitCode = undefined;
  }
}
