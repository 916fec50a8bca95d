/**
 * BuildKit's `# check=` parser directive (linter.ParseLintOptions):
 * `skip=A,B|all;error=true;experimental=C|all`.
 */
import type { SyntaxTree } from '../../grammar/dockerfile/index.js';
import { goQuote } from '../common/go-text.js';

export interface CheckOptions {
  skip: readonly string[] | 'all';
  experimental: readonly string[] | 'all';
  /** `error=true`: BuildKit fails the build on any finding. */
  error: boolean;
}

export const DEFAULT_CHECK: CheckOptions = { skip: [], experimental: [], error: false };

const GO_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE: ReadonlySet<string> = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function list(v: string): string[] | 'all' {
  const t = v.trim();
  return t === 'all' ? 'all' : t.split(',').map((s) => s.trim());
}

/** BuildKit's ParseLintOptions, with its error messages (prefixed as newRuleLinter does). */
export function parseCheckOptions(value: string): { ok: true; options: CheckOptions } | { ok: false; error: string } {
  const s = value.trim();
  if (s === '') return { ok: true, options: DEFAULT_CHECK };
  // strings.SplitN(s, ";", 3): a fourth option stays part of the third.
  const semi = s.split(';');
  const parts = semi.length > 3 ? [semi[0]!, semi[1]!, semi.slice(2).join(';')] : semi;
  let skip: CheckOptions['skip'] = [];
  let experimental: CheckOptions['experimental'] = [];
  let error = false;
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) return { ok: false, error: `failed to parse check options: invalid check option ${goQuote(p)}` };
    const k = p.slice(0, eq).trim();
    const v = p.slice(eq + 1);
    if (k === 'skip') skip = list(v);
    else if (k === 'experimental') experimental = list(v);
    else if (k === 'error') {
      const b = v.trim();
      if (GO_TRUE.has(b)) error = true;
      else if (GO_FALSE.has(b)) error = false;
      else
        return {
          ok: false,
          error: `failed to parse check options: failed to parse check option ${goQuote(p)}: strconv.ParseBool: parsing ${goQuote(b)}: invalid syntax`,
        };
    } else return { ok: false, error: `failed to parse check options: invalid check option ${goQuote(k)}` };
  }
  return { ok: true, options: { skip, experimental, error } };
}

/** The file's `# check=` directive, when it has a valid one. */
export function fileCheckOptions(tree: SyntaxTree): CheckOptions {
  const d = tree.directives.find((x) => x.name === 'check');
  if (!d) return DEFAULT_CHECK;
  const parsed = parseCheckOptions(d.value);
  // An invalid directive is reported by DockerfileError; the file is then linted with the defaults.
  return parsed.ok ? parsed.options : DEFAULT_CHECK;
}
