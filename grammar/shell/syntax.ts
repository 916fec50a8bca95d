/**
 * The shell syntax tree for RUN scripts: POSIX sh plus the bash forms seen in
 * Dockerfiles. Every node carries `start`/`end`, UTF-16 offsets into the
 * script text (`end` exclusive); `ShellParse.positionAt` turns an offset into a
 * 1-based line and column relative to the script. Nested scripts (`$(...)`,
 * backticks, heredoc bodies) use offsets of the same outer script.
 */

export interface Span {
  start: number;
  end: number;
}

/** A list of statements run in sequence (`;`, `&`, newline). */
export type StatementList = Statement[];

/** An and-or list: pipelines joined by `&&` / `||`, optionally run in the background. */
export interface Statement extends Span {
  kind: 'Statement';
  pipelines: Pipeline[];
  /** `operators[i]` joins `pipelines[i]` and `pipelines[i + 1]`. */
  operators: Array<'&&' | '||'>;
  /** Terminated by `&`. */
  background: boolean;
}

export interface Pipeline extends Span {
  kind: 'Pipeline';
  /** `! cmd`: exit status inverted. */
  negated: boolean;
  /** bash `time` prefix. */
  timed: boolean;
  commands: Command[];
  /** `pipeStderr[i]` is true when commands i and i+1 are joined by `|&`. */
  pipeStderr: boolean[];
}

export type Command =
  | SimpleCommand
  | Subshell
  | BraceGroup
  | IfClause
  | ForClause
  | ArithForClause
  | WhileClause
  | CaseClause
  | FunctionDefinition
  | TestClause
  | ArithCommand;

export interface SimpleCommand extends Span {
  kind: 'SimpleCommand';
  /** `NAME=value` words before the command name. */
  assignments: Assignment[];
  /** The command name and its arguments, as written. Empty for assignment-only commands. */
  words: Word[];
  redirects: Redirect[];
}

export interface Assignment extends Span {
  kind: 'Assignment';
  name: string;
  /** `NAME+=value`. */
  append: boolean;
  /** The value: the parts of the word after `=` (possibly none). */
  value: Word;
}

/** Compound commands end at their closing keyword; redirections after it have their own spans. */
interface CompoundBase extends Span {
  redirects: Redirect[];
}

export interface Subshell extends CompoundBase {
  kind: 'Subshell';
  body: StatementList;
}

export interface BraceGroup extends CompoundBase {
  kind: 'BraceGroup';
  body: StatementList;
}

export interface IfClause extends CompoundBase {
  kind: 'If';
  /** The `if` branch followed by every `elif` branch. */
  branches: Array<{ condition: StatementList; body: StatementList }>;
  elseBody?: StatementList;
}

export interface ForClause extends CompoundBase {
  kind: 'For';
  /** `select` loops share this shape. */
  select: boolean;
  variable: Word;
  /** Absent when there is no `in` (the loop runs over `"$@"`). */
  items?: Word[];
  body: StatementList;
}

export interface ArithForClause extends CompoundBase {
  kind: 'ArithFor';
  /** The text between `((` and `))`, not evaluated. */
  expression: string;
  body: StatementList;
}

export interface WhileClause extends CompoundBase {
  kind: 'While';
  until: boolean;
  condition: StatementList;
  body: StatementList;
}

export interface CaseItem extends Span {
  patterns: Word[];
  body: StatementList;
  terminator: ';;' | ';&' | ';;&' | '';
}

export interface CaseClause extends CompoundBase {
  kind: 'Case';
  subject: Word;
  items: CaseItem[];
}

export interface FunctionDefinition extends CompoundBase {
  kind: 'Function';
  name: string;
  body: Command;
}

/** bash `[[ ... ]]`: the words between the brackets (operators such as `&&` are not kept). */
export interface TestClause extends CompoundBase {
  kind: 'Test';
  words: Word[];
}

/** bash `(( ... ))`. */
export interface ArithCommand extends CompoundBase {
  kind: 'Arith';
  expression: string;
}

export type RedirectOp = '<' | '>' | '>>' | '>|' | '<>' | '<&' | '>&' | '&>' | '&>>' | '<<' | '<<-' | '<<<';

export interface Redirect extends Span {
  kind: 'Redirect';
  /** Explicit descriptor, as in `2>`. */
  fd?: number;
  op: RedirectOp;
  /** The file, descriptor or here-string word; for heredocs, the delimiter word. */
  target: Word;
  heredoc?: HeredocBody;
}

export interface HeredocBody extends Span {
  /** Delimiter with quotes removed. */
  delimiter: string;
  /** Any part of the delimiter was quoted: the body is literal text. */
  quoted: boolean;
  /** `<<-`: leading tabs are removed from body lines and the delimiter line. */
  stripTabs: boolean;
  /** A line holding only the delimiter closed the body. */
  terminated: boolean;
  /** The body (tabs already stripped for `<<-`): expansions when unquoted, one literal part otherwise. */
  content: Word;
}

/** A shell word as written, split into the parts that expand differently. */
export interface Word extends Span {
  kind: 'Word';
  /** The source text of the word. */
  text: string;
  parts: WordPart[];
}

export type WordPart =
  | LiteralPart
  | SingleQuotedPart
  | DoubleQuotedPart
  | TildePart
  | ParameterPart
  | CommandSubstitutionPart
  | ArithmeticPart
  | ProcessSubstitutionPart;

/** Unquoted text with backslash escapes and line continuations removed. */
export interface LiteralPart extends Span {
  kind: 'Literal';
  value: string;
  /** Contains an unquoted `*`, `?` or `[` (pathname expansion may apply). */
  glob?: true;
  /** Contains an unquoted `{...,...}` or `{a..b}` (bash brace expansion may apply). */
  brace?: true;
}

/** `'...'`, or bash `$'...'` with its escapes decoded. */
export interface SingleQuotedPart extends Span {
  kind: 'SingleQuoted';
  value: string;
  ansiC: boolean;
}

/** `"..."` (or bash `$"..."`). */
export interface DoubleQuotedPart extends Span {
  kind: 'DoubleQuoted';
  parts: WordPart[];
}

/** Unquoted `~` or `~user` at the start of a word. */
export interface TildePart extends Span {
  kind: 'Tilde';
  user: string;
}

export type ParameterOperator =
  | ':-'
  | '-'
  | ':='
  | '='
  | ':?'
  | '?'
  | ':+'
  | '+'
  | '#'
  | '##'
  | '%'
  | '%%'
  | '/'
  | '//'
  | '/#'
  | '/%'
  | '^'
  | '^^'
  | ','
  | ',,'
  | ':'
  | '@';

/** `$name`, `${name}`, `${#name}`, `${name<op>operand}`. */
export interface ParameterPart extends Span {
  kind: 'Parameter';
  /** Variable name, positional digit(s) or special character (`@ * # ? - $ !`). */
  name: string;
  braced: boolean;
  /** `${#name}`. */
  length: boolean;
  /** `${!name}` (indirection) */
  indirect: boolean;
  /** Has an array subscript, `${name[...]}` (not resolved). */
  subscript?: string;
  operator?: ParameterOperator;
  /** The word after the operator (for `/`-forms, the pattern). */
  operand?: Word;
  /** For `/`-forms: the replacement. */
  replacement?: Word;
}

/** `$(...)` or `` `...` ``. */
export interface CommandSubstitutionPart extends Span {
  kind: 'CommandSubstitution';
  backquoted: boolean;
  body: StatementList;
}

/** `$((...))`: kept as text; never evaluated. */
export interface ArithmeticPart extends Span {
  kind: 'Arithmetic';
  expression: string;
}

/** bash `<(...)` / `>(...)`. */
export interface ProcessSubstitutionPart extends Span {
  kind: 'ProcessSubstitution';
  direction: '<' | '>';
  body: StatementList;
}

/** A syntax error: where, and what went wrong in words a person understands. */
export interface ShellSyntaxError extends Span {
  message: string;
  line: number;
  column: number;
}

/** Line starts of a text, for turning offsets into 1-based line and column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  private last = 0;

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line and column (UTF-16 units) of `offset`. */
  positionAt(offset: number): { line: number; column: number } {
    const starts = this.starts;
    let i = this.last;
    // Lookups mostly move forward through the text: try the cached line first.
    if (!(starts[i]! <= offset && (i + 1 >= starts.length || offset < starts[i + 1]!))) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      i = lo;
      this.last = i;
    }
    return { line: i + 1, column: offset - starts[i]! + 1 };
  }
}
