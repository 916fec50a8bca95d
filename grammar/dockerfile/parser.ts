/**
 * The Dockerfile parser (chevrotain): physical-line tokens into a syntax tree
 * with BuildKit's semantics. The grammar is small; the work is in the actions,
 * which join continuation lines, collect comments and warnings, split each
 * instruction's arguments (arguments.ts) and read heredoc bodies.
 *
 *   file        := (CommentLine | BlankLine | instruction)*
 *   instruction := ( InstructionLine
 *                  | ContinuationLine (CommentLine | BlankLine | ContinuationLine)* InstructionLine? )
 *                  heredocBody*
 *
 * Like BuildKit, the parser stops at the first error.
 */
import { EmbeddedActionsParser, type IToken } from '../chevrotain.js';
import { isGoSpace, trimGoSpace } from '../../src/common/go-text.js';
import type { Diagnostic } from '../../src/common/diagnostics.js';
import { HEREDOC_INSTRUCTIONS, parseInstructionLine, type LineParts } from './arguments.js';
import { scanDirectives, type FoundDirective } from './directives.js';
import { AnyLine, allTokens, BlankLine, CommentLine, ContinuationLine, InstructionLine, lexLines } from './lexer.js';
import type { Directive, Heredoc, Instruction, ParseOutcome, ParseWarning, SyntaxTree } from './syntax.js';
import { expandWord, type EscapeChar } from './word-lexer.js';

/** BuildKit reads lines with bufio.Scanner: a line of 65536 bytes or more is an error. */
export const MAX_LINE_BYTES = 65535;

class ParseStop {
  constructor(
    readonly message: string,
    readonly code: string,
    readonly startLine: number,
    readonly endLine: number,
    readonly hint?: string,
  ) {}
}

interface PendingHeredoc {
  heredoc: Omit<Heredoc, 'range'>;
  firstLine: number;
}

/** Line text without its trailing CR/LF characters (BuildKit's trimNewline). */
function content(image: string): string {
  let end = image.length;
  while (end > 0) {
    const c = image.charCodeAt(end - 1);
    if (c !== 0x0a && c !== 0x0d) break;
    end--;
  }
  return end === image.length ? image : image.slice(0, end);
}

function leadingSpace(s: string): number {
  let i = 0;
  while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Drops the continuation escape and trailing blanks (the line is known to end with them). */
function withoutContinuation(s: string): string {
  let j = s.length;
  while (j > 0 && (s.charCodeAt(j - 1) === 0x20 || s.charCodeAt(j - 1) === 0x09)) j--;
  return s.slice(0, j - 1);
}

const HEREDOC_WORD = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

function countQuotes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x27 || c === 0x22) n++;
  }
  return n;
}

type HeredocMatch = { ok: true; heredoc: Omit<Heredoc, 'range' | 'content'> | null } | { ok: false; error: string };

/** BuildKit's ParseHeredoc: is this word a heredoc opener (`<<EOF`, `<<-'EOF'`, `3<<EOF`)? */
export function parseHeredocWord(word: string): HeredocMatch {
  const m = HEREDOC_WORD.exec(word);
  if (!m) return { ok: true, heredoc: null };
  const rest = m[3]!;
  if (rest === '') return { ok: true, heredoc: null };
  const cooked = expandWord(rest, undefined, { escape: '\\', skipUnsetEnv: true });
  if (!cooked.ok) return { ok: false, error: cooked.error };
  if (cooked.result.words.length !== 1) return { ok: true, heredoc: null };
  const raw = expandWord(rest, undefined, { escape: '\\', skipUnsetEnv: true, rawQuotes: true });
  if (!raw.ok) return { ok: false, error: raw.error };
  if (raw.result.words.length !== 1) {
    return { ok: false, error: `internal lexing of heredoc produced inconsistent results: ${rest}` };
  }
  const name = cooked.result.words[0]!;
  const fd = m[1] === '' ? 0 : Math.min(Number(m[1]), 2 ** 64 - 1);
  return {
    ok: true,
    heredoc: { name, fd, chomp: m[2] === '-', expand: countQuotes(name) === countQuotes(raw.result.words[0]!) },
  };
}

function heredocsFromLine(line: string): HeredocMatch[] {
  const lexed = expandWord(line, undefined, { escape: '\\', rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  if (!lexed.ok) return [];
  const out: HeredocMatch[] = [];
  for (const w of lexed.result.words) {
    if (w.includes('<<')) out.push(parseHeredocWord(w));
  }
  return out;
}

function canContainHeredoc(parts: LineParts): boolean {
  const target = parts.keyword.toLowerCase() === 'onbuild' && parts.trigger ? parts.trigger : parts;
  return HEREDOC_INSTRUCTIONS.has(target.keyword.toLowerCase()) && !target.json;
}

/** Everything one parse needs; a fresh one per file. */
class ParseState {
  readonly instructions: Instruction[] = [];
  readonly warnings: ParseWarning[] = [];
  private comments: string[] = [];
  private current: Instruction | null = null;
  private pending: PendingHeredoc[] = [];
  private body = '';
  private lastLine = 0;

  constructor(
    readonly escape: EscapeChar,
    private readonly directiveLines: ReadonlySet<number>,
  ) {}

  /** A comment line at the top level: collected for the next instruction's prevComment. */
  topComment(tok: IToken): void {
    const index = tok.startLine! - 1;
    if (this.directiveLines.has(index)) return; // directives are not comments
    const text = trimGoSpace(tok.image.slice(1));
    if (text === '') this.comments = [];
    else this.comments.push(text);
  }

  beginInstruction(lines: IToken[], emptyContinuation: boolean, lastLine: number): void {
    const first = lines[0]!;
    const firstContent = content(first.image);
    const lead = leadingSpace(firstContent);
    let joined = '';
    const segments: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      const tok = lines[i]!;
      let text = i === 0 ? firstContent.slice(lead) : content(tok.image);
      if (tok.tokenType === ContinuationLine) text = withoutContinuation(text);
      segments.push(joined.length, tok.startLine!, i === 0 ? lead + 1 : 1);
      joined += text;
    }
    const startLine = first.startLine!;
    this.lastLine = lastLine;
    if (emptyContinuation) {
      this.warnings.push({
        rule: 'NoEmptyContinuation',
        message: `Empty continuation line found in: ${joined}`,
        detail: 'Empty continuation lines will become errors in a future release',
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        range: { start: { line: lastLine, column: 1 }, end: { line: lastLine, column: 1 } },
      });
    }
    const parsed = parseInstructionLine(joined, this.escape);
    if (!parsed.ok)
      throw new ParseStop(parsed.error, 'parse/instruction', startLine, lastLine, argumentHint(parsed.error));
    const parts = parsed.parts;
    const lastTok = lines[lines.length - 1]!;
    const node = this.toInstruction(parts, joined, segments);
    node.range = {
      start: { line: startLine, column: lead + 1 },
      end: { line: lastTok.startLine!, column: content(lastTok.image).length + 1 },
    };
    node.prevComment = this.comments;
    this.comments = [];
    this.current = node;
    this.pending = [];
    if (canContainHeredoc(parts) && joined.includes('<<')) {
      for (const h of heredocsFromLine(joined)) {
        if (!h.ok)
          throw new ParseStop(
            h.error,
            'parse/heredoc',
            startLine,
            lastLine,
            'fix the quoting of the heredoc delimiter word',
          );
        if (h.heredoc) this.pending.push({ heredoc: { ...h.heredoc, content: '' }, firstLine: 0 });
      }
    }
    this.body = '';
  }

  private toInstruction(parts: LineParts, original: string, segments: number[]): Instruction {
    const node: Instruction = {
      keyword: parts.keyword,
      flags: parts.flags,
      args: parts.args,
      json: parts.json,
      heredocs: [],
      original,
      range: { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } },
      prevComment: [],
      segments,
    };
    if (parts.trigger) {
      // The trigger's text follows ONBUILD (and its flags) in the same line.
      const at = original.lastIndexOf(parts.trigger.keyword);
      const sub = this.toInstruction(
        parts.trigger,
        original.slice(Math.max(at, 0)),
        shiftSegments(segments, Math.max(at, 0)),
      );
      node.trigger = sub;
    }
    return node;
  }

  awaitingHeredocBody(): boolean {
    return this.pending.length > 0;
  }

  heredocLine(tok: IToken): void {
    const p = this.pending[0]!;
    if (p.firstLine === 0) p.firstLine = tok.startLine!;
    this.lastLine = tok.startLine!;
    let candidate = content(tok.image);
    if (p.heredoc.chomp) {
      let i = 0;
      while (i < candidate.length && candidate.charCodeAt(i) === 0x09) i++;
      candidate = candidate.slice(i);
    }
    if (candidate === p.heredoc.name) {
      const node = this.current!;
      node.heredocs.push({
        ...p.heredoc,
        content: this.body,
        range: {
          start: { line: p.firstLine, column: 1 },
          end: { line: tok.startLine!, column: content(tok.image).length + 1 },
        },
      });
      this.pending.shift();
      this.body = '';
      return;
    }
    this.body += tok.image;
  }

  endInstruction(): void {
    const node = this.current!;
    if (this.pending.length > 0) {
      const name = this.pending[0]!.heredoc.name;
      throw new ParseStop(
        'unterminated heredoc',
        'parse/unterminated-heredoc',
        node.range.start.line,
        this.lastLine,
        `no line holding only ${JSON.stringify(name)} closes the heredoc opened here; add one after its body`,
      );
    }
    if (node.heredocs.length > 0) {
      const lastDoc = node.heredocs[node.heredocs.length - 1]!;
      node.range.end = lastDoc.range.end;
    }
    this.instructions.push(node);
    this.current = null;
  }
}

function shiftSegments(segments: number[], by: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < segments.length; i += 3) {
    const off = segments[i]!;
    const next = i + 3 < segments.length ? segments[i + 3]! : Infinity;
    if (next <= by) continue;
    out.push(Math.max(off - by, 0), segments[i + 1]!, segments[i + 2]! + Math.max(by - off, 0));
  }
  return out;
}

class DockerfileGrammar extends EmbeddedActionsParser {
  state!: ParseState;

  /** `validate`: check the grammar's definition too (tests do: at start-up it costs time and finds nothing). */
  constructor(validate = false) {
    super(allTokens, { maxLookahead: 1, recoveryEnabled: false, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  readonly file = this.RULE('file', () => {
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const tok = this.CONSUME(CommentLine);
            this.ACTION(() => this.state.topComment(tok));
          },
        },
        { ALT: () => this.CONSUME(BlankLine) },
        { ALT: () => this.SUBRULE(this.instruction) },
      ]);
    });
  });

  readonly instruction = this.RULE('instruction', () => {
    const lines: IToken[] = [];
    let last: IToken | undefined;
    let emptyContinuation = false;
    this.OR([
      { ALT: () => lines.push((last = this.CONSUME(InstructionLine))) },
      {
        ALT: () => {
          lines.push((last = this.CONSUME(ContinuationLine)));
          this.MANY(() => {
            this.OR2([
              { ALT: () => (last = this.CONSUME(CommentLine)) },
              {
                ALT: () => {
                  last = this.CONSUME(BlankLine);
                  emptyContinuation = true;
                },
              },
              { ALT: () => lines.push((last = this.CONSUME2(ContinuationLine))) },
            ]);
          });
          this.OPTION(() => lines.push((last = this.CONSUME2(InstructionLine))));
        },
      },
    ]);
    this.ACTION(() => this.state.beginInstruction(lines, emptyContinuation, last!.startLine!));
    this.MANY2({
      GATE: () => this.state.awaitingHeredocBody(),
      DEF: () => {
        const tok = this.CONSUME(AnyLine);
        this.ACTION(() => this.state.heredocLine(tok));
      },
    });
    this.ACTION(() => this.state.endInstruction());
  });
}

let grammar: DockerfileGrammar | undefined;

function argumentHint(error: string): string | undefined {
  if (error.endsWith('must have two arguments')) return 'write NAME=value (or the legacy form NAME value)';
  if (error.startsWith('when using JSON array syntax'))
    return 'exec form takes a JSON array of strings, e.g. ["cmd", "arg"]';
  if (error.startsWith('Syntax error - can')) return 'every word must be NAME=value; quote values that contain spaces';
  return undefined;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function toDirective(d: FoundDirective, tokens: IToken[]): Directive {
  const image = content(tokens[d.lineIndex]?.image ?? '');
  const lead = leadingSpace(image);
  const line = d.lineIndex + 1;
  return {
    name: d.name,
    value: d.value,
    range: { start: { line, column: lead + 1 }, end: { line, column: image.length + 1 } },
  };
}

function failure(
  file: string,
  message: string,
  code: string,
  startLine: number,
  endLine = startLine,
  hint?: string,
): ParseOutcome {
  const diag: Diagnostic = {
    ...(hint ? { hint } : {}),
    file,
    severity: 'error',
    code,
    message,
    range: {
      start: { line: Math.max(startLine, 1), column: 1 },
      end: { line: Math.max(endLine, startLine, 1), column: 1 },
    },
  };
  return { ok: false, diagnostics: [diag] };
}

/**
 * Parses Dockerfile text. Never throws: any input yields a tree or
 * diagnostics naming the file, line and column.
 */
export function parseDockerfile(source: string, file = 'Dockerfile'): ParseOutcome {
  let text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  // Directives come first and decide the escape character, which the lexer needs.
  const scan = scanDirectives(leadingLines(text));
  if (scan.error) {
    return failure(
      file,
      scan.error.message,
      'parse/directive',
      scan.error.lineIndex + 1,
      undefined,
      'parser directives may appear once each; escape takes \\ or `',
    );
  }

  let tokens = lexLines(text, scan.escape);
  let tooLong = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    t.startLine = i + 1;
    const len = t.image.length;
    // Only long lines can exceed the limit; measure bytes only then.
    if (len > MAX_LINE_BYTES / 3) {
      const bytes = utf8Length(t.image) - (t.image.endsWith('\n') ? 1 : 0);
      if (bytes > MAX_LINE_BYTES) {
        tooLong = i;
        break;
      }
    }
  }
  // BuildKit's scanner stops at an over-long line: what follows is never read.
  if (tooLong >= 0) tokens = tokens.slice(0, tooLong);

  grammar ??= new DockerfileGrammar();
  const state = new ParseState(scan.escape, new Set(scan.directives.map((d) => d.lineIndex)));
  grammar.state = state;
  grammar.input = tokens;
  try {
    grammar.file();
  } catch (e) {
    if (e instanceof ParseStop) return failure(file, e.message, e.code, e.startLine, e.endLine, e.hint);
    throw e;
  } finally {
    grammar.input = [];
    text = '';
  }
  if (grammar.errors.length > 0) {
    // Every line is some token and every token sequence is valid, so this means a bug here.
    const err = grammar.errors[0]!;
    return failure(file, `internal parser error: ${err.message}`, 'parse/internal', err.token.startLine ?? 1);
  }
  if (state.instructions.length === 0) {
    return failure(
      file,
      'file with no instructions',
      'parse/empty',
      Math.max(tokens.length, 1),
      undefined,
      'a Dockerfile needs at least a FROM instruction',
    );
  }
  if (tooLong >= 0) {
    return failure(
      file,
      `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`,
      'parse/line-too-long',
      tooLong + 1,
      undefined,
      'split the line with line continuations, or move long content into a file in the build context',
    );
  }
  const tree: SyntaxTree = {
    file,
    escape: scan.escape,
    directives: scan.directives.map((d) => toDirective(d, tokens)),
    instructions: state.instructions,
    warnings: state.warnings,
  };
  return { ok: true, tree };
}

function* leadingLines(text: string): Generator<string> {
  let offset = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl < 0 ? text.length : nl + 1;
    yield text.slice(offset, end);
    offset = end;
  }
}

/** Builds the grammar with Chevrotain's definition checks (ambiguities, left recursion, ...); throws what they find. */
export function checkDockerfileGrammar(): void {
  new DockerfileGrammar(true);
}
