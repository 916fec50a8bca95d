import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dumpTree, parseDockerfile } from '../../grammar/dockerfile/index.js';
import { formatDiagnostic, UserError } from '../common/diagnostics.js';

export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new UserError(`cannot read ${file}: ${why}`);
  }
}

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('Parse a Dockerfile and print its syntax as JSON or as BuildKit\'s AST dump')
    .argument('<file>', 'the Dockerfile')
    .option('--format <format>', 'json | buildkit', 'json')
    .action((file: string, opts: { format: string }) => {
      if (opts.format !== 'json' && opts.format !== 'buildkit') {
        throw new UserError(`unknown --format ${JSON.stringify(opts.format)}: use json or buildkit`);
      }
      const out = parseDockerfile(readTextFile(file), file);
      if (!out.ok) {
        for (const d of out.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
        process.exitCode = 2;
        return;
      }
      process.stdout.write(opts.format === 'buildkit' ? dumpTree(out.tree) : JSON.stringify(out.tree, null, 2) + '\n');
    });
}
