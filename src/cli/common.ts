/** Option parsing and Dockerfile loading shared by the subcommands. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDockerfile, type SyntaxTree } from '../../grammar/dockerfile/index.js';
import { formatDiagnostic, UserError, type Diagnostic } from '../common/diagnostics.js';
import { readTextFile } from './parse.js';

/** Collects a repeatable option into an array (commander's reducer). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--build-arg K=V`, or `--build-arg K` to take K from the environment (as docker does). */
export function parseBuildArgs(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq === 0) throw new UserError(`invalid --build-arg ${JSON.stringify(item)}: the name is missing`);
    if (eq < 0) {
      const v = process.env[item];
      if (v !== undefined) out[item] = v;
      continue;
    }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** The Dockerfile path: -f as given (relative to the working directory), else CONTEXT/Dockerfile. */
export function dockerfilePath(file: string | undefined, context: string): string {
  if (file !== undefined) return file;
  if (!existsSync(context)) throw new UserError(`build context ${context} does not exist`);
  if (!statSync(context).isDirectory()) throw new UserError(`build context ${context} is not a directory`);
  return path.join(context, 'Dockerfile');
}

export function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
}

/** Reads and parses a Dockerfile; parse errors are printed and become undefined. */
export function loadTree(file: string): SyntaxTree | undefined {
  const out = parseDockerfile(readTextFile(file), file);
  if (!out.ok) {
    printDiagnostics(out.diagnostics);
    return undefined;
  }
  return out.tree;
}
