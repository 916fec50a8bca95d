/**
 * mvdan/sh (through sh-syntax, WebAssembly) as an oracle for grammar/shell.
 *
 * sh-syntax returns only a thin syntax tree: top-level statements with the
 * span of their command, their redirections and, for words, the span and
 * literal value (`Lit`, set when the word is unquoted literal text) plus the
 * spans of its parts. So the comparison is driven by our tree and checked
 * against mvdan at every level:
 *
 *  - regions: every statement list we find (the script, compound bodies,
 *    `$(...)` bodies) is parsed alone by mvdan; its statements must have our
 *    spans, background flags and (for single commands) command spans and
 *    redirections;
 *  - words: every word of every simple command is parsed by mvdan as the
 *    target of a redirection (`: > word`), which tells where mvdan ends the
 *    word, how it splits it into parts, and its literal value.
 *
 * Together: mvdan sees the same simple commands with the same words.
 * Calls are batched (many regions or probes in one script, one per line) and
 * only a failing batch is re-checked item by item, to say which one failed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  getProcessor,
  type File as MvFile,
  type Node as MvNode,
  type Pos as MvPos,
  type Redirect as MvRedirect,
  type Stmt as MvStmt,
} from 'sh-syntax';
import {
  commandEnd,
  parseShell,
  type Command,
  type Redirect,
  type SimpleCommand,
  type Statement,
  type StatementList,
  type Word,
  type WordPart,
} from '../../grammar/shell/index.js';

const require = createRequire(import.meta.url);
let processor: ((text: string) => Promise<MvFile>) | undefined;

async function mvParse(text: string): Promise<{ ok: true; file: MvFile } | { ok: false; message: string }> {
  if (processor === undefined) {
    // Node's WebAssembly global; this project's type libraries do not declare it.
    const wasm = (globalThis as any).WebAssembly;
    const module = await wasm.compile(readFileSync(require.resolve('sh-syntax/main.wasm')));
    const p = getProcessor((imports: unknown) => wasm.instantiate(module, imports));
    processor = (t) => p(t, { keepComments: false });
  }
  try {
    return { ok: true, file: await processor(text) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** mvdan reports UTF-8 byte offsets; this maps them to UTF-16 offsets of `text`. */
function byteToUtf16(text: string): (byte: number) => number {
  let ascii = true;
  for (let i = 0; i < text.length; i++)
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  if (ascii) return (b) => b;
  const map = new Map<number, number>();
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    map.set(byte, i);
    const c = text.codePointAt(i)!;
    byte += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (c > 0xffff) i++;
  }
  map.set(byte, text.length);
  return (b) => map.get(b) ?? -1;
}

export interface Disagreement {
  /** Offset in the script of what disagrees. */
  offset: number;
  /** Source text of the command or region concerned (shortened). */
  subject: string;
  reason: string;
}

export interface OracleResult {
  /** Both parsers accepted the script (or both rejected it). */
  agree: boolean;
  bothRejected: boolean;
  simpleCommands: number;
  words: number;
  disagreements: Disagreement[];
}

interface Region {
  script: string;
  /** Text offsets (in the script) of the statement list. */
  start: number;
  end: number;
  statements: StatementList;
  /** Where this region's disagreements go (its script's result). */
  out: Disagreement[];
}

interface Probe {
  script: string;
  out: Disagreement[];
  command: SimpleCommand;
  /** From a backquoted body: its offsets were mapped back through unescaping, so only lengths and literal values compare. */
  remapped: boolean;
  /** The word and, for an assignment, its whole text (name included). */
  words: Array<{
    word: Word;
    text: string;
    start: number;
    parts: Array<{ start: number; end: number }>;
    literal: boolean;
  }>;
}

function shorten(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 70 ? one.slice(0, 70) + '…' : one;
}

/** Compares our parse of `script` with mvdan's. */
export async function compareWithMvdan(script: string): Promise<OracleResult> {
  return (await compareAll([script]))[0]!;
}

/**
 * Compares many scripts. Regions and probes of all of them are checked in
 * large batches (a call instantiates the WebAssembly module, so calls are
 * what costs); a batch that fails is split in halves until the failing items
 * are found on their own.
 */
export async function compareAll(scripts: readonly string[]): Promise<OracleResult[]> {
  const results: OracleResult[] = [];
  const regions: Region[] = [];
  const probes: Probe[] = [];
  for (const script of scripts) {
    const ours = parseShell(script);
    const result: OracleResult = { agree: true, bothRejected: false, simpleCommands: 0, words: 0, disagreements: [] };
    results.push(result);
    if (ours.errors.length > 0) {
      const theirs = await mvParse(script);
      if (theirs.ok) {
        result.disagreements.push({
          offset: ours.errors[0]!.start,
          subject: shorten(script),
          reason: `we reject: ${ours.errors[0]!.message} (line ${ours.errors[0]!.line})`,
        });
      } else result.bothRejected = true;
      continue;
    }
    const mine: Probe[] = [];
    regions.push({ script, start: 0, end: script.length, statements: ours.body, out: result.disagreements });
    collect(script, ours.body, regions, mine, true, result.disagreements);
    probes.push(...mine);
    result.simpleCommands = mine.length;
    result.words = mine.reduce((n, p) => n + p.words.length, 0);
  }
  await inBatches(regions, checkRegionBatch);
  await inBatches(
    probes.filter((p) => p.words.length > 0),
    checkProbeBatch,
  );
  for (const r of results) r.agree = r.disagreements.length === 0;
  return results;
}

/** Largest batch, in characters of script text. */
const BATCH_CHARS = 400_000;

/**
 * Runs `check` over `items` in batches. `check` returns false when the batch
 * as a whole could not be compared (mvdan rejected the concatenation, or the
 * statements do not line up); then each half is checked on its own.
 */
async function inBatches<T extends { script: string; start?: number; end?: number }>(
  items: T[],
  check: (batch: T[]) => Promise<boolean>,
): Promise<void> {
  let from = 0;
  while (from < items.length) {
    let size = 0;
    let to = from;
    while (to < items.length && (to === from || size < BATCH_CHARS)) {
      const it = items[to]!;
      size += (it.end ?? it.script.length) - (it.start ?? 0) + 1;
      to++;
    }
    await checkSplitting(items.slice(from, to), check);
    from = to;
  }
}

async function checkSplitting<T>(batch: T[], check: (batch: T[]) => Promise<boolean>): Promise<void> {
  if (await check(batch)) return;
  if (batch.length === 1) return;
  const half = batch.length >> 1;
  await checkSplitting(batch.slice(0, half), check);
  await checkSplitting(batch.slice(half), check);
}

// ---------------------------------------------------------------------------
// Walking our tree

function heredocEnd(script: string, r: Redirect): number {
  if (r.heredoc === undefined) return r.end;
  if (!r.heredoc.terminated) return script.length;
  const nl = script.indexOf('\n', r.heredoc.end);
  return nl < 0 ? script.length : nl + 1;
}

/** The end of a list's text, heredoc bodies of its commands included. */
function regionEnd(script: string, list: StatementList): number {
  let end = list[list.length - 1]!.end;
  const visit = (cmd: Command): void => {
    for (const r of cmd.redirects) end = Math.max(end, heredocEnd(script, r));
  };
  for (const st of list) for (const p of st.pipelines) for (const c of p.commands) visit(c);
  return end;
}

function collect(
  script: string,
  list: StatementList,
  regions: Region[],
  probes: Probe[],
  top: boolean,
  out: Disagreement[],
  remapped = false,
): void {
  if (list.length === 0) return;
  if (!top) regions.push({ script, start: list[0]!.start, end: regionEnd(script, list), statements: list, out });
  for (const st of list) {
    const single = st.pipelines.length === 1 && st.pipelines[0]!.commands.length === 1;
    for (const p of st.pipelines) {
      for (const c of p.commands) {
        // A command inside a pipeline or and-or list: mvdan shows only the whole
        // binary command, so check each one as its own region.
        if (!single) {
          const ownStatement: Statement = {
            kind: 'Statement',
            operators: [],
            background: false,
            start: c.start,
            end: commandEnd(c),
            pipelines: [
              {
                kind: 'Pipeline',
                negated: false,
                timed: false,
                commands: [c],
                pipeStderr: [],
                start: c.start,
                end: commandEnd(c),
              },
            ],
          };
          let end = commandEnd(c);
          for (const r of c.redirects) end = Math.max(end, heredocEnd(script, r));
          regions.push({ script, start: c.start, end, statements: [ownStatement], out });
        }
        collectCommand(script, c, regions, probes, out, remapped);
      }
    }
  }
}

function collectCommand(
  script: string,
  c: Command,
  regions: Region[],
  probes: Probe[],
  out: Disagreement[],
  remapped = false,
): void {
  for (const r of c.redirects) collectWord(script, r.target, regions, probes, out);
  for (const r of c.redirects) if (r.heredoc) collectWord(script, r.heredoc.content, regions, probes, out);
  switch (c.kind) {
    case 'SimpleCommand': {
      const words: Probe['words'] = [];
      for (const a of c.assignments) {
        words.push({
          word: a.value,
          text: script.slice(a.start, a.end),
          start: a.start,
          parts: partSpans(a.value.parts, a.start, a.end),
          literal: isLiteral(a.value.parts),
        });
        collectWord(script, a.value, regions, probes, out);
      }
      for (const w of c.words) {
        words.push({
          word: w,
          text: w.text,
          start: w.start,
          parts: partSpans(w.parts, w.start, w.end),
          literal: isLiteral(w.parts),
        });
        collectWord(script, w, regions, probes, out);
      }
      probes.push({ script, out, command: c, words, remapped });
      return;
    }
    case 'Subshell':
    case 'BraceGroup':
      collect(script, c.body, regions, probes, false, out);
      return;
    case 'If':
      for (const b of c.branches) {
        collect(script, b.condition, regions, probes, false, out);
        collect(script, b.body, regions, probes, false, out);
      }
      if (c.elseBody) collect(script, c.elseBody, regions, probes, false, out);
      return;
    case 'For':
      for (const w of c.items ?? []) collectWord(script, w, regions, probes, out);
      collect(script, c.body, regions, probes, false, out);
      return;
    case 'ArithFor':
      collect(script, c.body, regions, probes, false, out);
      return;
    case 'While':
      collect(script, c.condition, regions, probes, false, out);
      collect(script, c.body, regions, probes, false, out);
      return;
    case 'Case':
      collectWord(script, c.subject, regions, probes, out);
      for (const item of c.items) {
        for (const p of item.patterns) collectWord(script, p, regions, probes, out);
        collect(script, item.body, regions, probes, false, out);
      }
      return;
    case 'Function':
      collectCommand(script, c.body, regions, probes, out, remapped);
      return;
    case 'Test':
      for (const w of c.words) collectWord(script, w, regions, probes, out);
      return;
    case 'Arith':
      return;
  }
}

function collectWord(script: string, w: Word, regions: Region[], probes: Probe[], out: Disagreement[]): void {
  const visit = (parts: WordPart[]): void => {
    for (const p of parts) {
      if (p.kind === 'DoubleQuoted') visit(p.parts);
      else if (p.kind === 'Parameter') {
        if (p.operand) visit(p.operand.parts);
        if (p.replacement) visit(p.replacement.parts);
      } else if (p.kind === 'CommandSubstitution' || p.kind === 'ProcessSubstitution') {
        // Backquoted bodies were unescaped before parsing: their text is not a slice of the script.
        if (p.kind === 'CommandSubstitution' && p.backquoted) {
          collectInner(script, p.body, probes, out);
          continue;
        }
        collect(script, p.body, regions, probes, false, out);
      }
    }
  };
  visit(w.parts);
}

/** Simple commands of a backquoted body: probed for their words, not checked as regions. */
function collectInner(script: string, list: StatementList, probes: Probe[], out: Disagreement[]): void {
  const ignored: Region[] = [];
  const before = probes.length;
  collect(script, list, ignored, probes, true, out, true);
  for (let i = before; i < probes.length; i++) probes[i]!.remapped = true;
}

function isLiteral(parts: WordPart[]): boolean {
  return parts.every((p) => p.kind === 'Literal' || p.kind === 'Tilde');
}

/** Top-level part spans as mvdan draws them: a tilde and the literal text after it are one part. */
function partSpans(parts: WordPart[], wordStart: number, wordEnd: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let prevLiteral = false;
  for (const p of parts) {
    const literal = p.kind === 'Literal' || p.kind === 'Tilde';
    if (literal && prevLiteral && out.length > 0 && out[out.length - 1]!.end === p.start)
      out[out.length - 1]!.end = p.end;
    else out.push({ start: p.start, end: p.end });
    prevLiteral = literal;
  }
  // An assignment's name is literal text before its value.
  if (out.length > 0 && out[0]!.start > wordStart) {
    if (parts[0]!.kind === 'Literal' || parts[0]!.kind === 'Tilde') out[0]!.start = wordStart;
    else out.unshift({ start: wordStart, end: out[0]!.start });
  }
  if (out.length === 0) out.push({ start: wordStart, end: wordEnd });
  return out;
}

// ---------------------------------------------------------------------------
// Comparing

function off(p: MvPos, map: (b: number) => number, base: number): number {
  return map(p.Offset) + base;
}

function stmtEnd(s: MvStmt, map: (b: number) => number, base: number): number {
  let end = s.Cmd ? off(s.Cmd.End, map, base) : off(s.Position, map, base) + (s.Negated ? 1 : 0);
  // mvdan ends a heredoc redirection after its body; we end it at the delimiter word.
  for (const r of s.Redirs) end = Math.max(end, off(r.Hdoc ? r.Word.End : r.End, map, base));
  return end;
}

function statementStart(st: Statement): number {
  return st.start;
}

function statementEnd(st: Statement): number {
  const last = st.pipelines[st.pipelines.length - 1]!;
  return last.end;
}

/** Our command's span as mvdan draws it: a simple command spans its assignments and words only. */
function commandSpan(c: Command): { start: number; end: number } | null {
  if (c.kind === 'SimpleCommand') {
    const items = [...c.assignments, ...c.words];
    if (items.length === 0) return null;
    return { start: items[0]!.start, end: items[items.length - 1]!.end };
  }
  if (c.kind === 'Function') return { start: c.start, end: c.body.end };
  return { start: c.start, end: c.end };
}

function compareRedirects(
  script: string,
  ours: Redirect[],
  theirs: MvRedirect[],
  map: (b: number) => number,
  base: number,
  out: Disagreement[],
): void {
  if (ours.length !== theirs.length) {
    out.push({
      offset: ours[0]?.start ?? base,
      subject: shorten(script.slice(ours[0]?.start ?? base, ours[ours.length - 1]?.end ?? base)),
      reason: `redirections: ours ${ours.length}, mvdan ${theirs.length}`,
    });
    return;
  }
  ours.forEach((r, i) => {
    const t = theirs[i]!;
    const tStart = off(t.Word.Pos, map, base);
    const tEnd = off(t.Word.End, map, base);
    const fd = t.N ? Number(t.N.Value) : undefined;
    if (r.op !== t.Op || r.target.start !== tStart || r.target.end !== tEnd || r.fd !== fd) {
      out.push({
        offset: r.start,
        subject: shorten(script.slice(r.start, r.end)),
        reason: `redirection differs: ours ${r.fd ?? ''}${r.op} [${r.target.start},${r.target.end}), mvdan ${fd ?? ''}${t.Op} [${tStart},${tEnd})`,
      });
    }
  });
}

function compareStatements(
  script: string,
  region: Region,
  stmts: MvStmt[],
  base: number,
  map: (b: number) => number,
  out: Disagreement[],
): void {
  const ours = region.statements;
  if (ours.length !== stmts.length) {
    out.push({
      offset: region.start,
      subject: shorten(script.slice(region.start, region.end)),
      reason: `statements: ours ${ours.length}, mvdan ${stmts.length}`,
    });
    return;
  }
  ours.forEach((st, i) => {
    const t = stmts[i]!;
    const tStart = off(t.Position, map, base);
    const tEnd = stmtEnd(t, map, base);
    const subject = shorten(script.slice(st.start, statementEnd(st)));
    if (statementStart(st) !== tStart || statementEnd(st) !== tEnd) {
      out.push({
        offset: st.start,
        subject,
        reason: `statement span: ours [${st.start},${statementEnd(st)}), mvdan [${tStart},${tEnd})`,
      });
      return;
    }
    if (st.background !== t.Background)
      out.push({ offset: st.start, subject, reason: `background: ours ${st.background}, mvdan ${t.Background}` });
    if (st.pipelines.length === 1 && st.pipelines[0]!.commands.length === 1) {
      const p = st.pipelines[0]!;
      const c = p.commands[0]!;
      if (p.negated !== t.Negated)
        out.push({ offset: st.start, subject, reason: `negation: ours ${p.negated}, mvdan ${t.Negated}` });
      let span = commandSpan(c);
      // mvdan wraps a timed pipeline in a TimeClause that starts at `time`.
      if (p.timed) span = { start: p.start, end: commandEnd(c) };
      const tCmd: MvNode | null = t.Cmd;
      const tSpan = tCmd ? { start: off(tCmd.Pos, map, base), end: off(tCmd.End, map, base) } : null;
      if (JSON.stringify(span) !== JSON.stringify(tSpan)) {
        out.push({
          offset: st.start,
          subject,
          reason: `command span: ours ${JSON.stringify(span)}, mvdan ${JSON.stringify(tSpan)}`,
        });
      }
      compareRedirects(script, c.redirects, t.Redirs, map, base, out);
    }
  });
}

/** Checks a batch of regions (one per line of one mvdan script); false when the batch could not be compared. */
async function checkRegionBatch(regions: Region[]): Promise<boolean> {
  let text = '';
  const bases: number[] = [];
  for (const r of regions) {
    bases.push(text.length);
    text += r.script.slice(r.start, r.end) + '\n';
  }
  const parsed = await mvParse(text);
  if (!parsed.ok) {
    if (regions.length > 1) return false;
    const r = regions[0]!;
    r.out.push({
      offset: r.start,
      subject: shorten(r.script.slice(r.start, r.end)),
      reason: `mvdan rejects ${r.start === 0 && r.end === r.script.length ? 'the script' : 'the region alone'}: ${parsed.message}`,
    });
    return true;
  }
  const total = regions.reduce((n, r) => n + r.statements.length, 0);
  if (total !== parsed.file.Stmts.length && regions.length > 1) return false;
  const map = byteToUtf16(text);
  const outs: Disagreement[][] = [];
  let k = 0;
  regions.forEach((r, i) => {
    const n = r.statements.length;
    const stmts = parsed.file.Stmts.slice(k, k + n);
    k += n;
    const out: Disagreement[] = [];
    // Offsets in the batch text map back to the script by shifting by (region start - batch base).
    compareStatements(r.script, r, stmts, r.start - bases[i]!, map, out);
    outs.push(out);
  });
  // In a batch, a region that disagrees may have thrown off the ones after it: check alone.
  if (regions.length > 1 && outs.some((o) => o.length > 0)) return false;
  regions.forEach((r, i) => r.out.push(...outs[i]!));
  return true;
}

async function checkProbeBatch(probes: Probe[]): Promise<boolean> {
  let text = '';
  const wordStarts: number[][] = [];
  for (const p of probes) {
    text += ':';
    const starts: number[] = [];
    for (const w of p.words) {
      text += ' > ';
      starts.push(text.length);
      text += w.text;
    }
    text += '\n';
    wordStarts.push(starts);
  }
  const parsed = await mvParse(text);
  const subjectOf = (p: Probe): string => shorten(p.script.slice(p.command.start, p.command.end));
  if (!parsed.ok || parsed.file.Stmts.length !== probes.length) {
    if (probes.length > 1) return false;
    const p = probes[0]!;
    p.out.push({
      offset: p.command.start,
      subject: subjectOf(p),
      reason: `mvdan does not read our words as words: ${parsed.ok ? 'statement count' : parsed.message}`,
    });
    return true;
  }
  const map = byteToUtf16(text);
  const outs: Disagreement[][] = probes.map(() => []);
  probes.forEach((p, i) => {
    const out = outs[i]!;
    const st = parsed.file.Stmts[i]!;
    const starts = wordStarts[i]!;
    if (st.Redirs.length !== p.words.length) {
      out.push({
        offset: p.command.start,
        subject: subjectOf(p),
        reason: `words: ours ${p.words.length}, mvdan ${st.Redirs.length}`,
      });
      return;
    }
    p.words.forEach((w, j) => {
      const r = st.Redirs[j]!;
      const shift = w.start - starts[j]!;
      const tStart = map(r.Word.Pos.Offset) + shift;
      const tEnd = map(r.Word.End.Offset) + shift;
      const end = w.start + w.text.length;
      if (tStart !== w.start || tEnd !== end) {
        out.push({
          offset: w.start,
          subject: subjectOf(p),
          reason: `word ${JSON.stringify(w.text)}: mvdan reads [${tStart - w.start},${tEnd - w.start})`,
        });
        return;
      }
      const theirParts = mergeDollarParts(
        text,
        r.Word.Parts.map((q) => ({ start: map(q.Pos.Offset) + shift, end: map(q.End.Offset) + shift })),
        shift,
      );
      if (!p.remapped && JSON.stringify(theirParts) !== JSON.stringify(w.parts)) {
        out.push({
          offset: w.start,
          subject: subjectOf(p),
          reason: `parts of ${JSON.stringify(w.text)}: ours ${JSON.stringify(w.parts.map((q) => [q.start - w.start, q.end - w.start]))}, mvdan ${JSON.stringify(theirParts.map((q) => [q.start - w.start, q.end - w.start]))}`,
        });
        return;
      }
      const theirLiteral = r.Word.Lit !== '';
      if (theirLiteral !== (w.literal && w.text !== '') || (theirLiteral && r.Word.Lit !== w.text)) {
        out.push({
          offset: w.start,
          subject: subjectOf(p),
          reason: `literal ${JSON.stringify(w.text)}: ours ${w.literal}, mvdan ${JSON.stringify(r.Word.Lit)}`,
        });
      }
    });
  });
  if (probes.length > 1 && outs.some((o) => o.length > 0)) return false;
  probes.forEach((p, i) => p.out.push(...outs[i]!));
  return true;
}

/**
 * mvdan keeps a `$` that starts no expansion (`$.`, `a$`) as a literal part of
 * its own; we keep it in the surrounding literal text. Merge such parts.
 */
function mergeDollarParts(
  text: string,
  parts: Array<{ start: number; end: number }>,
  shift: number,
): Array<{ start: number; end: number }> {
  const plain = (q: { start: number; end: number }): boolean => {
    const t = text.slice(q.start - shift, q.end - shift);
    return !/^['"`]|^\$[{('"A-Za-z0-9_@*#?$!-]/.test(t);
  };
  const out: Array<{ start: number; end: number }> = [];
  for (const q of parts) {
    const prev = out[out.length - 1];
    if (
      prev !== undefined &&
      prev.end === q.start &&
      plain(prev) &&
      plain(q) &&
      (text[prev.end - 1 - shift] === '$' || text[q.start - shift] === '$')
    )
      prev.end = q.end;
    else out.push({ ...q });
  }
  return out;
}
