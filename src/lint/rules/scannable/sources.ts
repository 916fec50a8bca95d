/** Where the sources of a COPY or ADD are written. */
import type { Range } from '../../../common/diagnostics.js';
import type { AddInstruction, CopyInstruction } from '../../../ir/index.js';
import { wordRange, writtenWords } from './locate.js';

/**
 * The range of the `index`-th (non-heredoc) source of a COPY/ADD: the
 * written arguments are the sources then the destination, heredoc openers
 * (`<<EOF`) among the sources.
 */
export function sourceRange(ins: CopyInstruction | AddInstruction, index: number): Range {
  const args = writtenWords(ins.syntax)
    .args.slice(0, -1)
    .filter((w) => !/^<<-?/.test(w.text));
  const w = args[index];
  return w !== undefined && args.length === ins.sources.length ? wordRange(ins.syntax, w) : ins.range;
}
