/**
 * The script a shell-form RUN hands to its shell, as BuildKit builds it
 * (dockerfile2llb dispatchRun):
 *
 *  - `RUN <<EOF` (the command is only a heredoc opener): the heredoc body is
 *    the script; when it starts with `#!` BuildKit runs it as a file, so its
 *    interpreter is the shebang's, not the shell;
 *  - any other RUN with heredocs (`RUN python3 <<EOF`): the command line, then
 *    each body followed by its delimiter, all given to the shell;
 *  - otherwise the command line (`args[0]`).
 *
 * Every script comes with `origin`, which maps an offset of the script back to
 * a Dockerfile line and column.
 */
import {
  chompedContent,
  parseHeredocWord,
  positionInInstruction,
  type Heredoc,
  type Instruction,
} from '../../grammar/dockerfile/index.js';
import type { Position } from '../common/diagnostics.js';

export interface RunScript {
  script: string;
  /** Dockerfile position of an offset of `script`. */
  origin: (offset: number) => Position;
  /**
   * `#!` line of a heredoc run as a file, split into words: the program that
   * runs the script instead of the SHELL (pass it to analyzeScript as `shell`).
   */
  shebang?: string[];
}

/** The script of a shell-form RUN (or of ONBUILD RUN's trigger); null for exec form and other instructions. */
export function runScript(ins: Instruction): RunScript | null {
  const run = ins.trigger ?? ins;
  if (run.keyword.toLowerCase() !== 'run' || run.json || run.args.length !== 1) return null;
  const line = run.args[0]!;
  // args[0] is the tail of the joined instruction text.
  const lineBase = run.original.endsWith(line)
    ? run.original.length - line.length
    : Math.max(0, run.original.indexOf(line));
  const lineOrigin = instructionOrigin(run, lineBase);
  const first = run.heredocs[0];
  if (first === undefined) return { script: line, origin: lineOrigin };

  const opener = parseHeredocWord(line);
  if (opener.ok && opener.heredoc !== null) {
    const data = chompedContent(first);
    const script: RunScript = { script: data, origin: heredocOrigin(first) };
    if (data.startsWith('#!')) {
      const nl = data.indexOf('\n');
      script.shebang = data
        .slice(2, nl < 0 ? data.length : nl)
        .trim()
        .split(/[ \t]+/)
        .filter((w) => w !== '');
    }
    return script;
  }

  // BuildKit appends each body and its delimiter to the command line.
  let script = line;
  const pieces: Array<{ from: number; h: Heredoc }> = [];
  for (const h of run.heredocs) {
    script += '\n';
    pieces.push({ from: script.length, h });
    script += h.content + h.name;
  }
  return {
    script,
    origin: (offset) => {
      for (let i = pieces.length - 1; i >= 0; i--) {
        const p = pieces[i]!;
        if (offset >= p.from) return heredocOrigin(p.h, false)(offset - p.from);
      }
      return lineOrigin(Math.min(offset, line.length));
    },
  };
}

/**
 * Positions in the joined instruction text from `base` on: a binary search over
 * its segments (one per physical line), since a long RUN has many.
 */
function instructionOrigin(ins: Instruction, base: number): (offset: number) => Position {
  const seg = ins.segments;
  const n = seg.length / 3;
  if (n === 0) return (offset) => positionInInstruction(ins, base + offset);
  let last = 0;
  return (offset) => {
    const at = base + offset;
    let lo = last;
    // Lookups mostly move forward through the script: try the segment used last first.
    if (!(seg[lo * 3]! <= at && (lo + 1 >= n || at < seg[(lo + 1) * 3]!))) {
      lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (seg[mid * 3]! <= at) lo = mid;
        else hi = mid - 1;
      }
      last = lo;
    }
    return { line: seg[lo * 3 + 1]!, column: seg[lo * 3 + 2]! + (at - seg[lo * 3]!) };
  };
}

/** Positions inside a heredoc body: its first line is the line after the instruction's. */
function heredocOrigin(h: Heredoc, chomped = h.chomp): (offset: number) => Position {
  const raw = h.content;
  // Tabs removed from the start of each line by `<<-`, so that columns stay true to the file.
  const stripped: number[] = [];
  const lineStarts: number[] = [0];
  const text = chomped ? chompedContent(h) : raw;
  if (chomped) {
    for (const l of raw.split('\n')) {
      let tabs = 0;
      while (tabs < l.length && l.charCodeAt(tabs) === 0x09) tabs++;
      stripped.push(tabs);
    }
  }
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: h.range.start.line + lo, column: offset - lineStarts[lo]! + 1 + (stripped[lo] ?? 0) };
  };
}
