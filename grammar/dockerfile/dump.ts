/**
 * BuildKit's AST dump (parser.Node.Dump): one `(keyword [flags] "arg" ...)`
 * line per instruction. `scannable parse --format buildkit` prints it, and
 * conformance with BuildKit is a byte comparison of this text.
 */
import { goQuote, goQuoteList, trimGoSpace } from '../../src/common/go-text.js';
import type { Instruction, SyntaxTree } from './syntax.js';

export function dumpInstruction(ins: Instruction): string {
  let s = ins.keyword.toLowerCase();
  if (ins.flags.length > 0) s += ' ' + goQuoteList(ins.flags);
  if (ins.trigger) s += ' (' + dumpInstruction(ins.trigger) + ')';
  for (const a of ins.args) s += ' ' + goQuote(a);
  return trimGoSpace(s);
}

/** The whole dump, newline-terminated, as BuildKit's tests compare it. */
export function dumpTree(tree: SyntaxTree): string {
  let out = '';
  for (const ins of tree.instructions) out += '(' + dumpInstruction(ins) + ')\n';
  return out;
}
