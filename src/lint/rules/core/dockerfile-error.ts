import { parseCheckOptions } from '../../check-options.js';
import type { Report, Rule } from '../../types.js';

/**
 * Errors BuildKit stops a build on (unknown instructions, bad flags, a blank
 * base image, a malformed `# check=` directive...), found while building the
 * IR. They are findings rather than fatal errors so that one report shows
 * them with everything else; a file that cannot be parsed at all is not
 * linted (the runner returns its parse errors instead).
 */
export const dockerfileError: Rule = {
  id: 'DockerfileError',
  family: 'core',
  severity: 'error',
  title: 'The Dockerfile is invalid: BuildKit would refuse to build it',
  description:
    'The instruction breaks a rule of the Dockerfile format that BuildKit enforces before building anything: an unknown instruction or flag, ' +
    'a wrong number of arguments, a base image name that expands to nothing, a malformed `# check=` directive, and so on. ' +
    'The message is what BuildKit would say.',
  docs: 'docs/rules/DockerfileError.md',
  hadolint: ['DL1000'],
  check(ctx) {
    const out: Report[] = [];
    const directive = ctx.tree.directives.find((d) => d.name === 'check');
    if (directive) {
      const parsed = parseCheckOptions(directive.value);
      if (!parsed.ok) out.push({ range: directive.range, message: parsed.error });
    }
    for (const d of ctx.ir.diagnostics) if (d.severity === 'error') out.push({ range: d.range, message: d.message });
    return out;
  },
};
