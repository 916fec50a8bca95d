import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dumpTree, parseDockerfile } from '../../grammar/dockerfile/index.js';
import { formatDiagnostic, UserError } from '../common/diagnostics.js';
import { buildIR, irToJSON } from '../ir/index.js';

export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(code);
    throw new UserError(`cannot read ${file}: ${why}`);
  }
}

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description("Parse a Dockerfile and print its typed IR as JSON, or BuildKit's AST dump")
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
      if (opts.format === 'buildkit') {
        process.stdout.write(dumpTree(out.tree));
        return;
      }
      const ir = buildIR(out.tree);
      process.stdout.write(JSON.stringify(irToJSON(ir), null, 2) + '\n');
      const errors = ir.diagnostics.filter((d) => d.severity === 'error');
      for (const d of ir.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      if (errors.length > 0) process.exitCode = 2;
    });
}
